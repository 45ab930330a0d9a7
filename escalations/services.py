"""Customer and escalation use cases. Web views, API actions, the admin and the demo
all call these.

Writes are audited with a reason (``core.audit``); free-text notes are PCI-redacted
on input. Personal data is exportable and erasable on request by roles holding
``escalations.erase_customer`` (managers); erasure replaces it with a tombstone in
the current row *and* in every history row, because an audit trail that still holds
the name would defeat the erasure.
"""

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import save_with_audit, system_user
from core.choices import ClockState, Role
from core.clocks import (
    clock_pause,
    clock_restart,
    clock_resume,
    clock_start,
    clock_stop,
    clocks_of,
)
from core.models import Team
from core.notifications import notify
from core.pci import redact_card_numbers
from core.transitions import lock, perform_transition

from .choices import OPEN_STATES, EscalationState, EscalationTimelineKind, Tier
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
    TierChange,
    TierDirection,
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



# --- Tier ladder ---------------------------------------------------------------------
#
# L1 frontline → L2 escalation desk → L3 specialist/management → L4 executive. Going up
# is an action with a reason; a lead of the receiving tier must acknowledge it. Until
# they do, the renotify sweep (beat, every minute) reminds the leads every tier window
# (``ESCALATION_TIER_ACK_MINUTES``); after ``ESCALATION_TIER_NOTIFY_ATTEMPTS``
# notifications it tells the tier above (the managers above L4) once and stops.

logger = logging.getLogger(__name__)

LADDER = [Tier.L1, Tier.L2, Tier.L3, Tier.L4]


def _display_name(user):
    return user.get_full_name() or user.username


def _tier_label(tier):
    return Tier(tier).label


def tier_ack_window(tier) -> timedelta:
    """How long the leads of ``tier`` have to acknowledge before a reminder."""
    return timedelta(minutes=settings.ESCALATION_TIER_ACK_MINUTES.get(str(tier), 30))


def _managers():
    return get_user_model().objects.filter(groups__name=Role.MANAGER, is_active=True)


def tier_leads(tier) -> list:
    """The people who lead ``tier``: the active members (and lead) of the team named in
    ``ESCALATION_TIER_TEAMS``; the managers when that team is missing or empty."""
    slug = settings.ESCALATION_TIER_TEAMS.get(str(tier))
    team = Team.objects.filter(slug=slug).select_related("lead").first() if slug else None
    people = {}
    if team is not None:
        if team.lead_id and team.lead.is_active:
            people[team.lead_id] = team.lead
        for member in team.members.filter(is_active=True):
            people[member.pk] = member
    if not people:
        people = {user.pk: user for user in _managers()}
    return list(people.values())


def can_acknowledge_tier(user, tier) -> bool:
    """A lead of the receiving tier or a manager."""
    if not user.is_active:
        return False
    if user.groups.filter(name=Role.MANAGER).exists():
        return True
    return any(lead.pk == user.pk for lead in tier_leads(tier))


def _tier_notify(people, tier_change, *, title, body=""):
    escalation = tier_change.escalation
    # The escalation page may not exist yet; link to it when it does.
    url = escalation.get_absolute_url() if hasattr(escalation, "get_absolute_url") else ""
    notify(people, title=title, body=body, url=url)


def _stop_pending_tier_changes(escalation, *, by, reason):
    """A newer tier change supersedes older unacknowledged ones: stop reminding."""
    for change in TierChange.objects.filter(escalation=escalation,
                                            next_notify_at__isnull=False):
        change.next_notify_at = None
        save_with_audit(change, by=by, reason=reason)


def _check_tier_change(escalation, by, *, automatic):
    if not automatic and not by.has_perm("escalations.change_escalation"):
        raise PermissionDenied("Your role cannot change an escalation's tier.")
    if escalation.state not in OPEN_STATES:
        raise ValidationError({"tier": f"The tier of a {escalation.get_state_display().lower()} "
                                       "escalation cannot change."})


@transaction.atomic
def escalation_escalate_tier(*, escalation: Escalation, by, reason, automatic=False,
                             at=None) -> TierChange:
    """Move the escalation one tier up (L1 → L2 → L3 → L4) with a reason. The receiving
    tier's leads are notified and must acknowledge (``tier_change_acknowledge``)."""
    at = _now(at)
    reason, masked = _required_reason(reason)
    escalation = lock(Escalation, escalation.pk)
    _check_tier_change(escalation, by, automatic=automatic)
    index = LADDER.index(escalation.tier)
    if index == len(LADDER) - 1:
        raise ValidationError({"tier": "This escalation is already at L4 (executive), the "
                                       "top of the ladder; it cannot be escalated further."})
    from_tier, to_tier = escalation.tier, LADDER[index + 1]
    _stop_pending_tier_changes(escalation, by=by,
                               reason=f"Superseded by escalation to {to_tier}")
    escalation.tier = to_tier
    how = "Escalated automatically" if automatic else "Escalated"
    save_with_audit(escalation, by=by, reason=f"{how} {from_tier} → {to_tier}: {reason}")
    change = TierChange(
        escalation=escalation, from_tier=from_tier, to_tier=to_tier,
        direction=TierDirection.UP, reason=reason, requested_by=by, requested_at=at,
        automatic=automatic, notify_attempts=1, next_notify_at=at + tier_ack_window(to_tier),
    )
    save_with_audit(change, by=by, reason=f"{how}: {reason}")
    who = "the system" if automatic else _display_name(by)
    escalation_timeline_add(
        escalation, EscalationTimelineKind.TRANSITION,
        f"{how} to {_tier_label(to_tier)} by {who}: {reason}. Waiting for the "
        f"{to_tier} lead to acknowledge.", by=by, at=at, masked=masked)
    _tier_notify(tier_leads(to_tier), change,
                 title=f"{escalation.reference} escalated to {to_tier}: please acknowledge",
                 body=f"{escalation.summary}\n\nReason: {reason}")
    return change


@transaction.atomic
def escalation_deescalate_tier(*, escalation: Escalation, by, reason, at=None) -> TierChange:
    """Move the escalation one tier down with a reason (no acknowledgement needed)."""
    at = _now(at)
    reason, masked = _required_reason(reason)
    escalation = lock(Escalation, escalation.pk)
    _check_tier_change(escalation, by, automatic=False)
    index = LADDER.index(escalation.tier)
    if index == 0:
        raise ValidationError({"tier": "This escalation is at L1 (frontline), the bottom of "
                                       "the ladder; it cannot be de-escalated."})
    from_tier, to_tier = escalation.tier, LADDER[index - 1]
    _stop_pending_tier_changes(escalation, by=by,
                               reason=f"Superseded by de-escalation to {to_tier}")
    escalation.tier = to_tier
    save_with_audit(escalation, by=by, reason=f"De-escalated {from_tier} → {to_tier}: {reason}")
    change = TierChange(
        escalation=escalation, from_tier=from_tier, to_tier=to_tier,
        direction=TierDirection.DOWN, reason=reason, requested_by=by, requested_at=at,
    )
    save_with_audit(change, by=by, reason=f"De-escalated: {reason}")
    escalation_timeline_add(
        escalation, EscalationTimelineKind.TRANSITION,
        f"De-escalated to {_tier_label(to_tier)} by {_display_name(by)}: {reason}.",
        by=by, at=at, masked=masked)
    return change


@transaction.atomic
def tier_change_acknowledge(*, tier_change: TierChange, by, at=None) -> TierChange:
    """A lead of the receiving tier (or a manager) takes the escalation; once."""
    at = _now(at)
    change = lock(TierChange, tier_change.pk)
    if change.direction != TierDirection.UP:
        raise ValidationError({"tier_change": "Only an escalation up is acknowledged."})
    if not can_acknowledge_tier(by, change.to_tier):
        raise PermissionDenied(f"Only a lead of {change.to_tier} or a manager can "
                               "acknowledge this escalation.")
    if change.is_acknowledged:
        raise ValidationError({"tier_change": (
            f"Already acknowledged by {_display_name(change.acknowledged_by)} on "
            f"{change.acknowledged_at:%d %b %Y %H:%M} UTC.")})
    change.acknowledged_by = by
    change.acknowledged_at = at
    change.next_notify_at = None
    save_with_audit(change, by=by, reason=f"Acknowledged by the {change.to_tier} lead")
    escalation_timeline_add(
        change.escalation, EscalationTimelineKind.NOTE,
        f"{change.to_tier} escalation acknowledged by {_display_name(by)}.", by=by, at=at)
    return change


def _lock_due_tier_changes(pks, now):
    query = TierChange.objects.filter(pk__in=pks, next_notify_at__lte=now).select_related(
        "escalation").order_by("next_notify_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        query = query.select_for_update(skip_locked=True, of=("self",))
    return list(query)


def _renotify_one(change, now, actor):
    """Remind the receiving leads, or, attempts used up, tell the tier above once."""
    escalation = change.escalation
    if escalation.state not in OPEN_STATES:
        change.next_notify_at = None
        save_with_audit(change, by=actor, reason="Escalation no longer open: reminders stop")
        return "stopped"
    attempts = settings.ESCALATION_TIER_NOTIFY_ATTEMPTS
    if change.notify_attempts < attempts:
        change.notify_attempts += 1
        change.next_notify_at = now + tier_ack_window(change.to_tier)
        save_with_audit(change, by=actor,
                        reason=f"Not acknowledged: reminder {change.notify_attempts}/{attempts}")
        _tier_notify(tier_leads(change.to_tier), change,
                     title=f"Reminder: {escalation.reference} escalated to {change.to_tier} "
                           "is not acknowledged",
                     body=f"{escalation.summary}\n\nReason: {change.reason}")
        escalation_timeline_add(
            escalation, EscalationTimelineKind.NOTE,
            f"{change.to_tier} escalation not acknowledged: leads reminded "
            f"({change.notify_attempts}/{attempts}).", by=actor, at=now)
        return "renotified"
    index = LADDER.index(change.to_tier)
    above = LADDER[index + 1] if index + 1 < len(LADDER) else None
    people = tier_leads(above) if above else list(_managers())
    who = f"the {above} leads" if above else "the managers"
    change.escalated_further = True
    change.next_notify_at = None
    save_with_audit(change, by=actor, reason=f"Not acknowledged after {attempts} "
                                             f"notifications: {who} told")
    _tier_notify(people, change,
                 title=f"{escalation.reference}: {change.to_tier} did not acknowledge "
                       "the escalation",
                 body=f"Nobody at {change.to_tier} acknowledged after {attempts} "
                      f"notifications.\n\n{escalation.summary}\n\nReason: {change.reason}")
    escalation_timeline_add(
        escalation, EscalationTimelineKind.NOTE,
        f"{change.to_tier} escalation not acknowledged after {attempts} notifications: "
        f"{who} told.", by=actor, at=now)
    return "escalated"


def tier_changes_renotify(now=None, batch_size=500) -> dict:
    """The sweep for unacknowledged tier changes (beat, every minute).

    Like the SLA sweep: due rows are re-read locked (``SKIP LOCKED``) with the re-check
    that they are still due, and each row is one savepoint, so two sweepers never
    remind twice and a failing row stays due for the next run.
    """
    now = _now(now)
    actor = system_user()
    totals = {"renotified": 0, "escalated": 0, "stopped": 0, "failed": 0}
    pks = list(TierChange.objects.filter(next_notify_at__lte=now)
               .order_by("next_notify_at", "pk").values_list("pk", flat=True)[:batch_size])
    if not pks:
        return totals
    with transaction.atomic():
        for change in _lock_due_tier_changes(pks, now):
            try:
                with transaction.atomic():
                    totals[_renotify_one(change, now, actor)] += 1
            except Exception:
                logger.exception("Tier renotify failed on tier change %s", change.pk)
                totals["failed"] += 1
    return totals
