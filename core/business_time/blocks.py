"""The blocks business time is built from: its constants, :class:`WorkingRange` and
:class:`Closure`, half-open interval helpers, wall-clock to UTC, and the cached test
for a stretch of days without a clock change. The calendar is in ``calendar.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

_ZERO = timedelta(0)
_ONE_US = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
_ONE_WEEK = timedelta(days=7)
_DAY_STEPS = tuple(timedelta(days=k) for k in range(8))
_UTC_MIDNIGHT = time(0, tzinfo=UTC)

#: How far add_business_time / next_open_instant search for open time before
#: concluding the calendar never opens (e.g. every working day is closed).
#: The count restarts whenever some open time is found, so adding a very long
#: duration to a healthy calendar is not affected.
SEARCH_HORIZON_DAYS = 3653  # ten years

# The last local day whose open time is computed: a week's step and the widest UTC
# offset past it must still fit in a datetime, which ends on 9999-12-31. Beyond it
# the functions raise ValueError (PAST_THE_LAST_YEAR) rather than OverflowError.
_LAST_DAY = date.max.toordinal() - 9
PAST_THE_LAST_YEAR = (
    "the answer would fall after the year 9999, the last a date can have: use a "
    "shorter duration or an earlier start"
)

# Per-calendar cache size for computed days; ~55 years of distinct dates. When
# it fills up the cache is simply cleared (cheap to rebuild, keeps memory flat).
_DAY_CACHE_LIMIT = 20_000


# --------------------------------------------------------------------------
# Calendar building blocks
# --------------------------------------------------------------------------


def _check_wall_time(value: object, name: str) -> None:
    if not isinstance(value, time):
        raise TypeError(f"{name} must be a datetime.time, got {type(value).__name__}")
    if value.tzinfo is not None:
        raise ValueError(
            f"{name} must be a naive wall-clock time (the calendar supplies the zone), "
            f"got {value!r}"
        )


def _offset_in_day(t: time) -> timedelta:
    """Wall-clock distance of ``t`` from local midnight."""
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


@dataclass(frozen=True)
class WorkingRange:
    """A weekly block of working hours, in the calendar's local wall-clock time.

    ``weekday`` is 0 (Monday) .. 6 (Sunday) and names the day the block
    *starts*. When ``end <= start`` the block crosses midnight and ends on the
    following day; ``start == end == 00:00`` is therefore the whole 24 hours.
    The end is exclusive.

    >>> from datetime import time
    >>> WorkingRange(0, time(9), time(17)).crosses_midnight  # Mon 09:00-17:00
    False
    >>> night = WorkingRange(0, time(22), time(6))  # Mon 22:00 -> Tue 06:00
    >>> night.crosses_midnight, night.nominal_length
    (True, datetime.timedelta(seconds=28800))
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        weekday = self.weekday
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(
                f"invalid weekday {weekday!r}: expected an int from 0 (Monday) to 6 (Sunday)"
            )
        _check_wall_time(self.start, "WorkingRange.start")
        _check_wall_time(self.end, "WorkingRange.end")

    @property
    def crosses_midnight(self) -> bool:
        """True when the block ends on the day after ``weekday``."""
        return self.end <= self.start

    @property
    def nominal_length(self) -> timedelta:
        """Wall-clock length, ignoring daylight-saving changes (always > 0)."""
        length = _offset_in_day(self.end) - _offset_in_day(self.start)
        return length + _ONE_DAY if length <= _ZERO else length


@dataclass(frozen=True)
class Closure:
    """A local calendar day (or part of one) on which the centre is closed.

    With both ``start`` and ``end`` left as ``None`` the whole local day is
    closed. ``start`` alone closes from that time to the end of the day,
    ``end`` alone closes from the start of the day until that time, and both
    close ``[start, end)``. A closure never reaches into the next day: a night
    shift starting the evening before a closed day stops at midnight.
    Several closures may name the same day; closures on days without working
    hours change nothing.

    >>> from datetime import date, time
    >>> Closure(date(2026, 12, 25))                    # Christmas Day
    Closure(day=datetime.date(2026, 12, 25), start=None, end=None)
    >>> Closure(date(2026, 12, 24), start=time(13))    # Christmas Eve afternoon
    Closure(day=datetime.date(2026, 12, 24), start=datetime.time(13, 0), end=None)
    >>> Closure(date(2026, 1, 5), end=time(10)).window  # closed until 10:00
    (datetime.timedelta(0), datetime.timedelta(seconds=36000))
    """

    day: date
    start: time | None = None
    end: time | None = None

    def __post_init__(self) -> None:
        # datetime is a subclass of date; accepting one would silently drop its time.
        if not isinstance(self.day, date) or isinstance(self.day, datetime):
            raise TypeError(f"Closure.day must be a datetime.date, got {type(self.day).__name__}")
        if self.start is not None:
            _check_wall_time(self.start, "Closure.start")
        if self.end is not None:
            _check_wall_time(self.end, "Closure.end")
        lo, hi = self.window
        if lo >= hi:
            raise ValueError(
                f"closure on {self.day} is empty: start {self.start} is not before end "
                f"{self.end} (leave both None to close the whole day)"
            )

    @property
    def window(self) -> tuple[timedelta, timedelta]:
        """The closed part of the day as offsets from local midnight, ``[lo, hi)``."""
        lo = _ZERO if self.start is None else _offset_in_day(self.start)
        hi = _ONE_DAY if self.end is None else _offset_in_day(self.end)
        return lo, hi


# --------------------------------------------------------------------------
# Small interval helpers (pairs are half-open [a, b))
# --------------------------------------------------------------------------


def _merge(pairs: Iterable[tuple[timedelta, timedelta]]) -> tuple[tuple[timedelta, timedelta], ...]:
    """Sort and union overlapping or touching intervals."""
    out: list[tuple[timedelta, timedelta]] = []
    for a, b in sorted(pairs):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return tuple(out)


def _total(pairs: Iterable[tuple[timedelta, timedelta]]) -> timedelta:
    return sum((b - a for a, b in pairs), _ZERO)


def _subtract(
    segments: tuple[tuple[timedelta, timedelta], ...],
    cuts: tuple[tuple[timedelta, timedelta], ...],
) -> tuple[tuple[timedelta, timedelta], ...]:
    """``segments`` minus ``cuts``; both sorted and merged."""
    out: list[tuple[timedelta, timedelta]] = []
    for a, b in segments:
        for c, d in cuts:
            if c >= b:
                break
            if d <= a:
                continue
            if c > a:
                out.append((a, c))
            a = d
            if a >= b:
                break
        if a < b:
            out.append((a, b))
    return tuple(out)


def wall_to_utc(wall: datetime, tz: tzinfo) -> datetime:
    """The UTC instant meant by the naive local wall-clock reading ``wall``.

    Ambiguous readings (fall back) resolve to the first occurrence; readings
    inside a spring-forward gap resolve to the instant the gap ends. The one rule
    for every time typed without an offset — API, forms and calendar hours alike.
    """
    aware = wall.replace(tzinfo=tz)
    off_first = aware.utcoffset()  # fold=0: offset in force before a transition
    off_second = aware.replace(fold=1).utcoffset()  # fold=1: offset after it
    if off_first >= off_second:
        # Equal: an ordinary reading. Greater: the fall-back overlap, where fold=0
        # (the larger, pre-transition offset) is the first occurrence - what we want.
        return (wall - off_first).replace(tzinfo=UTC)

    # The reading is in a gap. The transition instant T is the answer: at T the
    # clock jumps from the gap start straight to the gap end. zoneinfo does not
    # expose T, so bisect for the first instant whose reading is >= wall.
    # Invariant: reading(lo) < wall <= reading(lo + hi_us).
    lo = wall - off_second
    hi_us = (off_second - off_first) // _ONE_US
    lo_us = 0
    while hi_us - lo_us > 1:
        mid = (lo_us + hi_us) // 2
        probe = (lo + timedelta(microseconds=mid)).replace(tzinfo=UTC)
        if probe.astimezone(tz).replace(tzinfo=None) >= wall:
            hi_us = mid
        else:
            lo_us = mid
    return (lo + timedelta(microseconds=hi_us)).replace(tzinfo=UTC)


def _as_utc(value: object, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware, got naive {value!r}; "
            "attach a zone, e.g. value.replace(tzinfo=ZoneInfo('Europe/London'))"
        )
    return value.astimezone(UTC)


def _steady_offset(tz: tzinfo, first: int, days: int) -> timedelta | None:
    """The UTC offset of local days ``[first, first + days)`` if it never changes there.

    Compares the offsets in force at each local midnight from ``first`` to
    ``first + days``; returns None if any differ. Zones change their offset at
    most once a day, so equal offsets at consecutive midnights mean no change
    in between. A change exactly at the first midnight is caught too: with
    fold=0 that midnight reports the offset from before the change.
    ``tz.utcoffset`` is asked about naive wall-clock datetimes, which zoneinfo
    and datetime.timezone support (and which avoids costly ``replace`` calls).
    """
    midnight = datetime.fromordinal(first)
    utcoffset = tz.utcoffset
    offset = utcoffset(midnight)
    for step in _DAY_STEPS[1 : days + 1]:
        if utcoffset(midnight + step) != offset:
            return None
    return offset


# The answer depends only on the zone, not on the calendar, so it is cached
# across calendars: a calendar built afresh for each request reuses it.
_steady_offset_cached = lru_cache(maxsize=32_768)(_steady_offset)


def _utc_base(ordinal: int, offset: timedelta) -> datetime:
    """The UTC instant of local midnight starting day ``ordinal`` under ``offset``."""
    # combine() with an aware time is much cheaper than datetime.replace(tzinfo=...).
    return datetime.combine(date.fromordinal(ordinal), _UTC_MIDNIGHT) - offset


def _weekday(ordinal: int) -> int:
    # date.fromordinal(1) is Monday 0001-01-01, so this equals date.weekday().
    return (ordinal - 1) % 7
