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

Every email carries a one-click unsubscribe: a link to a page that needs no login
(its token is signed, so only the recipient of an email can use it) and the
RFC 8058 headers, with which a mail client's own "unsubscribe" button posts once and
is done. A GET only shows the page and its button — mail scanners fetch every link in
an email, and a GET that unsubscribed would unsubscribe customers who never clicked.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import save_with_audit, system_user
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
    _opt_out(customer, by=by, reason="Customer opted out")


def _opt_out(customer, *, by, reason) -> bool:
    """Delete the opt-in (its history keeps who and why) and drop the emails not sent
    yet; True if the customer was opted in."""
    found = False
    for opt_in in CustomerUpdateOptIn.objects.select_for_update().filter(customer=customer):
        opt_in._history_user, opt_in._change_reason = by, reason
        opt_in.delete()
        found = True
    CustomerUpdateEmail.objects.filter(customer=customer, status=EmailStatus.PENDING).update(
        status=EmailStatus.SKIPPED, next_attempt_at=None,
        error="Not sent: the customer opted out before it went.")
    return found


# --- Unsubscribing from an email --------------------------------------------------------

UNSUBSCRIBE_SALT = "webhooks.customer-unsubscribe"


class UnsubscribeLinkInvalid(Exception):
    """The link was altered, or signed by another installation's key."""


def unsubscribe_token(customer) -> str:
    """The customer's id, signed (not secret: it only says who; the signature says we
    wrote it). It does not expire: an old email's link must still work."""
    return signing.dumps(customer.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(customer) -> str:
    return (settings.SITE_URL.rstrip("/")
            + reverse("webhooks:unsubscribe", args=[unsubscribe_token(customer)]))


def customer_for_unsubscribe_token(token: str):
    from escalations.models import Customer

    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise UnsubscribeLinkInvalid from None
    customer = Customer.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if customer is None:
        raise UnsubscribeLinkInvalid
    return customer


@transaction.atomic
def customer_unsubscribe(*, token: str) -> bool:
    """The customer of a signed link stops receiving status updates (no login: the
    link came in their email). Idempotent: False when there was nothing to stop.
    Audited as the system acting on the customer's own request."""
    customer = customer_for_unsubscribe_token(token)
    return _opt_out(customer, by=system_user(),
                    reason="The customer unsubscribed with the link in a status update email")


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
    link = unsubscribe_url(customer)
    message = EmailMessage(
        subject=email.subject,
        body=redact_card_numbers(email.body)[0]
        + "\n\nYou receive these updates because you asked to. To stop them, open:\n"
        + link,
        to=[customer.email],
        # RFC 2369 and RFC 8058: the mail client's own one-click unsubscribe.
        headers={"List-Unsubscribe": f"<{link}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    try:
        message.send()
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
