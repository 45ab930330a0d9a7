from django.conf import settings
from django.db import models

from ..audit import History
from ..fields import FreeCharField, FreeTextField


class Team(models.Model):
    """A group of people who own work together (a desk, a shift, a vendor-management team)."""

    name = FreeCharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = FreeTextField(blank=True)
    email = models.EmailField(blank=True, help_text="Shared mailbox notified for the team's work.")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teams_led",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="switchboard_teams"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = History(m2m_fields=[members])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Capability(models.Model):
    """Holds permissions that belong to no single model.

    Not a table: it only gives cross-cutting permissions a content type, so they
    are granted to roles like any other permission (``core.view_money``).
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_money", "Can see money: contract values, credits, budgets, costs"),
            ("view_customer_personal_data", "Can see customers' personal data"),
            ("view_audit_history", "Can read the audit history of any object"),
            ("manage_users", "Can invite people, assign their roles and teams, "
                             "deactivate and unlock them"),
        ]

    def __str__(self):
        return "Capability"


class WorkerHeartbeat(models.Model):
    """The last time a background worker proved it runs tasks.

    Bookkeeping, not a domain object, so it keeps no history. The health endpoint
    reads it to tell whether Celery (worker and beat) is alive.
    """

    name = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField()
    hostname = models.CharField(max_length=255, blank=True)

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
