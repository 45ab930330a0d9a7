"""Reads for "My work": what a person owns, due soonest first, and their notices.

Each app contributes what it knows (``core.registry.WorkSource``): the incidents a
responder holds a role on, the escalations a lead owns, contract dates, credits…
Core only merges, filters and sorts them — it knows no app by name.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F
from django.utils import timezone

from .notifications import live_notices
from .registry import WorkEntry, work_sources

# The due filter: its key in the URL → (label, the latest due instant it keeps).
DUE_FILTERS = {
    "overdue": "Overdue",
    "today": "Due today",
    "week": "Due within 7 days",
}


@dataclass(frozen=True)
class WorkLine:
    entry: WorkEntry
    due_at: datetime | None
    overdue: bool
    source: str
    # Due on a day (an action item, a contract date), not at an instant: shown without a
    # time of day, and overdue only once that day is over.
    all_day: bool = False


def as_instant(value) -> datetime | None:
    """A due date (contracts, action items) as the start of that day in the viewer's
    zone; an instant unchanged."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    raise TypeError(f"A due moment must be a date or a datetime, not {type(value).__name__}.")


def _due_limit(due: str, now: datetime):
    if due == "overdue":
        return now
    if due == "today":
        local = timezone.localtime(now)
        return timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time.min))
    if due == "week":
        return now + timedelta(days=7)
    return None


def _is_overdue(due, due_at, all_day, now) -> bool:
    if due_at is None:
        return False
    if all_day:
        return due < timezone.localtime(now).date()
    return due_at <= now


def my_worklist(user, *, now=None, kind: str = "", due: str = "") -> list[dict]:
    """``[{"key", "label", "lines", "count"}]``: each source's entries for ``user``,
    soonest due first (undated last); ``kind`` keeps one source, ``due`` one window
    of :data:`DUE_FILTERS` (undated entries drop out of a due filter)."""
    now = now or timezone.now()
    limit = _due_limit(due, now)
    groups = []
    for source in work_sources(user):
        if kind and source.key != kind:
            continue
        lines = []
        for entry in source.items(user, now):
            due_at = as_instant(entry.due_at)
            all_day = due_at is not None and not isinstance(entry.due_at, datetime)
            overdue = _is_overdue(entry.due_at, due_at, all_day, now)
            if due == "overdue" and not overdue:
                continue
            if limit is not None and (due_at is None or due_at > limit):
                continue
            lines.append(WorkLine(entry=entry, due_at=due_at, overdue=overdue,
                                  source=source.key, all_day=all_day))
        far = datetime.max.replace(tzinfo=now.tzinfo)
        lines.sort(key=lambda line: (line.due_at or far, line.entry.reference))
        groups.append({"key": source.key, "label": source.label, "lines": lines,
                       "count": len(lines)})
    return groups


def my_notices(user, *, now=None):
    """``user``'s live notices (not resolved, not snoozed now), unread first."""
    return live_notices(user, now).order_by(F("read_at").asc(nulls_first=True),
                                            "-created_at", "-pk")


def soonest_clocks(model, ids) -> dict:
    """``{owner id: its running clock due soonest}`` for many objects, in one query —
    what a work source dates its entries by."""
    from .choices import ClockState
    from .models import SlaClock

    soonest = {}
    for clock in (SlaClock.objects.of_many(model, ids)
                  .filter(state=ClockState.RUNNING, due_at__isnull=False)
                  .order_by("due_at", "pk")):
        soonest.setdefault(clock.object_id, clock)
    return soonest


def clock_due_what(clock) -> str:
    """"Resolution SLA" — what a dated entry's clock promises, in words."""
    from .clocks import clock_kind

    return clock_kind(clock.kind).label if clock is not None else ""
