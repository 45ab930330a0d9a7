"""The SLA sweep: fire every due warning and breach exactly once.

Deadlines are columns, not delayed broker messages: each clock keeps
``next_action_at`` (indexed, NULL when nothing is pending), and a beat task calls
:func:`sweep` every minute. It reads only rows whose ``next_action_at`` has passed,
so its cost follows what is due, not how many clocks are running.

Exactly once, with any number of sweepers and workers that may die:

* clocks are re-read in chunks with ``SELECT … FOR UPDATE SKIP LOCKED`` *and* the
  re-check that they are still due — a clock another sweeper holds is skipped, one
  it already finished is no longer due;
* each clock's firing (event row, counters, notifications, timeline) is one
  savepoint inside the chunk's transaction: it commits with the chunk or not at
  all, so a worker that dies mid-way leaves its clocks due for the next sweep;
* the events table has unique constraints on (clock, warning threshold) and on
  (clock, breach), so even a bug here could not record a firing twice;
* email goes through the outbox (``core.notifications``): the notification rows
  commit with the chunk and are sent by a task or, if that task is lost, by the
  outbox sweep.

SQLite has no row locks; there Switchboard's IMMEDIATE transactions serialise the
sweepers instead, with the same re-check.
"""

from collections import Counter

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone

from .audit import save_with_audit, system_user
from .bulk import bulk_update_rows, insert_history, insert_objects
from .calendars import EngineCache
from .choices import ClockEventKind, ClockState
from .clocks import (
    _apply_resume,
    _point_instant,
    _threshold_point,
    clock_kind,
    recompute_schedule,
    run_actions_many,
    sla_clock_events_many,
)
from .due_rows import due_page, sweep_due
from .models import SlaClock, SlaClockEvent
from .notifications import one_email_task


def clocks_due(now, limit, after=None):
    """``(next_action_at, id)`` of clocks with pending work at ``now``, most overdue
    first, read through the partial index; ``after`` continues from a previous page."""
    return due_page(SlaClock.objects.all(), due_field="next_action_at", now=now, limit=limit,
                    after=after)


_EVENT_CLOCK = SlaClockEvent._meta.get_field("clock")
_EVENT_BY = SlaClockEvent._meta.get_field("by")


def _crossings(clock, now, engines, actor):
    """Move one locked clock past what is due at ``now``, in memory: its counters and
    schedule change, and the events it fired come back unsaved, as ``(labels,
    events)``. The per-clock and the set-based paths share it, so both fire the same."""
    fired, events = [], []

    def event(kind, at, detail, threshold=None):
        # By ids, with the related objects cached as assigning them would: assigning
        # asks the database router per relation, 18,000 times in a 9,000-event burst.
        made = SlaClockEvent(clock_id=clock.pk, kind=kind, at=at,
                             by_id=actor.pk if actor is not None else None,
                             threshold=threshold, detail=detail[:300])
        _EVENT_CLOCK.set_cached_value(made, clock)
        _EVENT_BY.set_cached_value(made, actor)
        events.append(made)

    if clock.state == ClockState.PAUSED and clock.resume_at and clock.resume_at <= now:
        # A capped pause ends at the cap, not when the sweep noticed.
        resumed_at = clock.resume_at
        clock.resume()
        _apply_resume(clock, resumed_at)
        event(ClockEventKind.RESUMED, resumed_at, "Pause cap reached: resumed automatically")
        fired.append("resumed")

    if clock.state == ClockState.RUNNING:
        engine = engines.get(clock.calendar)
        for percent in sorted(clock.warn_thresholds):
            if percent in clock.warnings_fired:
                continue
            reached_at = _point_instant(clock, engine, _threshold_point(clock, percent), engines)
            if reached_at > now:
                break
            clock.warnings_fired = [*clock.warnings_fired, percent]
            event(ClockEventKind.WARNING, reached_at, f"{percent}% of the target used",
                  threshold=percent)
            fired.append(f"warning {percent}%")
        if clock.breached_at is None and clock.due_at and clock.due_at <= now:
            clock.breached_at = clock.due_at
            event(ClockEventKind.BREACHED, clock.due_at, "Deadline passed")
            fired.append("breach")

    recompute_schedule(clock, engines)
    return fired, events


def _actions(clock, event):
    kind = clock_kind(clock.kind)
    if event.kind == ClockEventKind.WARNING:
        return kind.on_warning
    if event.kind == ClockEventKind.BREACHED:
        return kind.on_breach
    return ()


def _reason(fired):
    return "SLA sweep: " + (", ".join(fired) if fired else "nothing due")


def process_clock(clock, now, engines, actor):
    """Fire whatever is due on one locked clock; returns the events fired."""
    fired, events = _crossings(clock, now, engines, actor)
    for event in events:
        event.save()
        owner = clock.owner
        if owner is not None and hasattr(owner, "sla_clock_event"):
            owner.sla_clock_event(clock=clock, event=event)
        for action in _actions(clock, event):
            action(clock, event)
    save_with_audit(clock, by=actor, reason=_reason(fired))
    return fired


# The columns the sweep changes on a clock (pause-cap resumes included).
SWEPT_FIELDS = ("state", "running_since", "stretches", "paused_at", "pause_reason",
                "paused_total", "resume_at", "due_at", "warnings_fired", "breached_at",
                "next_action_at")


def process_chunk(clocks, now, engines, actor) -> Counter:
    """Fire what is due on a chunk of locked clocks, set-based.

    The crossings are computed in Python with the same engine as
    :func:`process_clock`; then one UPDATE of the clocks' columns, one INSERT of
    their history rows (who and why kept per row), one INSERT of the events — the
    unique constraints on warnings and breaches refuse a second firing, and the
    chunk then falls back to clock-by-clock — the owners' timeline entries per owner
    type, and each action once for all its clocks (notifications in one INSERT, tier
    climbs in a handful of statements).
    """
    prefetch_related_objects(clocks, "owner")
    totals = Counter()
    pairs = []
    for clock in clocks:
        fired, events = _crossings(clock, now, engines, actor)
        clock._history_user = actor
        clock._change_reason = _reason(fired)
        pairs += [(clock, event) for event in events]
        totals["rows"] += 1
        totals.update(fired)
    bulk_update_rows(SlaClock, clocks, SWEPT_FIELDS)
    insert_history(SlaClock, clocks, update=True, default_user=actor)
    for clock in clocks:
        del clock._history_user, clock._change_reason
    insert_objects(SlaClockEvent, [event for _, event in pairs])
    sla_clock_events_many(pairs)
    run_actions_many(pairs, _actions)
    return totals


def sweep(now=None, batch_size=None, chunk_size=None, set_based=True):
    """Process every clock due at ``now``. Returns counts for logs and benchmarks.

    The locking and paging are the shared due-row sweeper's
    (``core.due_rows.sweep_due``): one locking read and one commit per chunk of
    clocks. Each chunk is fired set-based (:func:`process_chunk`); a chunk that
    fails that way is redone clock by clock, one savepoint each
    (:func:`process_clock`, also what ``set_based=False`` does). Every chunk's
    emails go out in one task.
    """
    now = now or timezone.now()
    actor = system_user()
    engines = EngineCache()
    done = sweep_due(
        SlaClock.objects.select_related("calendar"), due_field="next_action_at", now=now,
        handle=lambda clock: process_clock(clock, now, engines, actor),
        handle_chunk=(lambda clocks: process_chunk(clocks, now, engines, actor))
        if set_based else None,
        chunk_context=one_email_task,
        batch_size=batch_size or settings.SLA_SWEEP_BATCH_SIZE,
        chunk_size=chunk_size or settings.SLA_SWEEP_CHUNK_SIZE, name="SLA sweep")
    return {"clocks": done["rows"],
            "warnings": sum(n for label, n in done.items() if label.startswith("warning")),
            "breaches": done["breach"], "resumed": done["resumed"],
            "skipped": done["skipped"], "failed": done["failed"]}
