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


from django.conf import settings
from django.utils import timezone

from .audit import save_with_audit, system_user
from .calendars import EngineCache
from .choices import ClockEventKind, ClockState
from .clocks import (
    _apply_resume,
    _point_instant,
    _record,
    _threshold_point,
    clock_kind,
    recompute_schedule,
)
from .due_rows import due_page, sweep_due
from .models import SlaClock


def clocks_due(now, limit, after=None):
    """``(next_action_at, id)`` of clocks with pending work at ``now``, most overdue
    first, read through the partial index; ``after`` continues from a previous page."""
    return due_page(SlaClock.objects.all(), due_field="next_action_at", now=now, limit=limit,
                    after=after)


def process_clock(clock, now, engines, actor):
    """Fire whatever is due on one locked clock; returns the events fired."""
    fired = []
    if clock.state == ClockState.PAUSED and clock.resume_at and clock.resume_at <= now:
        # A capped pause ends at the cap, not when the sweep noticed.
        resumed_at = clock.resume_at
        clock.resume()
        _apply_resume(clock, resumed_at)
        _record(clock, ClockEventKind.RESUMED, at=resumed_at, by=actor,
                detail="Pause cap reached: resumed automatically")
        fired.append("resumed")

    if clock.state == ClockState.RUNNING:
        engine = engines.get(clock.calendar)
        kind = clock_kind(clock.kind)
        for percent in sorted(clock.warn_thresholds):
            if percent in clock.warnings_fired:
                continue
            reached_at = _point_instant(clock, engine, _threshold_point(clock, percent), engines)
            if reached_at > now:
                break
            clock.warnings_fired = [*clock.warnings_fired, percent]
            event = _record(clock, ClockEventKind.WARNING, at=reached_at, by=actor,
                            threshold=percent, detail=f"{percent}% of the target used")
            for action in kind.on_warning:
                action(clock, event)
            fired.append(f"warning {percent}%")
        if clock.breached_at is None and clock.due_at and clock.due_at <= now:
            clock.breached_at = clock.due_at
            event = _record(clock, ClockEventKind.BREACHED, at=clock.due_at, by=actor,
                            detail="Deadline passed")
            for action in kind.on_breach:
                action(clock, event)
            fired.append("breach")

    recompute_schedule(clock, engines)
    reason = "SLA sweep: " + (", ".join(fired) if fired else "nothing due")
    save_with_audit(clock, by=actor, reason=reason)
    return fired


def sweep(now=None, batch_size=None, chunk_size=None):
    """Process every clock due at ``now``. Returns counts for logs and benchmarks.

    The locking, paging and savepoints are the shared due-row sweeper's
    (``core.due_rows.sweep_due``): one locking read and one commit per chunk of
    clocks, a savepoint per clock.
    """
    now = now or timezone.now()
    actor = system_user()
    engines = EngineCache()
    done = sweep_due(
        SlaClock.objects.select_related("calendar"), due_field="next_action_at", now=now,
        handle=lambda clock: process_clock(clock, now, engines, actor),
        batch_size=batch_size or settings.SLA_SWEEP_BATCH_SIZE,
        chunk_size=chunk_size or settings.SLA_SWEEP_CHUNK_SIZE, name="SLA sweep")
    return {"clocks": done["rows"],
            "warnings": sum(n for label, n in done.items() if label.startswith("warning")),
            "breaches": done["breach"], "resumed": done["resumed"],
            "skipped": done["skipped"], "failed": done["failed"]}
