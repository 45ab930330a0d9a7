"""The tier ladder (each tier change, acknowledged or not), the compensation limits per
role, and the links between escalations and incidents.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MinValueValidator
from django.db import models

from core.audit import History
from core.fields import FreeTextField

from ..choices import Tier
from .escalations import Escalation

USER = settings.AUTH_USER_MODEL


class TierDirection(models.TextChoices):
    UP = "up", "Escalated"
    DOWN = "down", "De-escalated"


class TierChange(models.Model):
    """One step on the tier ladder (L1 → L4 and back), with its acknowledgement.

    An escalation up must be acknowledged by a lead of the receiving tier; until it
    is, ``next_notify_at`` (indexed, NULL when nothing is pending) says when the
    renotify sweep (``escalations.services.tier_changes_renotify``) reminds the
    leads again, and after the configured attempts tells the tier above once.
    """

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE,
                                   related_name="tier_changes")
    from_tier = models.CharField(max_length=2, choices=Tier.choices)
    to_tier = models.CharField(max_length=2, choices=Tier.choices)
    direction = models.CharField(max_length=4, choices=TierDirection.choices)
    reason = FreeTextField()
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    automatic = models.BooleanField(
        default=False, help_text="Made by the system when an SLA clock breached.")
    acknowledged_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    notify_attempts = models.PositiveIntegerField(
        default=0, help_text="How many times the receiving tier's leads were notified.")
    next_notify_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the leads are reminded next; empty once acknowledged or done.")
    escalated_further = models.BooleanField(
        default=False, help_text="Nobody acknowledged in time: the tier above was told.")

    history = History()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            # Partial: the renotify sweep reads only the rows with something pending.
            models.Index(fields=["next_notify_at", "id"], name="tierchange_notify_idx",
                         condition=models.Q(next_notify_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.escalation_id}: {self.from_tier} → {self.to_tier}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


# --- Compensation ------------------------------------------------------------------


class CompensationApprovalLimit(models.Model):
    """How much compensation a role may approve on an escalation. A person's limit is
    the highest of their roles'; a role without a row cannot approve; an empty amount
    is no limit."""

    role = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="+")
    limit = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))], help_text="Empty: no limit.")

    history = History()

    class Meta:
        ordering = ["role__name"]

    def __str__(self):
        return f"{self.role.name}: {'no limit' if self.limit is None else self.limit}"


# --- Links to incidents --------------------------------------------------------------


class EscalationIncidentLink(models.Model):
    """An escalation caused (or made worse) by an incident; many to many."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE,
                                   related_name="incident_links")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE,
                                 related_name="escalation_links")
    linked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField()

    history = History()

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["escalation", "incident"],
                                               name="link_escalation_incident_once")]

    def __str__(self):
        return f"{self.escalation_id} ↔ {self.incident_id}"
