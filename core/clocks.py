"""The SLA clock engine: kinds, services and read helpers.

Apps register the kinds of clock they use (``register_clock_kind``) with the
actions to run at each warning threshold and at the breach; the core action
:func:`notify_owner_and_team` tells the owner's people by email and in-app.

An owning object (an incident, an escalation…) may implement two optional hooks:

* ``sla_recipients(clock) -> iterable of users`` — who is told about warnings
  and breaches (the owner and the team);
* ``sla_clock_event(*, clock, event)`` — write the event on its timeline.

Every change goes through a service here, inside a transaction, with the row
locked; the sweep (``core/sweep.py``) fires warnings and breaches exactly once.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import business_time
from .audit import save_with_audit
from .calendars import EngineCache
from .choices import ClockEventKind, ClockOutcome, ClockState, ClockStatus, PauseCapUnit
from .models import BusinessCalendar, SlaClock, SlaClockEvent
from .models.clocks import ACTIVE_CLOCK_STATES
from .transitions import lock, perform_transition

logger = logging.getLogger(__name__)

# --- Kinds and actions ---------------------------------------------------------

ClockAction = Callable[[SlaClock, SlaClockEvent], None]


def _sla_message_parts(clock):
    """What a clock's notices share, whatever fired: ``(kind label, owner label, body,
    url)`` — a burst's three notices per clock read the owner and reverse its URL once."""
    owner = clock.owner
    kind = clock_kind(clock.kind)
    # An owner that is part of something bigger (a playbook step) names it itself,
    # with the incident's or escalation's reference.
    label = owner.notice_label() if hasattr(owner, "notice_label") else str(owner)
    due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M %Z") if clock.due_at else "—"
    body = f"Due {due}. Target {format_duration(clock.target)} of business time."
    url = owner.get_absolute_url() if hasattr(owner, "get_absolute_url") else ""
    return kind.label, label, body, url


def _sla_message(clock, event, parts=None):
    """``(title, body, url)`` of the notification about a warning or a breach."""
    kind_label, label, body, url = parts or _sla_message_parts(clock)
    if event.kind == ClockEventKind.WARNING:
        title = f"{kind_label} at {event.threshold}% on {label}"
    else:
        title = f"{kind_label} breached on {label}"
    return title, body, url


def notify_owners_and_teams(pairs) -> None:
    """:func:`notify_owner_and_team` for many ``(clock, event)`` pairs: recipients
    read per owner type in a few queries, every notification in one INSERT."""
    from .notifications import notify_many

    recipients = sla_recipients_many([clock for clock, _ in pairs])
    messages, parts = [], {}
    for clock, event in pairs:
        people = recipients.get(clock.pk) or []
        if not people:
            logger.info("No recipients for %s on %s", event.kind, clock)
            continue
        if clock.pk not in parts:
            parts[clock.pk] = _sla_message_parts(clock)
        messages.append((people, *_sla_message(clock, event, parts[clock.pk]), clock))
    notify_many(messages, rows=False)


def notify_owner_and_team(clock: SlaClock, event: SlaClockEvent) -> None:
    """Core action: tell the owner's people in-app and by email (after commit)."""
    from .notifications import notify

    owner = clock.owner
    recipients = list(owner.sla_recipients(clock)) if hasattr(owner, "sla_recipients") else []
    if not recipients:
        logger.info("No recipients for %s on %s", event.kind, clock)
        return
    title, body, url = _sla_message(clock, event)
    notify(recipients, title=title, body=body, url=url, subject=clock)


# An action may carry ``action.many(pairs)``: the same work for a list of
# ``(clock, event)`` pairs, set-based. The sweep's burst path calls it once per chunk.
notify_owner_and_team.many = notify_owners_and_teams


def batched(many: Callable[[list], None]):
    """Give a clock action its set-based form: ``@batched(lambda pairs: ...)``."""

    def attach(action):
        action.many = many
        return action

    return attach


# --- Owners, many at once -------------------------------------------------------
#
# An owner model may register set-based forms of its two hooks, for the sweep's burst
# path: ``recipients(clocks) -> {clock.pk: [users]}`` and ``clock_events(pairs)``
# (write many clocks' events on their owners' timelines). Unregistered owners get
# their per-object hooks called one by one.


@dataclass(frozen=True)
class SlaOwnerHooks:
    recipients: Callable[[list], dict] | None = None
    clock_events: Callable[[list], None] | None = None


SLA_OWNER_HOOKS: dict[type, SlaOwnerHooks] = {}


def register_sla_owner(model, *, recipients=None, clock_events=None) -> None:
    """Declare ``model``'s set-based hooks (call from an AppConfig.ready)."""
    SLA_OWNER_HOOKS[model] = SlaOwnerHooks(recipients=recipients, clock_events=clock_events)


def _by_owner_type(items, clock_of):
    groups = defaultdict(list)
    for item in items:
        owner = clock_of(item).owner
        if owner is not None:
            groups[type(owner)].append(item)
    return groups


def sla_recipients_many(clocks) -> dict[int, list]:
    """Who is told about each clock's warnings and breaches, by clock id."""
    found = {}
    for model, group in _by_owner_type(clocks, lambda clock: clock).items():
        hooks = SLA_OWNER_HOOKS.get(model)
        if hooks is not None and hooks.recipients is not None:
            found.update(hooks.recipients(group))
            continue
        for clock in group:
            if hasattr(clock.owner, "sla_recipients"):
                found[clock.pk] = list(clock.owner.sla_recipients(clock))
    return found


def sla_clock_events_many(pairs) -> None:
    """Each owner's ``sla_clock_event`` hook for many ``(clock, event)`` pairs."""
    for model, group in _by_owner_type(pairs, lambda pair: pair[0]).items():
        hooks = SLA_OWNER_HOOKS.get(model)
        if hooks is not None and hooks.clock_events is not None:
            hooks.clock_events(group)
            continue
        for clock, event in group:
            if hasattr(clock.owner, "sla_clock_event"):
                clock.owner.sla_clock_event(clock=clock, event=event)


def run_actions_many(pairs, actions_of) -> None:
    """Run each pair's actions (``actions_of(clock, event)``), one call per action:
    ``action.many(pairs)`` where it has a set-based form, else pair by pair."""
    by_action = {}
    for clock, event in pairs:
        for action in actions_of(clock, event):
            by_action.setdefault(action, []).append((clock, event))
    for action, group in by_action.items():
        many = getattr(action, "many", None)
        if many is not None:
            many(group)
        else:
            for clock, event in group:
                action(clock, event)


@dataclass(frozen=True)
class ClockKind:
    key: str
    label: str
    warn_thresholds: tuple[int, ...] = (50, 75)
    on_warning: tuple[ClockAction, ...] = (notify_owner_and_team,)
    on_breach: tuple[ClockAction, ...] = (notify_owner_and_team,)
    # A cadence ("next update every 2 h"): stopped within its target because the work
    # ended, its outcome is "no longer due", not "met" — no update was sent for it.
    cadence: bool = False
    extra: dict = field(default_factory=dict, compare=False)


CLOCK_KINDS: dict[str, ClockKind] = {}


def register_clock_kind(kind: ClockKind) -> ClockKind:
    """Declare a kind of clock (call from an AppConfig.ready). Re-registering replaces."""
    CLOCK_KINDS[kind.key] = kind
    return kind


def clock_kind(key: str) -> ClockKind:
    try:
        return CLOCK_KINDS[key]
    except KeyError:
        # Rows of a kind whose app was removed still display and sweep safely.
        return ClockKind(key=key, label=key.replace("_", " ").replace(".", ": ").capitalize(),
                         on_warning=(), on_breach=())


# --- Small helpers ----------------------------------------------------------------


def format_duration(value: timedelta) -> str:
    """``2h 30m``, ``3d 4h``, ``45m`` — how people read a target or remaining time."""
    total = int(abs(value).total_seconds()) // 60
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
             f"{minutes}m" if minutes or not (days or hours) else ""]
    text = " ".join(p for p in parts if p)
    return f"-{text}" if value < timedelta(0) else text


def builtin_calendar() -> BusinessCalendar:
    """The always-open calendar (seeded by migration; recreated if a flush removed it)."""
    from .calendars import ensure_builtin_calendar

    return ensure_builtin_calendar()


def _engine(clock, engines):
    return (engines or EngineCache()).get(clock.calendar)


def _point_instant(clock, engine, point: timedelta, engines=None) -> datetime:
    """When a running clock reaches (or reached) ``point`` of business time consumed.

    A point already behind the current stretch — the target was lowered, or a pause
    came before the sweep noticed — is dated in the earlier stretch where it was
    crossed, on that stretch's calendar, not at the resume."""
    still = point - clock.consumed
    if still > timedelta(0):
        return business_time.add_business_time(engine, clock.running_since, still)
    earlier = [stretch for stretch in clock.stretches
               if timedelta(microseconds=stretch[1]) < point]
    if not earlier:
        return clock.running_since  # a clock from before stretches were kept
    start, used_before, calendar_id = earlier[-1]
    stretch_engine = (engine if calendar_id == clock.calendar_id
                      else (engines or EngineCache()).get(_calendar(calendar_id)))
    return business_time.add_business_time(stretch_engine, datetime.fromisoformat(start),
                                           point - timedelta(microseconds=used_before))


def _calendar(pk):
    return BusinessCalendar.objects.get(pk=pk)


def _begin_stretch(clock, at: datetime) -> None:
    """The clock runs from ``at`` on its calendar: remember where this stretch began."""
    clock.running_since = at
    clock.stretches = [*clock.stretches,
                       [at.isoformat(), clock.consumed // timedelta(microseconds=1),
                        clock.calendar_id]]


def _threshold_point(clock, percent: int) -> timedelta:
    return clock.target * percent / 100


def recompute_schedule(clock: SlaClock, engines: EngineCache | None = None) -> None:
    """Derive ``due_at`` and ``next_action_at`` from the clock's counters.

    Called after every change. Paused and stopped clocks are never due; a paused
    clock with a cap wakes at ``resume_at``.
    """
    if clock.state == ClockState.RUNNING:
        engine = _engine(clock, engines)
        clock.due_at = _point_instant(clock, engine, clock.target)
        pending = [
            _point_instant(clock, engine, _threshold_point(clock, p), engines)
            for p in clock.warn_thresholds
            if p not in clock.warnings_fired
        ]
        if clock.breached_at is None:
            pending.append(clock.due_at)
        clock.next_action_at = min(pending) if pending else None
    elif clock.state == ClockState.PAUSED:
        clock.due_at = None
        clock.next_action_at = clock.resume_at
    else:
        clock.next_action_at = None


def _record(clock, kind, *, at, by, threshold=None, detail=""):
    event = SlaClockEvent.objects.create(
        clock=clock, kind=kind, at=at, by=by, threshold=threshold, detail=detail[:300]
    )
    owner = clock.owner
    if owner is not None and hasattr(owner, "sla_clock_event"):
        owner.sla_clock_event(clock=clock, event=event)
    return event


def _now(at):
    return at or timezone.now()


# --- Services -----------------------------------------------------------------------


@transaction.atomic
def clock_start(*, owner, kind: str, target: timedelta, by, calendar=None, at=None,
                warn_thresholds: Iterable[int] | None = None, pause_cap=None,
                pause_cap_unit: str = PauseCapUnit.BUSINESS, cycle: int = 1) -> SlaClock:
    """Start a clock of ``kind`` on ``owner`` for ``target`` business time.

    ``calendar`` defaults to the built-in 24×7 one; ``warn_thresholds`` to the
    kind's (e.g. 50 % and 75 %). A clock started outside working hours begins
    counting at the next opening.
    """
    if target <= timedelta(0):
        raise ValidationError({"target": "An SLA target must be longer than zero."})
    kind_spec = clock_kind(kind)
    thresholds = sorted({int(p) for p in (warn_thresholds or kind_spec.warn_thresholds)})
    if any(not 0 < p < 100 for p in thresholds):
        raise ValidationError({"warn_thresholds": "Warning thresholds are percentages "
                                                  "between 1 and 99."})
    at = _now(at)
    clock = SlaClock(
        content_type=ContentType.objects.get_for_model(owner), object_id=owner.pk,
        kind=kind, cycle=cycle, calendar=calendar or builtin_calendar(), target=target,
        started_at=at, warn_thresholds=thresholds, pause_cap=pause_cap,
        pause_cap_unit=pause_cap_unit,
    )
    _begin_stretch(clock, at)
    try:
        recompute_schedule(clock)
    except ValueError as exc:  # a calendar with no working time at all
        raise ValidationError({"calendar": str(exc)}) from exc
    save_with_audit(clock, by=by, reason=f"Started {kind_spec.label}")
    _record(clock, ClockEventKind.STARTED, at=at, by=by,
            detail=f"Target {format_duration(target)} on {clock.calendar}")
    return clock


@transaction.atomic
def clock_pause(*, clock: SlaClock, reason: str, by, at=None) -> SlaClock:
    """Pause a running clock (e.g. awaiting the customer). A reason is required."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the clock is paused."})
    clock = lock(SlaClock, clock.pk)
    at = _now(at)
    engine = _engine(clock, None)
    if clock.state == ClockState.RUNNING:
        clock.consumed += business_time.business_time_between(engine, clock.running_since, at)
    perform_transition(clock, "pause", by=None, reason=None, save=False)
    clock.running_since = None
    clock.paused_at = at
    clock.pause_reason = reason.strip()[:200]
    clock.resume_at = _cap_end(clock, engine, at)
    recompute_schedule(clock)
    save_with_audit(clock, by=by, reason=f"Paused: {reason}")
    _record(clock, ClockEventKind.PAUSED, at=at, by=by, detail=reason)
    return clock


def _cap_end(clock, engine, paused_at):
    """When a pause from ``paused_at`` reaches its cap: business time on the clock's
    calendar (Friday 16:00 + 2 h on a 09:00–17:00 office is Monday 10:00), or wall-clock
    time (18:00) where the cap says so."""
    if not clock.pause_cap:
        return None
    if clock.pause_cap_unit == PauseCapUnit.WALL:
        return paused_at + clock.pause_cap
    return business_time.add_business_time(engine, paused_at, clock.pause_cap)


@transaction.atomic
def clock_resume(*, clock: SlaClock, by, at=None, detail="") -> SlaClock:
    """Resume a paused clock; the pause does not count against the target."""
    clock = lock(SlaClock, clock.pk)
    at = _now(at)
    perform_transition(clock, "resume", by=None, reason=None, save=False)
    _apply_resume(clock, at)
    save_with_audit(clock, by=by, reason=detail or "Resumed")
    _record(clock, ClockEventKind.RESUMED, at=at, by=by, detail=detail)
    return clock


def _apply_resume(clock, at):
    clock.paused_total += at - clock.paused_at
    clock.paused_at = None
    clock.pause_reason = ""
    clock.resume_at = None
    _begin_stretch(clock, at)
    recompute_schedule(clock)


@transaction.atomic
def clock_stop(*, clock: SlaClock, by, at=None, delivered=False) -> SlaClock:
    """Stop the clock: met when stopped within the target, missed otherwise.

    A cadence clock (``ClockKind.cadence``) is met only when what it waits for was
    ``delivered`` (the update sent: ``clock_restart`` says so); stopped because the
    work ended, it is "no longer due"."""
    clock = lock(SlaClock, clock.pk)
    at = _now(at)
    used = clock_elapsed(clock, now=at)
    perform_transition(clock, "stop", by=None, reason=None, save=False)
    clock.consumed = used
    clock.running_since = None
    if clock.paused_at:
        clock.paused_total += at - clock.paused_at
        clock.paused_at = None
        clock.resume_at = None
    clock.stopped_at = at
    missed = clock.breached_at is not None or used > clock.target
    clock.outcome = (ClockOutcome.MISSED if missed
                     else ClockOutcome.NOT_DUE if clock_kind(clock.kind).cadence and not delivered
                     else ClockOutcome.MET)
    recompute_schedule(clock)
    save_with_audit(clock, by=by, reason=f"Stopped: {clock.get_outcome_display()}")
    _record(clock, ClockEventKind.STOPPED, at=at, by=by,
            detail=f"{clock.get_outcome_display()} after {format_duration(used)}")
    # The promise is settled: its warnings and breach need nobody any more.
    from .notifications import notifications_resolve

    notifications_resolve(clock)
    return clock


@transaction.atomic
def clock_restart(*, clock: SlaClock, by, reason: str, at=None) -> SlaClock:
    """Start the next cycle of this clock (the object was reopened).

    The old cycle is stopped if still running and keeps its outcome; the new one
    starts from zero with the same kind, target, calendar and thresholds.
    """
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the clock restarts (e.g. reopened)."})
    clock = lock(SlaClock, clock.pk)
    at = _now(at)
    if clock.state != ClockState.STOPPED:
        # The next cycle starts because the awaited thing happened (an update sent).
        clock = clock_stop(clock=clock, by=by, at=at, delivered=True)
    new = clock_start(
        owner=clock.owner, kind=clock.kind, target=clock.target, by=by,
        calendar=clock.calendar, at=at, warn_thresholds=clock.warn_thresholds,
        pause_cap=clock.pause_cap, pause_cap_unit=clock.pause_cap_unit, cycle=clock.cycle + 1,
    )
    _record(new, ClockEventKind.RESTARTED, at=at, by=by, detail=reason)
    return new


@transaction.atomic
def clock_retarget(*, clock: SlaClock, target: timedelta, by, reason: str, calendar=None,
                   at=None) -> SlaClock:
    """Change the target (e.g. severity raised), and optionally the calendar; the due
    instant is recomputed from the original start and the time already used.

    Business time already used stays as counted on the old calendar: the running
    stretch is folded into ``consumed`` at ``at`` and counting goes on from there on the
    new one. Warnings and a breach that already fired stay on record; thresholds not
    yet reached fire against the new target.
    """
    if target <= timedelta(0):
        raise ValidationError({"target": "An SLA target must be longer than zero."})
    clock = lock(SlaClock, clock.pk)
    if clock.state == ClockState.STOPPED:
        raise ValidationError({"clock": "A stopped clock cannot be retargeted; restart it."})
    at = _now(at)
    old, old_calendar = clock.target, clock.calendar
    changes = [f"{format_duration(old)} → {format_duration(target)}"]
    if calendar is not None and calendar.pk != clock.calendar_id:
        if clock.state == ClockState.RUNNING and at > clock.running_since:
            clock.consumed = clock_elapsed(clock, now=at)
            clock.calendar = calendar
            _begin_stretch(clock, at)
        else:
            clock.calendar = calendar
            if clock.state == ClockState.RUNNING and clock.stretches:
                # The stretch begins now: it counts on the new calendar.
                clock.stretches = [*clock.stretches[:-1],
                                   [*clock.stretches[-1][:2], calendar.pk]]
        changes.append(f"calendar {old_calendar} → {calendar}")
    clock.target = target
    try:
        recompute_schedule(clock)
    except ValueError as exc:  # a calendar with no working time at all
        raise ValidationError({"calendar": str(exc)}) from exc
    save_with_audit(clock, by=by, reason=f"Retargeted: {reason}")
    _record(clock, ClockEventKind.RETARGETED, at=at, by=by,
            detail=f"{'; '.join(changes)}: {reason}")
    return clock


# --- Reads ----------------------------------------------------------------------------


def clock_elapsed(clock: SlaClock, now=None, engines=None) -> timedelta:
    """Business time used so far (paused time excluded)."""
    if clock.state != ClockState.RUNNING:
        return clock.consumed
    now = _now(now)
    if now <= clock.running_since:
        return clock.consumed
    engine = _engine(clock, engines)
    return clock.consumed + business_time.business_time_between(engine, clock.running_since, now)


def clock_remaining(clock: SlaClock, now=None, engines=None) -> timedelta:
    """Business time left before the deadline; negative once breached."""
    return clock.target - clock_elapsed(clock, now, engines)


def clock_percent_used(clock: SlaClock, now=None, engines=None) -> float:
    return 100 * (clock_elapsed(clock, now, engines) / clock.target)


def clock_status(clock: SlaClock, now=None) -> ClockStatus:
    """What a badge shows: running, warning, breached, paused, met or missed."""
    if clock.state == ClockState.STOPPED:
        return ClockStatus(clock.outcome or ClockOutcome.MET)
    if clock.state == ClockState.PAUSED:
        return ClockStatus.PAUSED
    now = _now(now)
    if clock.breached_at is not None or (clock.due_at and clock.due_at <= now):
        return ClockStatus.BREACHED
    return ClockStatus.WARNING if clock.warnings_fired else ClockStatus.RUNNING


def clocks_of(owner):
    """All clocks of an object, every cycle, for its page and the API."""
    return SlaClock.objects.of(owner).select_related("calendar").order_by("kind", "-cycle")


def active_clocks_by_owner(model, ids) -> dict[int, list[SlaClock]]:
    """Running and paused clocks of many objects (a list page), by owner id, in one
    query plus the badges' two (calendar hours and holidays)."""
    by_owner = defaultdict(list)
    for clock in SlaClock.objects.of_many(model, ids).active().for_badges().order_by(
            "due_at", "pk"):
        by_owner[clock.object_id].append(clock)
    return by_owner


def running_clocks_by_object(objects) -> dict[int, list[SlaClock]]:
    """The running and paused clocks of many objects of one model (an API list page) in
    one query, by object id, soonest due first, with only what a clock summary shows.
    A clock points at its owner through a generic foreign key: nothing to prefetch."""
    objects = list(objects)
    found: dict[int, list[SlaClock]] = {obj.pk: [] for obj in objects}
    if not objects:
        return found
    for clock in (SlaClock.objects.of_many(type(objects[0]), found).active().for_summaries()
                  .order_by("due_at", "kind", "pk")):
        found[clock.object_id].append(clock)
    return found


def clocks_for_page(owner):
    """``(active, finished)`` clocks of one object's page: the running and paused ones,
    soonest due first, and the latest cycle of each kind that has stopped."""
    clocks = list(SlaClock.objects.of(owner).for_badges().order_by("kind", "-cycle"))
    active = sorted((c for c in clocks if c.state in ACTIVE_CLOCK_STATES),
                    key=lambda c: (c.due_at is None, c.due_at))
    finished, seen = [], set()
    for clock in clocks:  # newest cycle first within a kind
        if clock.kind not in seen:
            seen.add(clock.kind)
            if clock.state == ClockState.STOPPED:
                finished.append(clock)
    return active, finished

