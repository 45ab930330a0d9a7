"""Customer and escalation use cases. Web views, API actions, the admin and the demo
all call these.

Writes are audited with a reason (``core.audit``); free-text notes are PCI-redacted
on input. Personal data is exportable and erasable on request by roles holding
``escalations.erase_customer`` (managers); erasure replaces it with a tombstone in
the current row *and* in every history row, because an audit trail that still holds
the name would defeat the erasure.
"""
import re
from decimal import Decimal

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import save_with_audit
from core.hooks import announce_change
from core.pci import redact_card_numbers
from core.timeline import scrub_timeline_params
from core.transitions import lock

from ..choices import EscalationTimelineKind
from ..models import (
    ERASED_REFERENCE_PREFIX,
    Customer,
    Escalation,
    EscalationTimelineEvent,
    TierChange,
)
from ..visibility import ERASE_PERMISSION, PERSONAL_FIELDS, customer_hidden_fields

CUSTOMER_EDITABLE_FIELDS = ["name", "account_reference", "tier", "annual_value", "email", "phone",
                   "address", "notes"]
# Free text an agent types, where a customer may have read out a card number.
REDACTED_FIELDS = ["notes"]
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _check_fields(fields, *, by):
    unknown = set(fields) - set(CUSTOMER_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})
    # Nobody overwrites what they may not see (a blind edit of a name or a value).
    hidden = sorted(set(fields) & customer_hidden_fields(by))
    if hidden:
        raise PermissionDenied(f"Your role cannot see or change: {', '.join(hidden)}.")


def _clean_value(name, value):
    if isinstance(value, str):
        value = value.strip() if name != "notes" else value
        if name in REDACTED_FIELDS:
            value = redact_card_numbers(value)[0]
    return value


def _validate(customer):
    if customer.account_reference.upper().startswith(ERASED_REFERENCE_PREFIX):
        raise ValidationError({"account_reference":
                               f"References starting {ERASED_REFERENCE_PREFIX} are kept for "
                               "erased customers."})
    customer.full_clean()


@transaction.atomic
def customer_create(*, by, **fields) -> Customer:
    """Add a customer. Notes are PCI-redacted; the history says who added it."""
    if not by.has_perm("escalations.add_customer"):
        raise PermissionDenied("Your role cannot add customers.")
    _check_fields(fields, by=by)
    customer = Customer(**{name: _clean_value(name, value) for name, value in fields.items()})
    _validate(customer)
    save_with_audit(customer, by=by, reason="Created")
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, by, **fields) -> Customer:
    """Change a customer's fields; the history reason lists the fields changed (never
    their values: the reason is read by roles that may not see personal data)."""
    if not by.has_perm("escalations.change_customer"):
        raise PermissionDenied("Your role cannot change customers.")
    _check_fields(fields, by=by)
    customer = lock(Customer, customer.pk)
    if customer.is_erased:
        raise ValidationError("This customer was erased on request; it cannot be edited.")
    changed = []
    for name, value in fields.items():
        value = _clean_value(name, value)
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    if not changed:
        return customer
    _validate(customer)
    save_with_audit(customer, by=by, reason=f"Edited: {', '.join(sorted(changed))}")
    if "tier" in changed:
        # A new tier may attach playbooks (e.g. the high-value complaint one) to the
        # customer's open escalations.
        for escalation in Escalation.objects.filter(customer=customer).exclude(
                state__in=("closed", "withdrawn")).select_related("customer"):
            announce_change(escalation, by=by)
    return customer


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _customer_fields(row) -> dict:
    return {name: _json_value(getattr(row, name)) for name in [
        "account_reference", "name", "tier", "annual_value", "email", "phone", "address",
        "notes", "erased_at", "created_at"]}


def customer_export(*, customer: Customer, by) -> dict:
    """Everything held about the customer, as a JSON-serialisable dict: the current
    fields and every history row (when, who, why, and the fields as they were)."""
    if not by.has_perm(ERASE_PERMISSION):
        raise PermissionDenied("Only managers export a customer's personal data.")
    from .customer_export import escalations_export

    customer = Customer.objects.get(pk=customer.pk)
    history = customer.history.select_related("history_user").order_by("history_date",
                                                                         "history_id")
    return {
        "exported_at": timezone.now().isoformat(),
        "exported_by": by.get_username(),
        "customer": {"id": customer.pk, **_customer_fields(customer)},
        "history": [
            {
                "at": row.history_date.isoformat(),
                "change": HISTORY_TYPES.get(row.history_type, row.history_type),
                "by": row.history_user.get_username() if row.history_user else None,
                "reason": row.history_change_reason or "",
                "fields": _customer_fields(row),
            }
            for row in history
        ],
        # Their escalations (with notes, timeline, tier changes, compensation, linked
        # incidents, history) and the notifications that name them.
        **escalations_export(customer),
    }


def erased_name(customer) -> str:
    return f"Erased customer #{customer.pk}"


def erased_reference(customer) -> str:
    return f"{ERASED_REFERENCE_PREFIX}{customer.pk}"


@transaction.atomic
def customer_erase(*, customer: Customer, by, reason: str) -> Customer:
    """Erase a customer's personal data on request, in the current row and in all of
    its history, and wherever escalation text repeats their name, email, phone or
    account reference; keep the operational facts (tier, value, dates). The erasure
    itself is a history entry with the reason, and holds no personal data."""
    if not by.has_perm(ERASE_PERMISSION):
        raise PermissionDenied("Only managers erase a customer's personal data.")
    reason = redact_card_numbers((reason or "").strip())[0]
    if not reason:
        raise ValidationError({"reason": "Say why the customer is erased (e.g. the request "
                                         "reference)."})
    customer = lock(Customer, customer.pk)
    if customer.is_erased:
        raise ValidationError(
            f"This customer was already erased on {customer.erased_at:%d %b %Y %H:%M} UTC.")
    # Every name, email, phone and reference the customer ever had, history included.
    identifiers = {value for row in [customer, *customer.history.all()]
                   for value in (row.name, row.email, row.phone, row.account_reference)}
    tombstone = {"name": erased_name(customer), "account_reference": erased_reference(customer),
                 **{name: "" for name in PERSONAL_FIELDS if name != "name"}}
    for name, value in tombstone.items():
        setattr(customer, name, value)
    customer.erased_at = timezone.now()
    save_with_audit(customer, by=by, reason=f"Erased on request: {reason}")
    # History is otherwise never rewritten; erasure is the one exception (the right to
    # erasure covers the audit trail). A queryset update reaches every row at once,
    # including the one just written, without creating new history.
    customer.history.update(**tombstone)
    # The admin's change log names the object by its str(), the account reference.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk),
    ).update(object_repr=tombstone["account_reference"])
    _scrub_escalations(customer, identifiers, by=by)
    _scrub_notifications(identifiers)
    return customer


# Free text on escalations (and what hangs off them) where an agent may have typed the
# customer's name, email, phone or account number.
ESCALATION_TEXT_FIELDS = ("summary", "description", "requested_outcome", "containment_note",
                          "resolution", "root_cause_review", "withdraw_reason",
                          "compensation_note", "regulatory_extension_reason")
ERASED_TEXT = "[erased]"


def _scrub_rows(queryset, fields, pattern):
    """Replace every identifier in ``fields`` of ``queryset``'s rows, in place: a
    queryset update writes no new history (the rows may *be* history)."""
    for row in queryset.only("pk", *fields).iterator():
        changes = {}
        for name in fields:
            value = getattr(row, name) or ""
            scrubbed = pattern.sub(ERASED_TEXT, value)
            if scrubbed != value:
                changes[name] = scrubbed
        if changes:
            queryset.model.objects.filter(pk=row.pk).update(**changes)


def _identifier_pattern(identifiers):
    identifiers = sorted({i.strip() for i in identifiers if len(i.strip()) >= 3}, key=len,
                         reverse=True)
    if not identifiers:
        return None, []
    return re.compile("|".join(re.escape(i) for i in identifiers), re.IGNORECASE), identifiers


def _scrub_notifications(identifiers):
    """Notifications that name the customer anywhere (not only those about their
    escalations): the export lists them, so erasure reaches them too."""
    from django.db.models import Q

    from core.models import Notification

    pattern, identifiers = _identifier_pattern(identifiers)
    if pattern is None:
        return
    named = Q(pk__in=[])
    for identifier in identifiers:
        named |= Q(title__icontains=identifier) | Q(body__icontains=identifier)
    _scrub_rows(Notification.objects.filter(named), ["title", "body"], pattern)


def _scrub_escalations(customer, identifiers, *, by):
    """Erase the customer's identifiers wherever escalation text repeats them: the
    escalations, their timelines, tier changes and notifications, and the history of
    each. The operational facts (states, times, tiers, amounts) stay."""
    from core.models import Notification, SlaClock, SlaClockEvent

    identifiers = sorted({i.strip() for i in identifiers if len(i.strip()) >= 3}, key=len,
                         reverse=True)
    escalations = Escalation.objects.filter(customer=customer)
    ids = list(escalations.values_list("pk", flat=True))
    if not ids:
        return
    if identifiers:
        pattern = re.compile("|".join(re.escape(i) for i in identifiers), re.IGNORECASE)
        # History rows carry the change reason too ("Escalated L1 → L2: <reason>").
        reason = ["history_change_reason"]
        _scrub_rows(escalations, ESCALATION_TEXT_FIELDS, pattern)
        _scrub_rows(Escalation.history.filter(id__in=ids), [*ESCALATION_TEXT_FIELDS, *reason],
                    pattern)
        for model in (EscalationTimelineEvent, TierChange):
            field = "text" if model is EscalationTimelineEvent else "reason"
            _scrub_rows(model.objects.filter(escalation_id__in=ids), [field], pattern)
            _scrub_rows(model.history.filter(escalation_id__in=ids), [field, *reason], pattern)
        # Typed timeline entries are worded from their params when drawn: erase there too.
        for rows in (EscalationTimelineEvent.objects, EscalationTimelineEvent.history):
            scrub_timeline_params(rows.filter(escalation_id__in=ids),
                                  lambda value: pattern.sub(ERASED_TEXT, value))
        # The clocks repeat pause reasons ("Awaiting customer: <reason>").
        clocks = SlaClock.objects.filter(content_type=ContentType.objects.get_for_model(
            Escalation), object_id__in=ids)
        clock_ids = list(clocks.values_list("pk", flat=True))
        _scrub_rows(clocks, ["pause_reason"], pattern)
        _scrub_rows(SlaClock.history.filter(id__in=clock_ids), ["pause_reason", *reason],
                    pattern)
        _scrub_rows(SlaClockEvent.objects.filter(clock_id__in=clock_ids), ["detail"], pattern)
        urls = [escalation.get_absolute_url() for escalation in escalations]
        _scrub_rows(Notification.objects.filter(url__in=urls), ["title", "body"], pattern)
    for escalation in escalations:
        EscalationTimelineEvent.objects.create(
            escalation=escalation, kind=EscalationTimelineKind.NOTE, at=timezone.now(),
            actor=by, text="The customer's personal data was erased on request.")

