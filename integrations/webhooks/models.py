"""Outbound webhooks: subscriptions, the delivery outbox and its attempts, and the
customers who opted in to incident status updates by email.

A :class:`WebhookDelivery` row is written in the same transaction as the event it
carries (``core/events.py``), so the outbox holds exactly the events of changes that
committed; the row's ``next_attempt_at`` (indexed while set) is the truth about what
still has to go out, found by a sweep (``core.due_rows.claim_due``) whatever happened
to the task queued for it.
"""

import secrets
from base64 import b64encode

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.audit import History
from core.fields import FreeCharField, FreeTextField

from .choices import DeliveryStatus, EmailStatus, Preset

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + b64encode(secrets.token_bytes(32)).decode()


class WebhookSubscription(models.Model):
    """Where to send which events, and how to sign them."""

    name = FreeCharField(max_length=200)
    url = models.URLField(max_length=2000, verbose_name="URL")
    preset = models.CharField(max_length=10, choices=Preset.choices, default=Preset.GENERIC)
    event_types = models.JSONField(
        default=list, help_text="The event type codes sent (core/events.py).")
    # The signing secrets never enter the history (a history row is readable by
    # auditors); a rotation keeps the previous one valid for a grace period, during
    # which both sign every message (the spec's space-separated signatures).
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    disabled_reason = FreeCharField(max_length=500, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+",
                              help_text="Told when the subscription is disabled.")
    allow_private_addresses = models.BooleanField(
        default=False, help_text="Send to private network addresses (staff only): an "
                                 "internal receiver. Off, such addresses are refused.")
    # Failure bookkeeping for the automatic disable (services, not people, set these).
    consecutive_gave_up = models.PositiveIntegerField(default=0, editable=False)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = History(excluded_fields=["secret", "previous_secret"])

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("webhooks:subscription", args=[self.pk])

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell two apart, never enough to use."""
        return f"{SECRET_PREFIX}…{self.secret[-4:]}"


class WebhookDelivery(models.Model):
    """One event for one subscription: the outbox row and its log."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    # The webhook-id header: the same on every attempt and replay, so a receiver
    # can drop duplicates.
    event_id = models.CharField(max_length=40)
    event_type = models.CharField(max_length=60)
    payload = models.JSONField()
    is_test = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(
        default=0, help_text="Attempts in the current round (a replay starts a new round).")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    response_body = FreeTextField(blank=True)
    error = FreeCharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event_id"],
                                               name="webhook_delivery_once_per_event")]
        indexes = [
            # The outbox sweep's index: only the rows still to send have a due time.
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due_idx",
                         condition=Q(next_attempt_at__isnull=False)),
            models.Index(fields=["subscription", "-created_at"],
                         name="webhook_delivery_log_idx"),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.subscription_id} ({self.status})"

    def get_absolute_url(self):
        return reverse("webhooks:delivery", args=[self.pk])


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: what was sent and what came back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE,
                                 related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    url = models.URLField(max_length=2000)
    request_headers = models.JSONField(default=dict)
    request_body = FreeTextField()
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    response_body = FreeTextField(blank=True)
    error = FreeCharField(max_length=500, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"],
                                               name="webhook_attempt_number_once")]

    def __str__(self):
        return f"Attempt {self.number} of delivery {self.delivery_id}"


class CustomerUpdateOptIn(models.Model):
    """A customer who asked to receive our customer-facing incident status updates
    by email (at the customer's own address, which erasure clears)."""

    customer = models.OneToOneField("escalations.Customer", on_delete=models.CASCADE,
                                    related_name="status_update_opt_in")
    opted_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    opted_in_at = models.DateTimeField()
    note = FreeCharField(max_length=300, blank=True,
                         help_text="How the customer asked (call, email, portal).")

    history = History()

    class Meta:
        ordering = ["-opted_in_at"]

    def __str__(self):
        return f"Status updates for {self.customer}"


class CustomerUpdateEmail(models.Model):
    """A customer-facing status update emailed to one opted-in customer: the outbox
    row and the log. The address is read from the customer when sending, never
    copied here, so erasing the customer leaves no address behind."""

    status_update = models.ForeignKey("incidents.StatusUpdate", on_delete=models.CASCADE,
                                      related_name="+")
    customer = models.ForeignKey("escalations.Customer", on_delete=models.CASCADE,
                                 related_name="+")
    subject = FreeCharField(max_length=200)
    body = FreeTextField()
    status = models.CharField(max_length=10, choices=EmailStatus.choices,
                              default=EmailStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    error = FreeCharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["status_update", "customer"],
                                               name="customer_update_email_once")]
        indexes = [models.Index(fields=["next_attempt_at"], name="customer_email_due_idx",
                                condition=Q(next_attempt_at__isnull=False))]

    def __str__(self):
        return f"Status update {self.status_update_id} to {self.customer}"
