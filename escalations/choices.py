from django.db import models


class CustomerTier(models.TextChoices):
    """How much attention a customer's escalations get (SLA policies match on it)."""

    STANDARD = "standard", "Standard"
    PRIORITY = "priority", "Priority"
    VIP = "vip", "VIP"
    HIGH_VALUE = "high_value", "High-value"
