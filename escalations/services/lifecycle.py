"""The escalation lifecycle: open, triage, contain, await the customer, resolve,
review, close, reopen, withdraw. Each service locks the row, runs the transition
declared on the model, audits, writes the timeline and moves the clocks."""
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import work_items
from core.audit import save_with_audit
from core.choices import ClockState
from core.clocks import (
    clock_pause,
    clock_restart,
    clock_resume,
    clock_start,
    clocks_of,
)
from core.hooks import announce_change
from core.notifications import notify
from core.references import allocate_reference
from core.timeline import STATE_CHANGED, state_changed
from core.transitions import lock, perform_transition
from core.validation import check_plausible

from .. import timeline_events
from ..choices import EscalationState, EscalationTimelineKind
from ..clock_kinds import (
    CONTAINMENT_CLOCK,
    FIRST_RESPONSE_CLOCK,
    KINDS,
    RESOLUTION_CLOCK,
    UPDATE_CLOCK,
)
from ..models import (
    Customer,
    Escalation,
    EscalationTimelineEvent,
)
from ._common import (
    _clocks,
    _display_name,
    _now,
    _redact,
    _required_reason,
    _stop_clocks,
    escalation_timeline_add,
)
from .policies import policy_for, rematch_policy
from .refusals import Refusal, forbidden, refuse
from .regulatory import regime_changed

# --- Escalations -------------------------------------------------------------------

# The clocks a transition stops (met or missed).
STOPS = {
    "contain": [FIRST_RESPONSE_CLOCK, CONTAINMENT_CLOCK],
    "resolve": list(KINDS),
    "withdraw": list(KINDS),
}
# The clocks a reopen starts again, as a new cycle.
RESTARTS = [CONTAINMENT_CLOCK, RESOLUTION_CLOCK]


@transaction.atomic
def escalation_create(*, by, customer: Customer, category, priority, summary, description="",
                      requested_outcome="", channel=None, owner=None, team=None,
                      regulatory_regime=None, received_at: datetime | None = None,
                      at: datetime | None = None) -> Escalation:
    """Open an escalation: it gets a reference, the first matching SLA policy is recorded
    and its clocks start on the policy's calendars; under a regulatory regime the
    final-response clock starts too. ``received_at`` (not in the future) back-dates
    the escalation to when the customer actually complained: the clocks count from
    then. Free text is PCI-redacted. All or nothing."""
    if not by.has_perm("escalations.add_escalation"):
        raise PermissionDenied("Your role cannot open escalations.")
    if not (summary or "").strip():
        raise ValidationError({"summary": "Give the escalation a one-line summary."})
    if customer.is_erased:
        raise ValidationError({"customer": "This customer was erased on request; open the "
                                           "escalation on their new account."})
    if regulatory_regime is not None and not regulatory_regime.active:
        raise ValidationError({"regulatory_regime": f"{regulatory_regime.name} is retired."})
    now = timezone.now()
    if received_at is not None:
        check_plausible(received_at=received_at)
    if received_at is not None and received_at > now:
        raise ValidationError({"received_at": "A complaint cannot be received in the future."})
    at = received_at or _now(at)
    masked = 0
    text = {}
    for name, value in (("summary", summary.strip()), ("description", description),
                        ("requested_outcome", requested_outcome)):
        text[name], found = _redact(value)
        masked += found
    policy = policy_for(priority=priority, customer_tier=customer.tier, category=category,
                        regulatory_regime=regulatory_regime)
    escalation = Escalation(
        customer=customer, channel=channel,
        category=category or "", priority=priority or "", owner=owner, team=team,
        policy=policy, policy_version=policy.version if policy else None,
        regulatory_regime=regulatory_regime, created_by=by, created_at=at, **text,
    )
    escalation.full_clean(exclude=["reference", "state"])
    # Numbered last, once the row is known to be valid (a refusal uses up no number).
    escalation.reference = allocate_reference(Escalation.objects, prefix="ESC", year=at.year)
    save_with_audit(escalation, by=by, reason="Created")
    escalation_timeline_add(
        escalation, EscalationTimelineKind.CREATED, event=timeline_events.CREATED,
        params={"by_name": _display_name(by), "summary": text["summary"],
                "policy": policy.name if policy else None,
                "policy_version": policy.version if policy else None},
        by=by, at=at, masked=masked)
    if policy:
        for kind, target in policy.targets().items():
            clock_start(owner=escalation, kind=kind, target=target, by=by, at=at,
                        calendar=policy.calendar_for(kind), pause_cap=policy.pause_cap,
                        pause_cap_unit=policy.pause_cap_unit)
    if regulatory_regime is not None:
        regime_changed(escalation, None, by=by, at=at)
    announce_change(escalation, by=by, created=True, at=at)
    return escalation


def _transition(escalation_id, name, *, by, reason, at=None, **fields):
    """Lock, set the fields the guard reads, transition, save with the reason."""
    escalation = lock(Escalation, escalation_id)
    for field_name, value in fields.items():
        setattr(escalation, field_name, value)
    perform_transition(escalation, name, by=by, reason=reason,
                       **({"at": at} if at is not None else {}))
    return escalation



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
    work_items.timeline_add(
        escalation, EscalationTimelineKind.TRANSITION, event=STATE_CHANGED,
        params=state_changed(escalation, "Triaged",
                             f"{escalation.priority} {escalation.get_category_display()}; "
                             f"owner {owner_name}.", owner=escalation.owner_id), by=by, at=at)
    rematch_policy(escalation, by=by, at=at)
    announce_change(escalation, by=by, at=at)
    return escalation


@transaction.atomic
def escalation_contain(*, escalation: Escalation, by, note, at=None) -> Escalation:
    """Contain: the customer was contacted and an interim remedy is in place. Stops the
    first-response and containment clocks."""
    at = _now(at)
    note, masked = _redact(note)
    escalation = _transition(escalation.pk, "contain", by=by, reason="Contained", at=at,
                             containment_note=note)
    work_items.timeline_add(escalation, EscalationTimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(escalation, "Contained", note),
                            by=by, at=at, masked=masked)
    _stop_clocks(escalation, STOPS["contain"], by=by, at=at)
    return escalation


@transaction.atomic
def escalation_await_customer(*, escalation: Escalation, by, reason, at=None) -> Escalation:
    """Wait for the customer: the clocks the policy names pause (with its pause cap)."""
    at = _now(at)
    reason, masked = _required_reason(reason)
    escalation = _transition(escalation.pk, "await_customer", by=by,
                             reason=f"Awaiting customer: {reason}")
    work_items.timeline_add(escalation, EscalationTimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(escalation, "Awaiting the customer", reason),
                            by=by, at=at, masked=masked)
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
    work_items.timeline_add(escalation, EscalationTimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(escalation, "Customer replied; back to "
                                                             f"{escalation.get_state_display()}"),
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
    work_items.timeline_add(escalation, EscalationTimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(escalation, "Resolved", resolution),
                            by=by, at=at, masked=masked)
    _stop_clocks(escalation, STOPS["resolve"], by=by, at=at)
    return escalation


@transaction.atomic
def escalation_start_review(*, escalation: Escalation, by, at=None) -> Escalation:
    """Start the root-cause review."""
    at = _now(at)
    escalation = _transition(escalation.pk, "start_review", by=by,
                             reason="Root-cause review started")
    work_items.timeline_add(escalation, EscalationTimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(escalation, "Root-cause review started"),
                            by=by, at=at)
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
    work_items.timeline_add(escalation, EscalationTimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(escalation, "Closed"), by=by, at=at,
                            masked=masked)
    announce_change(escalation, by=by, at=at)
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
    work_items.timeline_add(escalation, EscalationTimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(escalation, "Reopened", reason),
                            by=by, at=at, masked=masked)
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
    work_items.timeline_add(escalation, EscalationTimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(escalation, "Withdrawn by the customer",
                                                 reason), by=by, at=at, masked=masked)
    _stop_clocks(escalation, STOPS["withdraw"], by=by, at=at)
    announce_change(escalation, by=by, at=at)
    return escalation




# --- Edits and notes ------------------------------------------------------------------

# What escalation_edit may change; state, tier, clocks and compensation have their own
# services.
EDITABLE_FIELDS = ("summary", "description", "requested_outcome", "priority", "category",
                   "channel", "owner", "team", "regulatory_regime")
TEXT_FIELDS = ("summary", "description", "requested_outcome")
# Set at triage and needed from then on: an edit may change them, not clear them.
TRIAGE_FIELDS = ("priority", "category", "owner")
# Changing these may make another SLA policy match.
POLICY_CONDITIONS = ("priority", "category", "regulatory_regime")


def why_not_edit(user, escalation) -> Refusal | None:
    """Why ``user`` may not edit the escalation's details now (None: they may)."""
    if not user.has_perm("escalations.work_escalation", escalation):
        return forbidden("Your role cannot change escalations.")
    if escalation.is_finished:
        return Refusal(f"A {escalation.get_state_display().lower()} escalation cannot be "
                       "changed; reopen it first.")
    return None


def why_not_add_note(user, escalation) -> Refusal | None:
    """Why ``user`` may not add an internal note now (None: they may)."""
    if not user.has_perm("escalations.note_escalation", escalation):
        return forbidden("Your role cannot add notes to escalations.")
    return None


def why_not_update_customer(user, escalation) -> Refusal | None:
    """Why ``user`` may not log an update sent to the customer now (None: they may)."""
    refusal = why_not_add_note(user, escalation)
    if refusal is None and escalation.is_finished:
        return Refusal(f"The escalation is {escalation.get_state_display().lower()}: reopen "
                       "it before updating the customer.", field="customer_update")
    return refusal


@transaction.atomic
def escalation_edit(*, escalation: Escalation, by, at=None, **fields) -> Escalation:
    """Change the escalation's descriptive fields, owner, team, priority, category or
    regulatory regime. Free text is PCI-redacted; the audit reason lists the fields.
    A new owner is notified; a change that makes another SLA policy match applies it;
    a new regime starts its final-response clock."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be edited here." for name in unknown})
    at = _now(at)
    escalation = lock(Escalation, escalation.pk)
    refuse(why_not_edit(by, escalation))
    before = {name: getattr(escalation, name) for name in EDITABLE_FIELDS}
    changed, masked = [], 0
    for name, value in fields.items():
        if name in TEXT_FIELDS:
            value, found = _redact(value.strip() if name == "summary" else value)
            masked += found
        if name in ("priority", "category") and value is None:
            value = ""
        if getattr(escalation, name) != value:
            setattr(escalation, name, value)
            changed.append(name)
    if not changed:
        return escalation
    if "summary" in changed and not escalation.summary:
        raise ValidationError({"summary": "Give the escalation a one-line summary."})
    if escalation.state != EscalationState.NEW:
        for name in TRIAGE_FIELDS:
            if name in changed and not getattr(escalation, name):
                raise ValidationError({name: f"A triaged escalation needs its {name}; change "
                                             "it rather than clear it."})
    regime = escalation.regulatory_regime
    if "regulatory_regime" in changed and regime is not None and not regime.active:
        raise ValidationError({"regulatory_regime": f"{regime.name} is retired."})
    escalation.full_clean(exclude=["reference", "state"])
    save_with_audit(escalation, by=by, reason=f"Edited: {', '.join(sorted(changed))}")
    escalation_timeline_add(escalation, EscalationTimelineKind.EDIT,
                            event=timeline_events.EDITED,
                            params={"changes": _edit_changes(escalation, before, changed)},
                            by=by, at=at, masked=masked)
    if "owner" in changed and escalation.owner_id and escalation.owner_id != by.pk:
        notify([escalation.owner], title=f"{escalation.reference} is assigned to you",
               body=escalation.summary, url=escalation.get_absolute_url())
    if "regulatory_regime" in changed:
        regime_changed(escalation, before["regulatory_regime"], by=by, at=at)
    if set(changed) & set(POLICY_CONDITIONS):
        rematch_policy(escalation, by=by, at=at)
    announce_change(escalation, by=by, at=at)
    return escalation


def _plain(value):
    """A field's value as a timeline parameter (JSON): numbers and None as they are,
    anything else (a choice, a related object, a date) as it reads."""
    return value if value is None or isinstance(value, bool | int | float) else str(value)


def _edit_changes(escalation, before, changed) -> list[dict]:
    """``[{field: priority, old: P3, new: P1}, {field: description}]``: free text by name
    only (the timeline is no place to repeat a whole description)."""
    changes = []
    for name in sorted(changed):
        if name in ("description", "requested_outcome"):
            changes.append({"field": name})
            continue
        old, new = before[name], getattr(escalation, name)
        if name in ("owner",):
            old, new = (_display_name(u) if u else "nobody" for u in (old, new))
        changes.append({"field": name, "old": _plain(old), "new": _plain(new)})
    return changes


@transaction.atomic
def escalation_add_note(*, escalation: Escalation, by, text, customer_update=False,
                        at=None) -> EscalationTimelineEvent:
    """Add an internal note, or log an update sent to the customer. A customer update
    is the first response if none was given yet (that clock stops), and starts the
    next cycle of the update-cadence clock. Card numbers are masked."""
    refuse(why_not_add_note(by, escalation))
    at = _now(at)
    if not (text or "").strip():
        raise ValidationError({"text": "Write the note."})
    escalation = lock(Escalation, escalation.pk)
    if not customer_update:
        return escalation_timeline_add(escalation, EscalationTimelineKind.NOTE, text.strip(),
                                       by=by, at=at)
    refuse(why_not_update_customer(by, escalation))
    event = escalation_timeline_add(escalation, EscalationTimelineKind.CUSTOMER_UPDATE,
                                    event=timeline_events.CUSTOMER_UPDATED,
                                    params={"message": text.strip()}, by=by, at=at)
    _stop_clocks(escalation, [FIRST_RESPONSE_CLOCK], by=by, at=at)
    for clock in _clocks(escalation, [UPDATE_CLOCK]):
        new = clock_restart(clock=clock, by=by, reason="Customer updated", at=at)
        pausing = escalation.policy.pause_in_awaiting_customer if escalation.policy else []
        if escalation.state == EscalationState.AWAITING_CUSTOMER and UPDATE_CLOCK in pausing:
            clock_pause(clock=new, reason="Awaiting customer", by=by, at=at)
    return event
