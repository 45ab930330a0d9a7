"""Telling people: the in-app "my work" list, and email through an outbox.

Email is an outbox, not a fire-and-forget task. Each notification row carries its
email state (``email_status``, ``email_next_attempt_at``, attempts, last error), so
the database row is the truth about what still has to go out:

* :func:`notify` writes the rows in the caller's transaction — a rolled-back action
  leaves no notification and no email behind — and, once committed, asks a worker to
  send them right away (a latency optimisation only, see :func:`enqueue_on_commit`);
* :func:`email_outbox_send` is what actually sends. Beat runs it every
  ``EMAIL_OUTBOX_INTERVAL_SECONDS``, so mail whose task was lost with a worker or a
  broker still goes out, late but once;
* a sender *claims* due rows for a lease (``core.due_rows.claim_due``) and sends
  outside any transaction — SMTP can take seconds and must not hold row locks. A
  sender that dies mid-way leaves its rows due again when the lease ends;
* success stamps ``emailed_at``; a failure records the error and retries with
  exponential backoff; after ``EMAIL_MAX_ATTEMPTS`` the row is marked failed and
  shows in the admin and the health report.

Mail is therefore delivered at least once; a duplicate needs the sender to die in
the instant between the mail server accepting a message and the stamp.
"""

import contextlib
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from .audit import save_with_audit
from .bulk import insert_objects, insert_rows
from .due_rows import claim_due
from .models import EmailStatus, Notification

logger = logging.getLogger(__name__)

# How long a sender owns claimed rows before another may retry them.
EMAIL_LEASE = timedelta(minutes=5)


def enqueue_on_commit(task, *args, **kwargs):
    """Queue ``task`` once the current transaction commits, never failing the caller.

    Celery's own ``delay_on_commit`` raises out of the commit hook when the broker
    is unreachable — after the data committed, so the request answered 500 and a
    retrying client created a duplicate. Everything queued this way has its truth in
    the database and a periodic sweep that finds it, so a failed publish is logged
    and left to the sweep.
    """

    def publish():
        try:
            task.delay(*args, **kwargs)
        except Exception:  # noqa: BLE001 - the sweep delivers it; the request must not fail
            logger.warning("Could not queue %s; the periodic sweep will pick it up.",
                           task.name, exc_info=True)

    transaction.on_commit(publish, robust=True)


def notify(recipients, *, title, body="", url="", email=True, subject=None):
    """Create a notification for each active recipient; email them through the outbox.

    ``subject`` is the thing the notice is about (an SLA clock, a tier change): once
    it is done, :func:`notifications_resolve` takes the notice off everyone's list.
    Returns the rows written (in the caller's transaction).
    """
    return notify_many([(recipients, title, body, url, subject)], email=email)


def notify_many(messages, *, email=True, rows=True):
    """:func:`notify` for many messages at once — ``(recipients, title, body, url,
    subject)`` each: one INSERT for every row and one email task (a burst of SLA
    breaches tells thousands of people in a few statements, never one task per
    notification). Returns the rows written, or with ``rows=False`` only their ids:
    the sweep's burst then builds no model instance per notification."""
    now = timezone.now()
    values = []
    for recipients, title, body, url, subject in messages:
        subject_type = (ContentType.objects.get_for_model(subject) if subject is not None
                        else None)
        for user in {u.pk: u for u in recipients if u.is_active}.values():
            wants_email = email and bool(user.email)
            values.append({
                "recipient": user, "title": title[:200], "body": body, "url": url[:500],
                "email_status": EmailStatus.PENDING if wants_email else EmailStatus.NOT_NEEDED,
                "email_next_attempt_at": now if wants_email else None,
                "subject_type": subject_type,
                "subject_id": subject.pk if subject is not None else None,
            })
    if not values:
        return []
    if rows:
        written = insert_objects(Notification, [Notification(**row) for row in values])
        ids = [row.pk for row in written]
    else:
        written = ids = insert_rows(Notification, list(values[0]), [
            (row["recipient"].pk, row["title"], row["body"], row["url"], row["email_status"],
             row["email_next_attempt_at"],
             row["subject_type"].pk if row["subject_type"] is not None else None,
             row["subject_id"]) for row in values], returning=True)
    pending = [pk for pk, row in zip(ids, values, strict=True)
               if row["email_status"] == EmailStatus.PENDING]
    if pending:
        _queue_emails(pending)
    return written


# While a sweep works through a chunk, the emails of every notification it writes
# are queued as one task when the chunk commits (see email_tasks_per_chunk).
_collecting = threading.local()


def _queue_emails(ids):
    collected = getattr(_collecting, "ids", None)
    if collected is not None:
        collected.extend(ids)
        return
    from .tasks import send_notification_emails

    enqueue_on_commit(send_notification_emails, ids)


@contextlib.contextmanager
def one_email_task():
    """Inside the block (a transaction: one sweep chunk), notifications' emails are
    gathered and queued as a single task after the transaction commits."""
    if getattr(_collecting, "ids", None) is not None:  # nested: the outer block queues
        yield
        return
    _collecting.ids = ids = []
    try:
        yield
    finally:
        _collecting.ids = None
    if ids:
        from .tasks import send_notification_emails

        enqueue_on_commit(send_notification_emails, ids)


def _backoff(attempts):
    """1, 2, 4 … minutes after each failure, at most an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def _send_one(notification):
    link = f"\n\n{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    send_mail(
        subject=f"[Switchboard] {notification.title}",
        message=f"{notification.body}{link}",
        from_email=None,
        recipient_list=[notification.recipient.email],
    )


def _record_failure(notification, exc, now):
    attempts = notification.email_attempts + 1
    gave_up = attempts >= settings.EMAIL_MAX_ATTEMPTS
    Notification.objects.filter(pk=notification.pk).update(
        email_attempts=attempts,
        email_last_error=f"{type(exc).__name__}: {exc}"[:500],
        email_status=EmailStatus.FAILED if gave_up else EmailStatus.PENDING,
        email_next_attempt_at=None if gave_up else now + _backoff(attempts),
    )
    log = logger.error if gave_up else logger.warning
    log("Email for notification %s failed (attempt %s%s): %s", notification.pk, attempts,
        ", giving up" if gave_up else "", exc)


def email_outbox_send(ids=None, *, now=None, limit=None):
    """Send the due emails (only those among ``ids`` when given). Returns counts."""
    now = now or timezone.now()
    limit = limit or settings.EMAIL_OUTBOX_BATCH_SIZE
    if ids is not None:
        ids = list(ids)
        limit = max(limit, len(ids))  # a chunk's task sends all of its rows in one pass
    totals = {"sent": 0, "failed": 0, "skipped": 0}
    while True:
        due = Notification.objects.filter(email_status=EmailStatus.PENDING)
        if ids is not None:
            due = due.filter(pk__in=ids)
        claimed = claim_due(due, due_field="email_next_attempt_at", now=now, limit=limit,
                            lease=EMAIL_LEASE)
        if not claimed:
            return totals
        for notification in Notification.objects.filter(pk__in=claimed).select_related(
                "recipient").order_by("pk"):
            if not notification.recipient.email or not notification.recipient.is_active:
                Notification.objects.filter(pk=notification.pk).update(
                    email_status=EmailStatus.NOT_NEEDED, email_next_attempt_at=None)
                totals["skipped"] += 1
                continue
            try:
                _send_one(notification)
            except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
                _record_failure(notification, exc, timezone.now())
                totals["failed"] += 1
                continue
            Notification.objects.filter(pk=notification.pk).update(
                email_status=EmailStatus.SENT, emailed_at=timezone.now(),
                email_next_attempt_at=None, email_attempts=notification.email_attempts + 1)
            totals["sent"] += 1
        if ids is not None:
            return totals  # one pass over the rows asked for; the sweep does the rest


def email_retry(ids):
    """Give failed (or waiting) emails a fresh set of attempts, due now; returns how many."""
    return Notification.objects.filter(
        pk__in=list(ids), email_status__in=[EmailStatus.FAILED, EmailStatus.PENDING]
    ).update(email_status=EmailStatus.PENDING, email_attempts=0,
             email_next_attempt_at=timezone.now())


def email_outbox_status(now=None):
    """``{"pending": n, "overdue": n, "failed": n}`` for the health report and admin."""
    now = now or timezone.now()
    late = now - timedelta(minutes=15)
    return Notification.objects.filter(
        email_status__in=[EmailStatus.PENDING, EmailStatus.FAILED]
    ).aggregate(
        pending=Count("pk", filter=Q(email_status=EmailStatus.PENDING)),
        overdue=Count("pk", filter=Q(email_status=EmailStatus.PENDING, created_at__lt=late)),
        failed=Count("pk", filter=Q(email_status=EmailStatus.FAILED)),
    )


def notifications_resolve(subject, *, at=None) -> int:
    """The thing ``subject`` is done (a clock stopped, a tier change acknowledged): its
    notices resolve themselves — read, off "My work", and an email not sent yet is
    no longer needed. Bookkeeping on the notices, not an audited change (the change
    that resolved them is audited on its own object). Returns how many."""
    at = at or timezone.now()
    notices = Notification.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
        resolved_at__isnull=True)
    notices.filter(email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.NOT_NEEDED, email_next_attempt_at=None)
    notices.filter(read_at__isnull=True).update(read_at=at)
    return notices.update(resolved_at=at)


def live_notices(user, now=None):
    """``user``'s notices still to look at: neither resolved nor snoozed."""
    now = now or timezone.now()
    return (Notification.objects.filter(recipient=user, resolved_at__isnull=True)
            .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)))


def notifications_mark_read(*, user, now=None) -> int:
    """Mark every live notice of ``user`` read (bookkeeping on their own inbox)."""
    now = now or timezone.now()
    return live_notices(user, now).filter(read_at__isnull=True).update(read_at=now)


# A snooze is a person deferring work: bounded, so nothing is hidden for good.
MAX_SNOOZE = timedelta(days=30)


def notification_snooze(*, notification: Notification, by, until, now=None) -> Notification:
    """Hide ``notification`` from its recipient's "My work" until ``until`` (audited:
    who deferred what, and until when)."""
    now = now or timezone.now()
    if notification.recipient_id != by.pk:
        raise ValidationError({"notification": "Only its recipient may snooze a notice."})
    if until is None or until <= now:
        raise ValidationError({"until": "Snooze until a time in the future."})
    if until > now + MAX_SNOOZE:
        raise ValidationError({"until": "Snooze for at most 30 days."})
    notification.snoozed_until = until
    save_with_audit(notification, by=by,
                    reason=f"Snoozed until {timezone.localtime(until):%Y-%m-%d %H:%M %Z}")
    return notification


def unread_count(user):
    return live_notices(user).filter(read_at__isnull=True).count()
