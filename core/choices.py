from django.db import models


class Role(models.TextChoices):
    """The role groups. The value is the Django group name people see."""

    MANAGER = "Manager", "Manager"
    INCIDENT_RESPONDER = "Incident Responder", "Incident Responder"
    ESCALATION_LEAD = "Escalation Lead", "Escalation Lead"
    VENDOR_MANAGER = "Vendor Manager", "Vendor Manager"
    FINANCE = "Finance", "Finance"
    VIEWER = "Viewer", "Viewer"
