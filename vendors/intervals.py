"""Time-window arithmetic for downtime (pure functions on aware datetimes).

A window is a half-open ``(start, end)`` pair: it includes ``start`` and stops just
before ``end``. Windows are merged before they are counted, so two incidents that
overlap for one vendor count their common minutes once.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

Window = tuple[datetime, datetime]


def union(windows: Iterable[Window]) -> list[Window]:
    """The windows merged: sorted, non-overlapping, touching ones joined."""
    merged: list[list[datetime]] = []
    for start, end in sorted(w for w in windows if w[1] > w[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def subtract(windows: Iterable[Window], removed: Iterable[Window]) -> list[Window]:
    """What is left of ``windows`` (merged) once every ``removed`` window is cut out."""
    cuts = union(removed)
    left = []
    for start, end in union(windows):
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                left.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
            if cursor >= end:
                break
        if cursor < end:
            left.append((cursor, end))
    return left


def clip(windows: Iterable[Window], start: datetime, end: datetime) -> list[Window]:
    """The parts of ``windows`` inside ``[start, end)``."""
    return [(max(s, start), min(e, end)) for s, e in windows if e > start and s < end]


def seconds(windows: Iterable[Window]) -> float:
    return sum((end - start).total_seconds() for start, end in windows)


def month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def next_month(moment: datetime) -> datetime:
    return (datetime(moment.year + 1, 1, 1, tzinfo=UTC) if moment.month == 12
            else datetime(moment.year, moment.month + 1, 1, tzinfo=UTC))


def by_month(windows: Iterable[Window]) -> dict[datetime, float]:
    """Seconds of (merged) ``windows`` in each UTC calendar month they touch, keyed
    by the month's first instant."""
    totals: dict[datetime, float] = {}
    for start, end in union(windows):
        month = month_start(start)
        while month < end:
            following = next_month(month)
            part = seconds(clip([(start, end)], month, following))
            if part:
                totals[month] = totals.get(month, 0.0) + part
            month = following
    return totals
