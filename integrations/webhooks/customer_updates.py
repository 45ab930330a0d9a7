"""Customer-facing status updates, emailed to the customers who opted in.

When a *customer-facing* status update is posted on an incident, each customer of an
escalation linked to that incident who opted in (:class:`CustomerUpdateOptIn`) gets
it by email. Like the notification outbox (``core/notifications.py``), each email is
a row written in the update's own transaction, claimed and sent outside any lock,
retried with backoff, and kept as the log of what each customer was told.

The body is the update as posted — already card-number masked by the incident
service — and masked once more on the way out, so nothing written by another path
can carry a card number to a customer. The address is the customer's own, read at
sending time: an erased customer has none and is skipped.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.audit import save_with_audit
from core.due_rows import claim_due
from core.notifications import enqueue_on_commit
from core.pci import redact_card_numbers

from .choices import EmailStatus
from .models import CustomerUpdateEmail, CustomerUpdateOptIn

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
CUSTOMER_AUDIENCE = "customer"  # incidents.choices.Audience.CUSTOMER


@transaction.atomic
def customer_opt_in(*, customer, by, note="") -> CustomerUpdateOptIn:
    """Record that ``customer`` asked for incident status updates by email."""
    if not by.has_perm("webhooks.manage_customer_updates"):
        raise PermissionDenied("Your role cannot change a customer's email preferences.")
    if customer.is_erased:
        raise ValidationError({"customer": "This customer was erased on request."})
    if not customer.email:
        raise ValidationError({"customer": "The customer has no email address on record."})
    existing = CustomerUpdateOptIn.objects.filter(customer=customer).first()
    if existing:
        return existing
    opt_in = CustomerUpdateOptIn(customer=customer, opted_in_by=by,
                                 opted_in_at=timezone.now(), note=note or "")
    save_with_audit(opt_in, by=by, reason="Customer opted in to status updates by email")
    return opt_in


@transaction.atomic
def customer_opt_out(*, customer, by) -> None:
    if not by.has_perm("webhooks.manage_customer_updates"):
        raise PermissionDenied("Your role cannot change a customer's email preferences.")
    for opt_in in CustomerUpdateOptIn.objects.filter(customer=customer):
        opt_in._history_user, opt_in._change_reason = by, "Customer opted out"
        opt_in.delete()


def emails_for_status_update(update) -> list[CustomerUpdateEmail]:
    """The email rows for a just-posted customer-facing update (the caller's
    transaction), queued once it commits."""
    from escalations.models import Customer

    if update.audience != CUSTOMER_AUDIENCE:
        return []
    customers = Customer.objects.filter(
        escalations__incident_links__incident=update.incident,
        status_update_opt_in__isnull=False, erased_at__isnull=True,
    ).exclude(email="").distinct()
    incident = update.incident
    now = timezone.now()
    rows = CustomerUpdateEmail.objects.bulk_create([
        CustomerUpdateEmail(
            status_update=update, customer=customer, created_at=now, next_attempt_at=now,
            subject=f"Service update: {incident.title}"[:200],
            body=redact_card_numbers(update.body)[0])
        for customer in customers], ignore_conflicts=True)
    if rows:
        from .tasks import send_customer_update_emails

        enqueue_on_commit(send_customer_update_emails)
    return rows


def _backoff(attempts):
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def customer_emails_send(*, now=None, limit=100) -> dict:
    """Send the due customer emails; returns counts."""
    totals = {"sent": 0, "failed": 0, "skipped": 0}
    while True:
        claimed = claim_due(CustomerUpdateEmail.objects.all(), due_field="next_attempt_at",
                            now=now or timezone.now(), limit=limit, lease=LEASE)
        for email in CustomerUpdateEmail.objects.filter(pk__in=claimed).select_related(
                "customer").order_by("pk"):
            totals[_send_one(email)] += 1
        if len(claimed) < limit:
            return totals


def _send_one(email) -> str:
    rows = CustomerUpdateEmail.objects.filter(pk=email.pk)
    customer = email.customer
    if customer.is_erased or not customer.email:
        rows.update(status=EmailStatus.SKIPPED, next_attempt_at=None,
                    error="No address: the customer was erased or has no email.")
        return "skipped"
    try:
        send_mail(subject=email.subject,
                  message=redact_card_numbers(email.body)[0]
                  + "\n\nYou receive these updates because you asked to. Reply to stop.",
                  from_email=None, recipient_list=[customer.email])
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        attempts = email.attempts + 1
        gave_up = attempts >= settings.EMAIL_MAX_ATTEMPTS
        rows.update(attempts=attempts, error=f"{type(exc).__name__}: {exc}"[:500],
                    status=EmailStatus.FAILED if gave_up else EmailStatus.PENDING,
                    next_attempt_at=None if gave_up else timezone.now() + _backoff(attempts))
        return "failed"
    rows.update(status=EmailStatus.SENT, sent_at=timezone.now(), next_attempt_at=None,
                attempts=email.attempts + 1, error="")
    return "sent"
