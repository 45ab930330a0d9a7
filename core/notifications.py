"""Telling people: the in-app "my work" list, and email after the transaction commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notification


def notify(recipients, *, title, body="", url="", email=True):
    """Create a notification for each active recipient; email them once committed.

    The rows are written in the caller's transaction, so a rolled-back action
    leaves no notification behind; the email task runs only after commit and
    skips rows already emailed, so a retried task does not send twice.
    """
    rows = Notification.objects.bulk_create(
        Notification(recipient=user, title=title[:200], body=body, url=url[:500])
        for user in {u.pk: u for u in recipients if u.is_active}.values()
    )
    if email and rows:
        from .tasks import send_notification_emails

        send_notification_emails.delay_on_commit([row.pk for row in rows])
    return rows


def send_notification_email(notification_id):
    """Email one notification unless it was already sent (safe to run twice)."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if not notification.recipient.email:
        return False
    link = f"\n\n{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    send_mail(
        subject=f"[Switchboard] {notification.title}",
        message=f"{notification.body}{link}",
        from_email=None,
        recipient_list=[notification.recipient.email],
    )
    return True


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
