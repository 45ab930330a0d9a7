from django.conf import settings
from django.db import models
from django.db.models import Q

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

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # The outbox sweep reads only what is due, whatever the table's size.
            models.Index(fields=["email_next_attempt_at", "id"], name="notification_outbox_idx",
                         condition=Q(email_next_attempt_at__isnull=False)),
        ]

    def __str__(self):
        return self.title
