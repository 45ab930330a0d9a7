"""Customer and escalation use cases. Web views, API actions, the admin and the demo
all call these.

Writes are audited with a reason (``core.audit``); free-text notes are PCI-redacted
on input. Personal data is exportable and erasable on request by roles holding
``escalations.erase_customer`` (managers); erasure replaces it with a tombstone in
the current row *and* in every history row, because an audit trail that still holds
the name would defeat the erasure.
"""

from datetime import datetime
from decimal import Decimal

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import save_with_audit
from core.choices import ClockState
from core.clocks import (
    clock_pause,
    clock_restart,
    clock_resume,
    clock_start,
    clock_stop,
    clocks_of,
)
from core.pci import redact_card_numbers
from core.transitions import lock, perform_transition

from .choices import EscalationState, EscalationTimelineKind
from .clock_kinds import (
    CONTAINMENT_CLOCK,
    FIRST_RESPONSE_CLOCK,
    KINDS,
    RESOLUTION_CLOCK,
)
from .models import (
    ERASED_REFERENCE_PREFIX,
    Customer,
    Escalation,
    EscalationSlaPolicy,
    EscalationTimelineEvent,
)
from .visibility import ERASE_PERMISSION, PERSONAL_FIELDS, customer_hidden_fields

EDITABLE_FIELDS = ["name", "account_reference", "tier", "annual_value", "email", "phone",
                   "address", "notes"]
# Free text an agent types, where a customer may have read out a card number.
REDACTED_FIELDS = ["notes"]
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _check_fields(fields, *, by):
    unknown = set(fields) - set(EDITABLE_FIELDS)
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
    }


def erased_name(customer) -> str:
    return f"Erased customer #{customer.pk}"


def erased_reference(customer) -> str:
    return f"{ERASED_REFERENCE_PREFIX}{customer.pk}"


@transaction.atomic
def customer_erase(*, customer: Customer, by, reason: str) -> Customer:
    """Erase a customer's personal data on request, in the current row and in all of
    its history; keep the operational facts (tier, value, dates). The erasure itself
    is a history entry with the reason, and holds no personal data."""
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
    return customer


# --- SLA policies ------------------------------------------------------------------


def policy_for(*, priority, customer_tier, category) -> EscalationSlaPolicy | None:
    """The first active policy (by ``order``) whose set conditions all match; an
    empty condition matches anything."""
    conditions = Q(active=True)
    for name, value in (("priority", priority), ("customer_tier", customer_tier),
                        ("category", category)):
        conditions &= Q(**{f"{name}__isnull": True}) | Q(**{name: value or None})
    return EscalationSlaPolicy.objects.filter(conditions).order_by("order").first()


# --- Escalations -------------------------------------------------------------------

# The clocks a transition stops (met or missed).
STOPS = {
    "contain": [FIRST_RESPONSE_CLOCK, CONTAINMENT_CLOCK],
    "resolve": list(KINDS),
    "withdraw": list(KINDS),
}
# The clocks a reopen starts again, as a new cycle.
RESTARTS = [CONTAINMENT_CLOCK, RESOLUTION_CLOCK]


def _now(at):
    return at or timezone.now()


def _redact(text):
    return redact_card_numbers(text or "")


def escalation_timeline_add(escalation, kind, text, *, by, at=None, masked=0):
    """Write a line people read on the escalation page (card numbers masked; the
    masking, here or in the fields the caller redacted, is noted too)."""
    text, found = _redact(text)
    event = EscalationTimelineEvent(escalation=escalation, kind=kind, at=_now(at), actor=by,
                                    text=text)
    save_with_audit(event, by=by, reason=f"Timeline: {event.get_kind_display()}")
    if masked + found:
        EscalationTimelineEvent.objects.create(
            escalation=escalation, kind=EscalationTimelineKind.NOTE, at=event.at, actor=None,
            text=f"{masked + found} card number(s) masked to the last four digits.",
        )
    return event


def _clocks(escalation, kinds=None, *, states=(ClockState.RUNNING, ClockState.PAUSED)):
    return [c for c in clocks_of(escalation)
            if c.state in states and (kinds is None or c.kind in kinds)]


def _stop_clocks(escalation, kinds, *, by, at):
    for clock in _clocks(escalation, kinds):
        clock_stop(clock=clock, by=by, at=at)


def _next_reference(year):
    prefix = f"ESC-{year}-"
    last = (Escalation.objects.filter(reference__startswith=prefix)
            .order_by("-reference").values_list("reference", flat=True).first())
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def escalation_create(*, by, customer: Customer, category, priority, summary, description="",
                      requested_outcome="", channel=None, owner=None, team=None,
                      at: datetime | None = None) -> Escalation:
    """Open an escalation: it gets a reference, the matching SLA policy is recorded and
    its clocks start on the policy's calendar. Free text is PCI-redacted."""
    if not by.has_perm("escalations.add_escalation"):
        raise PermissionDenied("Your role cannot open escalations.")
    if not (summary or "").strip():
        raise ValidationError({"summary": "Give the escalation a one-line summary."})
    at = _now(at)
    masked = 0
    text = {}
    for name, value in (("summary", summary.strip()), ("description", description),
                        ("requested_outcome", requested_outcome)):
        text[name], found = _redact(value)
        masked += found
    policy = policy_for(priority=priority, customer_tier=customer.tier, category=category)
    for attempt in range(5):
        try:
            with transaction.atomic():
                escalation = Escalation(
                    reference=_next_reference(at.year), customer=customer, channel=channel,
                    category=category or "", priority=priority or "", owner=owner, team=team,
                    policy=policy, created_by=by, created_at=at, **text,
                )
                escalation.full_clean(exclude=["reference", "state"])
                save_with_audit(escalation, by=by, reason="Created")
                break
        except IntegrityError:
            # Two escalations took the same reference number; take the next one.
            if attempt == 4:
                raise
    with transaction.atomic():
        applied = f"SLA policy: {policy.name}." if policy else "No SLA policy matched."
        escalation_timeline_add(
            escalation, EscalationTimelineKind.CREATED,
            f"Escalation opened by {by.get_full_name() or by.username}: {text['summary']}. "
            f"{applied}", by=by, at=at, masked=masked)
        if policy:
            for kind, target in policy.targets().items():
                clock_start(owner=escalation, kind=kind, target=target, by=by, at=at,
                            calendar=policy.calendar, pause_cap=policy.pause_cap)
    return escalation


def _transition(escalation_id, name, *, by, reason, at=None, **fields):
    """Lock, set the fields the guard reads, transition, save with the reason."""
    escalation = lock(Escalation, escalation_id)
    for field_name, value in fields.items():
        setattr(escalation, field_name, value)
    perform_transition(escalation, name, by=by, reason=reason,
                       **({"at": at} if at is not None else {}))
    return escalation


def _required_reason(reason, field="reason"):
    reason, masked = _redact((reason or "").strip())
    if not reason:
        raise ValidationError({field: "Give a reason."})
    return reason, masked


@transaction.atomic
def escalation_triage(*, escalation: Escalation, by, priority=None, owner=None, category=None,
                      at=None) -> Escalation:
    """Triage: needs priority, owner and category (set here or before)."""
    at = _now(at)
    fields = {name: value for name, value in
              (("priority", priority), ("owner", owner), ("category", category))
              if value is not None}
    escalation = _transition(escalation.pk, "triage", by=by, reason="Triaged", at=at, **fields)
    owner_name = escalation.owner.get_full_name() or escalation.owner.username
    escalation_timeline_add(
        escalation, EscalationTimelineKind.TRANSITION,
        f"Triaged: {escalation.priority} {escalation.get_category_display()}; owner "
        f"{owner_name}.", by=by, at=at)
    return escalation


@transaction.atomic
def escalation_contain(*, escalation: Escalation, by, note, at=None) -> Escalation:
    """Contain: the customer was contacted and an interim remedy is in place. Stops the
    first-response and containment clocks."""
    at = _now(at)
    note, masked = _redact(note)
    escalation = _transition(escalation.pk, "contain", by=by, reason="Contained", at=at,
                             containment_note=note)
    escalation_timeline_add(escalation, EscalationTimelineKind.TRANSITION,
                            f"Contained: {note}", by=by, at=at, masked=masked)
    _stop_clocks(escalation, STOPS["contain"], by=by, at=at)
    return escalation


@transaction.atomic
def escalation_await_customer(*, escalation: Escalation, by, reason, at=None) -> Escalation:
    """Wait for the customer: the clocks the policy names pause (with its pause cap)."""
    at = _now(at)
    reason, masked = _required_reason(reason)
    escalation = _transition(escalation.pk, "await_customer", by=by,
                             reason=f"Awaiting customer: {reason}")
    escalation_timeline_add(escalation, EscalationTimelineKind.TRANSITION,
                            f"Awaiting the customer: {reason}", by=by, at=at, masked=masked)
    pausing = escalation.policy.pause_in_awaiting_customer if escalation.policy else []
    for clock in _clocks(escalation, pausing, states=(ClockState.RUNNING,)):
        clock_pause(clock=clock, reason=f"Awaiting customer: {reason}", by=by, at=at)
    return escalation


@transaction.atomic
def escalation_customer_replied(*, escalation: Escalation, by, at=None) -> Escalation:
    """The customer replied: back to the state it came from; paused clocks resume."""
    at = _now(at)
    escalation = _transition(escalation.pk, "customer_replied", by=by,
                             reason="Customer replied")
    escalation_timeline_add(escalation, EscalationTimelineKind.TRANSITION,
                            f"Customer replied; back to {escalation.get_state_display()}.",
                            by=by, at=at)
    for clock in _clocks(escalation, states=(ClockState.PAUSED,)):
        clock_resume(clock=clock, by=by, at=at, detail="Customer replied")
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, by, resolution, at=None) -> Escalation:
    """Resolve: the resolution agreed with the customer. Stops every clock."""
    at = _now(at)
    resolution, masked = _redact(resolution)
    escalation = _transition(escalation.pk, "resolve", by=by, reason="Resolved", at=at,
                             resolution=resolution)
    escalation_timeline_add(escalation, EscalationTimelineKind.TRANSITION,
                            f"Resolved: {resolution}", by=by, at=at, masked=masked)
    _stop_clocks(escalation, STOPS["resolve"], by=by, at=at)
    return escalation


@transaction.atomic
def escalation_start_review(*, escalation: Escalation, by, at=None) -> Escalation:
    """Start the root-cause review."""
    at = _now(at)
    escalation = _transition(escalation.pk, "start_review", by=by,
                             reason="Root-cause review started")
    escalation_timeline_add(escalation, EscalationTimelineKind.TRANSITION,
                            "Root-cause review started.", by=by, at=at)
    return escalation


@transaction.atomic
def escalation_close(*, escalation: Escalation, by, root_cause_review=None,
                     at=None) -> Escalation:
    """Close: needs the root-cause review written."""
    at = _now(at)
    fields, masked = {}, 0
    if root_cause_review is not None:
        fields["root_cause_review"], masked = _redact(root_cause_review)
    escalation = _transition(escalation.pk, "close", by=by, reason="Closed", at=at, **fields)
    escalation_timeline_add(escalation, EscalationTimelineKind.TRANSITION, "Closed.", by=by,
                            at=at, masked=masked)
    return escalation


@transaction.atomic
def escalation_reopen(*, escalation: Escalation, by, reason, at=None) -> Escalation:
    """Reopen a resolved or closed escalation within the reopen window (settings
    ``ESCALATION_REOPEN_WINDOW_DAYS``, counted from resolution). The containment and
    resolution clocks start new cycles."""
    at = _now(at)
    reason, masked = _required_reason(reason)
    current = lock(Escalation, escalation.pk)
    deadline = current.reopen_deadline()
    if current.state in (EscalationState.RESOLVED, EscalationState.CLOSED) and (
            deadline is None or at > deadline):
        days = current.reopen_window().days
        raise ValidationError({"reopen_window": (
            f"Escalations can be reopened within {days} days of resolution; this one was "
            f"resolved on {current.resolved_at:%d %b %Y}. Open a new escalation instead.")})
    escalation = _transition(escalation.pk, "reopen", by=by, reason=f"Reopened: {reason}",
                             at=at)
    escalation_timeline_add(escalation, EscalationTimelineKind.TRANSITION,
                            f"Reopened: {reason}", by=by, at=at, masked=masked)
    latest = {}
    for clock in clocks_of(escalation):
        if clock.kind in RESTARTS and (clock.kind not in latest
                                       or clock.cycle > latest[clock.kind].cycle):
            latest[clock.kind] = clock
    for clock in latest.values():
        clock_restart(clock=clock, by=by, reason=f"Reopened: {reason}", at=at)
    return escalation


@transaction.atomic
def escalation_withdraw(*, escalation: Escalation, by, reason, at=None) -> Escalation:
    """The customer withdrew the escalation: every clock stops."""
    at = _now(at)
    reason, masked = _redact((reason or "").strip())
    escalation = _transition(escalation.pk, "withdraw", by=by, reason=f"Withdrawn: {reason}",
                             withdraw_reason=reason)
    escalation_timeline_add(escalation, EscalationTimelineKind.TRANSITION,
                            f"Withdrawn by the customer: {reason}", by=by, at=at,
                            masked=masked)
    _stop_clocks(escalation, STOPS["withdraw"], by=by, at=at)
    return escalation

