from django.db import models


class QueueChannel(models.TextChoices):
    VOICE = "voice", "Voice"
    CHAT = "chat", "Chat"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    SOCIAL = "social", "Social"
    MESSAGING = "messaging", "Messaging"


class AbandonTreatment(models.TextChoices):
    """How abandons within the threshold count in service level (Cisco UCCE's names;
    see REFERENCE.md "Contact-center metrics")."""

    IGNORED = "ignored", "Abandons ignored"
    NEGATIVE = "negative", "Abandons negative"
    POSITIVE = "positive", "Abandons positive"


class ImportFormat(models.TextChoices):
    GENERIC = "generic", "Switchboard template"
    AMAZON_CONNECT = "amazon_connect", "Amazon Connect historical metrics"
    GENESYS_CLOUD = "genesys_cloud", "Genesys Cloud queue performance"


class ImportOutcome(models.TextChoices):
    """Where an import stands. A file too large to import during the request is
    ``queued`` → ``validating`` → ``writing`` → ``imported`` | ``refused`` | ``failed``
    (``kpis/import_jobs.py``); a small file or an API push is imported or refused at once."""

    QUEUED = "queued", "Queued"
    VALIDATING = "validating", "Validating"
    WRITING = "writing", "Writing"
    IMPORTED = "imported", "Imported"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"


OPEN_IMPORT_OUTCOMES = (ImportOutcome.QUEUED, ImportOutcome.VALIDATING, ImportOutcome.WRITING)


class GroupBy(models.TextChoices):
    QUEUE = "queue", "Queue"
    CHANNEL = "channel", "Channel"
    SITE = "site", "Site"
    VENDOR = "vendor", "Vendor"
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    INTERVAL = "interval", "Interval of day"
