from django.db import models


class CustomerTier(models.TextChoices):
    """How much attention a customer's escalations get (SLA policies match on it)."""

    STANDARD = "standard", "Standard"
    PRIORITY = "priority", "Priority"
    VIP = "vip", "VIP"
    HIGH_VALUE = "high_value", "High-value"


class EscalationState(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    CONTAINED = "contained", "Contained"
    AWAITING_CUSTOMER = "awaiting_customer", "Awaiting customer"
    RESOLVED = "resolved", "Resolved"
    REVIEW = "review", "Root-cause review"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# State groups, declared once (``Escalation.objects.open()``/``finished()`` and
# ``escalation.is_open``/``is_finished`` ask these). Resolved and in review are neither:
# the customer has an answer, but the escalation may still be reopened or reviewed.
# States in which the desk still owes the customer something.
OPEN_STATES = (EscalationState.NEW, EscalationState.TRIAGED, EscalationState.CONTAINED,
               EscalationState.AWAITING_CUSTOMER)
# States after which nothing changes any more (no edit, compensation or customer update).
FINISHED_STATES = (EscalationState.CLOSED, EscalationState.WITHDRAWN)


class EscalationCategory(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    BILLING = "billing", "Billing"
    TECHNICAL = "technical", "Technical"
    REGULATORY = "regulatory", "Regulatory"
    SOCIAL_MEDIA = "social_media", "Social media / public"
    EXECUTIVE = "executive", "Executive"


class EscalationPriority(models.TextChoices):
    P1 = "P1", "P1 — critical"
    P2 = "P2", "P2 — high"
    P3 = "P3", "P3 — normal"
    P4 = "P4", "P4 — low"


class Tier(models.TextChoices):
    """The escalation ladder: who works the escalation now."""

    L1 = "L1", "L1 — frontline"
    L2 = "L2", "L2 — escalation desk"
    L3 = "L3", "L3 — specialist / management"
    L4 = "L4", "L4 — executive"


class EscalationTimelineKind(models.TextChoices):
    CREATED = "created", "Created"
    TRANSITION = "transition", "State change"
    NOTE = "note", "Note"
    CUSTOMER_UPDATE = "customer_update", "Customer update"
    CLOCK = "clock", "SLA clock"
    POLICY = "policy", "SLA policy"
    REGULATORY = "regulatory", "Regulatory"
    COMPENSATION = "compensation", "Compensation"
    LINK = "link", "Incident link"
    EDIT = "edit", "Edit"
    PLAYBOOK = "playbook", "Playbook"


class DayCounting(models.TextChoices):
    """How a regulatory regime counts its deadline."""

    CALENDAR_DAYS = "calendar_days", "Calendar days"
    BUSINESS_DAYS = "business_days", "Business days"
