from django.db import models


class ReviewPeriod(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class ReviewState(models.TextChoices):
    PLANNED = "planned", "Planned"
    PACK_READY = "pack_ready", "Pack ready"
    HELD = "held", "Held"
    MINUTES_PUBLISHED = "minutes_published", "Minutes published"


class ActionItemState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


OPEN_PACK_STATUSES = (PackStatus.QUEUED, PackStatus.RUNNING)


class PackFormat(models.TextChoices):
    HTML = "html", "HTML"
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV (zip)"


ALL_FORMATS = [f.value for f in PackFormat]


class ScheduleRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PackKind(models.TextChoices):
    """What a pack (and a schedule) is about: one vendor, or the executive page."""

    VENDOR = "vendor", "Vendor packs"
    EXECUTIVE = "executive", "Executive pack"


EXECUTIVE_FORMATS = ["html", "pdf"]  # the executive page's own exports are on the page
