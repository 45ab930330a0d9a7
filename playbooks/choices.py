from django.db import models


class PlaybookKind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    ESCALATION = "escalation", "Escalation"


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class Evidence(models.TextChoices):
    """What a step needs before it counts as done."""

    NONE = "none", "Nothing"
    NOTE = "note", "A note"
    LINK = "link", "A link"
    FILE = "file", "A file"


class StepState(models.TextChoices):
    PENDING = "pending", "To do"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"


class AttachedHow(models.TextChoices):
    RULE = "rule", "By a rule"
    HAND = "hand", "By hand"
