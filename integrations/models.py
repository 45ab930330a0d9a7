"""Alert intake: integrations (one endpoint each), the raw payloads they accepted, and
the alerts and alert groups those payloads were normalised into.

The raw payload row (:class:`InboundEvent`) is written in the request, before the
202: it is the truth that nothing accepted is lost. A task normalises it; a sweep
(``core.due_rows``) re-processes any row a dead worker left behind, found through
the indexed ``process_due_at`` column.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.audit import History
from core.fields import FreeCharField, FreeTextField

from .choices import (
    AlertSeverity,
    AlertStatus,
    AutoResolvePolicy,
    EventStatus,
    IntegrationKind,
)

USER = settings.AUTH_USER_MODEL


class Integration(models.Model):
    """A source of alerts with its own secret URL, format and routing defaults."""

    name = FreeCharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=IntegrationKind.choices)
    # Only a hash of the URL token is stored: the token is shown once, when created or
    # rotated, and a leaked database does not leak working intake URLs.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(max_length=8, blank=True, editable=False,
                                  help_text="The token's last characters, to tell URLs apart.")
    hmac_secret = models.CharField(
        max_length=128, blank=True,
        help_text="If set, every request must carry X-Switchboard-Signature: "
                  "sha256=<hex HMAC-SHA256 of the body with this secret>.")
    enabled = models.BooleanField(default=True)

    # Routing defaults.
    severity_map = models.JSONField(
        default=dict, blank=True,
        help_text="Source severity → critical, high, medium, low or info.")
    default_severity = models.CharField(max_length=10, choices=AlertSeverity.choices,
                                        default=AlertSeverity.MEDIUM,
                                        help_text="When the source names no severity the "
                                                  "map knows.")
    channel = models.ForeignKey("incidents.Channel", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    team = models.ForeignKey("core.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+",
                             help_text="Its lead commands the incidents this integration "
                                       "opens (so they can be contained automatically).")
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+",
                               help_text="Incidents opened are attributed to this vendor.")
    group_by_label = FreeCharField(
        max_length=100, blank=True,
        help_text="Group alerts by this label (e.g. 'service') instead of the source's own "
                  "group key; empty: the source's (Alertmanager groupKey).")
    auto_resolve = models.CharField(max_length=10, choices=AutoResolvePolicy.choices,
                                    default=AutoResolvePolicy.CONTAIN)
    flap_window = models.DurationField(
        default=timedelta(minutes=30),
        help_text="An alert firing again this soon after resolving reopens its incident.")

    # Polling a vendor's public Statuspage JSON (off by default).
    poll_url = models.URLField(blank=True, verbose_name="status page URL",
                               help_text="https://status.example.com — its "
                                         "/api/v2/incidents.json is read.")
    poll_enabled = models.BooleanField(default=False)
    poll_interval = models.DurationField(default=timedelta(minutes=5))
    poll_next_at = models.DateTimeField(null=True, blank=True, editable=False)

    last_error = FreeTextField(blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["poll_next_at"], name="integration_poll_due_idx",
                                condition=Q(poll_next_at__isnull=False))]
        permissions = [("send_test_alert", "Can send a test alert")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("integrations:detail", args=[self.pk])


class InboundEvent(models.Model):
    """One request's raw payload, stored before the 202 answer: never lost, processed
    by a task, re-processed by the sweep if the task never ran."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE,
                                    related_name="events")
    received_at = models.DateTimeField()
    payload = models.JSONField()
    is_test = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=EventStatus.choices,
                              default=EventStatus.PENDING)
    # When the sweep should look at it (the task normally gets there first); None once
    # processed or given up on.
    process_due_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = FreeTextField(blank=True)
    alerts = models.ManyToManyField("Alert", blank=True, related_name="events")

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["process_due_at", "id"], name="event_process_due_idx",
                         condition=Q(process_due_at__isnull=False)),
            models.Index(fields=["integration", "-received_at"], name="event_integration_idx"),
        ]

    def __str__(self):
        return f"{self.integration} at {self.received_at:%Y-%m-%d %H:%M:%S}"


class AlertGroup(models.Model):
    """Alerts that belong to one incident: one row per (integration, group key), locked
    while its incident is declared, so concurrent duplicates declare exactly one."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE,
                                    related_name="groups")
    group_key = FreeCharField(max_length=512)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    status = models.CharField(max_length=15, choices=AlertStatus.choices,
                              default=AlertStatus.FIRING)
    title = FreeCharField(max_length=300, blank=True)
    first_fired_at = models.DateTimeField()
    last_fired_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When the source last said it resolved.")
    # The source's own start and end (a vendor's status page), kept beside our own
    # incident times so measured downtime can be reconciled with what the vendor says.
    source_started_at = models.DateTimeField(null=True, blank=True)
    source_ended_at = models.DateTimeField(null=True, blank=True)
    # The source's status updates already written on the incident's timeline (keys).
    seen_updates = models.JSONField(default=list, blank=True, editable=False)

    history = History()

    class Meta:
        ordering = ["-last_fired_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["integration", "group_key"],
                                               name="alert_group_unique_key")]

    def __str__(self):
        return f"{self.integration}: {self.title or self.group_key}"


class Alert(models.Model):
    """One alert in the normalised shape, deduplicated on (integration, dedup key):
    repeats update it and count as duplicates."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE,
                                    related_name="alerts")
    group = models.ForeignKey(AlertGroup, on_delete=models.CASCADE, related_name="alerts")
    dedup_key = FreeCharField(max_length=512)
    source = FreeCharField(max_length=200, blank=True)
    status = models.CharField(max_length=15, choices=AlertStatus.choices)
    severity = models.CharField(max_length=10, choices=AlertSeverity.choices)
    source_severity = FreeCharField(max_length=60, blank=True)
    title = FreeCharField(max_length=300)
    description = FreeTextField(blank=True)
    labels = models.JSONField(default=dict, blank=True)
    links = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # Payloads that named this alert (the first included): duplicates = occurrences - 1.
    occurrences = models.PositiveIntegerField(default=1)
    is_test = models.BooleanField(default=False)

    history = History(excluded_fields=["occurrences", "last_seen_at"])

    class Meta:
        ordering = ["-last_seen_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["integration", "dedup_key"],
                                               name="alert_unique_dedup_key")]
        indexes = [models.Index(fields=["status", "-last_seen_at"], name="alert_status_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("integrations:alert", args=[self.pk])

    @property
    def incident(self):
        return self.group.incident
