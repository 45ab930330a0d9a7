from django.db import models


class Preset(models.TextChoices):
    """What the receiver is: any system reading our JSON, or a chat tool's incoming
    webhook, which wants a simple text message (the signing headers are sent anyway)."""

    GENERIC = "generic", "Generic (Standard Webhooks JSON)"
    SLACK = "slack", "Slack incoming webhook"
    TEAMS = "teams", "Microsoft Teams incoming webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERING = "delivering", "Delivering"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (will retry)"
    GAVE_UP = "gave_up", "Gave up"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
