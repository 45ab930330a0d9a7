from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from ..audit import History
from ..fields import FreeCharField, FreeTextField


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Gave up"
    NOT_NEEDED = "not_needed", "No email (in-app only or no address)"


class Notification(models.Model):
    """An item in a person's "my work" list; also sent by email when it matters.

    The row is the email's outbox entry too: ``email_status`` and
    ``email_next_attempt_at`` are the truth about whether it still has to go out, so
    a broker or worker lost between commit and sending delays mail but never drops it
    (``core.notifications.email_outbox_send``, swept by beat).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = FreeCharField(max_length=200)
    body = FreeTextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=12, choices=EmailStatus.choices,
                                    default=EmailStatus.NOT_NEEDED)
    # When the outbox should (re)try: set while pending, pushed forward while a sender
    # holds it (its lease) and after a failure (backoff); NULL once nothing is left.
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_last_error = FreeCharField(max_length=500, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # What the notice is about (an SLA clock, a tier change…): when that thing is done
    # (the clock stopped, the change acknowledged) the notice resolves itself.
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Hidden from "My work" until then (the person's own choice; audited).
    snoozed_until = models.DateTimeField(null=True, blank=True)

    # Only snoozes are saved one by one (with who and why); reads are bookkeeping.
    history = History(excluded_fields=["email_status", "email_next_attempt_at",
                                       "email_attempts", "email_last_error", "emailed_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # The outbox sweep reads only what is due, whatever the table's size.
            models.Index(fields=["email_next_attempt_at", "id"], name="notification_outbox_idx",
                         condition=Q(email_next_attempt_at__isnull=False)),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject_idx",
                         condition=Q(resolved_at__isnull=True)),
        ]

    def __str__(self):
        return self.title
