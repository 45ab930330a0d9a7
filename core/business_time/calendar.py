"""Business-hours arithmetic for Switchboard.

A :class:`BusinessCalendar` describes when a contact centre is open:

* an IANA time zone (``"Europe/London"``) in which all hours are written,
* weekly working hours as :class:`WorkingRange` blocks (several per weekday are
  fine; a block may cross midnight, e.g. a Monday 22:00-06:00 night shift), and
* :class:`Closure` entries (bank holidays, a half day on Christmas Eve, ...).

On top of a calendar the module answers the three questions an SLA engine asks:

* :func:`add_business_time` - when is a 4-business-hour deadline due?
* :func:`business_time_between` - how much business time did this ticket wait?
* :func:`next_open_instant` - when does the clock start ticking?

and :meth:`BusinessCalendar.open_intervals` lists the open periods themselves.

Conventions
-----------
* Every ``datetime`` argument must be timezone-aware (any zone); naive values
  raise ``ValueError``. Every returned ``datetime`` is in UTC.
* Durations are ``datetime.timedelta`` and mean *real elapsed time* spent inside
  open hours, i.e. UTC time, not wall-clock time.
* Working hours and closures are wall-clock times in the calendar's zone. They
  are turned into UTC instants with these daylight-saving rules:

  - A wall time that does not exist (it falls in the spring-forward gap) means
    the instant the gap ends. London's clocks jump from 01:00 to 02:00 on the
    last Sunday of March, so a shift "starting at 01:30" starts at 02:00 BST.
  - A wall time that happens twice (the fall-back overlap) means its *first*
    occurrence (``fold=0``), for range starts, range ends and closures alike.
  - Consequently a range that spans the spring-forward gap is shorter in real
    time and one that spans the fall-back overlap is longer: London's Sunday
    00:00-04:00 lasts 3 real hours in late March and 5 in late October.

  An equivalent way to picture the rules: an instant is open when the *highest
  reading the local wall clock has shown so far* lies inside working hours and
  outside closures. During the repeated fall-back hour the clock replays
  readings it has already shown, so the status reached at the first pass holds.
* A closure covers its own local day only, in the same wall-clock terms (a
  closure from 01:00 to 02:00 on a fall-back day closes both passes of 01:xx).

How it is computed
------------------
The weekly hours are turned once into a per-weekday template of wall-clock
segments. A local day's open time is its template minus that day's closures,
mapped to UTC; days are cached per calendar. On a day without a clock change
the mapping is a single subtraction of the UTC offset, so the careful
gap/overlap handling only runs on transition days. Long spans are counted a
week at a time: in a week without a clock change, open time is the template's
weekly total less what that week's closures remove (kept as prefix sums over
the closure dates). Whether a week or day has a clock change depends only on
the zone, so that answer is cached across calendars.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from datetime import datetime, time, timedelta, timezone, tzinfo
from functools import wraps
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .blocks import (
    _DAY_CACHE_LIMIT,
    _LAST_DAY,
    _ONE_DAY,
    _ONE_WEEK,
    _ZERO,
    PAST_THE_LAST_YEAR,
    SEARCH_HORIZON_DAYS,
    Closure,
    WorkingRange,
    _as_utc,
    _merge,
    _offset_in_day,
    _steady_offset_cached,
    _subtract,
    _total,
    _utc_base,
    _weekday,
    wall_to_utc,
)

__all__ = [
    "BusinessCalendar",
    "Closure",
    "WorkingRange",
    "add_business_time",
    "business_time_between",
    "next_open_instant",
]

# --------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------

_Pieces = tuple[tuple[datetime, datetime], ...]
# (UTC start, UTC end, open time) of one local Monday-to-Sunday week.
_Week = tuple[datetime, datetime, timedelta]


class BusinessCalendar:
    """Weekly working hours plus closures in one time zone.

    ``tz`` is an IANA name, a ``ZoneInfo`` or a fixed ``datetime.timezone``.
    ``ranges`` are :class:`WorkingRange` blocks (overlaps are merged) and
    ``closures`` are :class:`Closure` entries. See the module docstring for how
    wall-clock hours map to real time across daylight-saving changes.

    >>> from datetime import date, datetime, time
    >>> from zoneinfo import ZoneInfo
    >>> london = ZoneInfo("Europe/London")
    >>> cal = BusinessCalendar(
    ...     "Europe/London",
    ...     [WorkingRange(day, time(9), time(17)) for day in range(5)],  # Mon-Fri 9-5
    ...     [Closure(date(2026, 5, 4))],  # Early May bank holiday
    ... )
    >>> next_open_instant(cal, datetime(2026, 5, 2, 12, 0, tzinfo=london))  # a Saturday
    datetime.datetime(2026, 5, 5, 8, 0, tzinfo=datetime.timezone.utc)

    (Tuesday 09:00 BST is 08:00 UTC.) A calendar is immutable; it caches the
    UTC intervals of each local day it has looked at, so reuse one instance
    for many calculations. Sharing one between threads is fine: the caches
    only ever gain correct entries.
    """

    def __init__(
        self,
        tz: str | tzinfo,
        ranges: Iterable[WorkingRange],
        closures: Iterable[Closure] = (),
    ) -> None:
        self._tz = _coerce_tz(tz)
        self._ranges = tuple(ranges)
        self._closures = tuple(closures)
        for r in self._ranges:
            if not isinstance(r, WorkingRange):
                raise TypeError(f"ranges must contain WorkingRange objects, got {r!r}")
        for c in self._closures:
            if not isinstance(c, Closure):
                raise TypeError(f"closures must contain Closure objects, got {c!r}")

        # Weekly template: for each weekday, the open parts of that local day as
        # offsets from midnight. A block crossing midnight is split so every
        # day's segments lie within [00:00, 24:00); Sunday night wraps to Monday.
        per_day: list[list[tuple[timedelta, timedelta]]] = [[] for _ in range(7)]
        for r in self._ranges:
            a, b = _offset_in_day(r.start), _offset_in_day(r.end)
            if b > a:
                per_day[r.weekday].append((a, b))
            else:
                per_day[r.weekday].append((a, _ONE_DAY))
                if b > _ZERO:
                    per_day[(r.weekday + 1) % 7].append((_ZERO, b))
        self._segments = tuple(_merge(day) for day in per_day)
        # Open time of a week without closures in which every wall-clock hour
        # lasts one real hour (no DST change).
        self._week_total = _total(seg for day in self._segments for seg in day)

        # Closures indexed by local date ordinal, keeping only those that remove
        # working time (the others change nothing). For each closed day also
        # record how much nominal working time it removes, as prefix sums over
        # the sorted days, so the loss within any run of days takes two bisects.
        cuts: dict[int, list[tuple[timedelta, timedelta]]] = {}
        for c in self._closures:
            cuts.setdefault(c.day.toordinal(), []).append(c.window)
        day_totals = [_total(day) for day in self._segments]
        whole_day = ((_ZERO, _ONE_DAY),)
        self._cuts: dict[int, tuple[tuple[timedelta, timedelta], ...]] = {}
        losses: dict[int, timedelta] = {}
        for ordinal, windows in cuts.items():
            weekday = _weekday(ordinal)
            segments = self._segments[weekday]
            if not segments:
                continue
            merged = _merge(windows) if len(windows) > 1 else tuple(windows)
            if merged == whole_day:  # the common case: a bank holiday
                self._cuts[ordinal] = merged
                losses[ordinal] = day_totals[weekday]
                continue
            left = _subtract(segments, merged)
            if left != segments:
                self._cuts[ordinal] = merged
                losses[ordinal] = day_totals[weekday] - _total(left)
        self._cut_days = sorted(self._cuts)
        self._loss_prefix = [_ZERO]
        for ordinal in self._cut_days:
            self._loss_prefix.append(self._loss_prefix[-1] + losses[ordinal])

        self._always_open = not self._cuts and all(
            day == ((_ZERO, _ONE_DAY),) for day in self._segments
        )
        self._day_cache: dict[int, _Pieces] = {}
        self._week_cache: dict[int, _Week | None] = {}

    @classmethod
    def always_open(cls, tz: str | tzinfo = "UTC") -> BusinessCalendar:
        """A 24x7 calendar without closures; business time equals real time.

        >>> cal = BusinessCalendar.always_open("Europe/London")
        >>> from datetime import datetime, timedelta, timezone
        >>> add_business_time(cal, datetime(2026, 3, 28, 12, tzinfo=timezone.utc),
        ...                   timedelta(days=1))
        datetime.datetime(2026, 3, 29, 12, 0, tzinfo=datetime.timezone.utc)
        """
        return cls(tz, [WorkingRange(day, time(0), time(0)) for day in range(7)])

    # -- read-only views -------------------------------------------------

    @property
    def tz(self) -> tzinfo:
        """The zone the working hours and closures are written in."""
        return self._tz

    @property
    def ranges(self) -> tuple[WorkingRange, ...]:
        return self._ranges

    @property
    def closures(self) -> tuple[Closure, ...]:
        return self._closures

    @property
    def is_always_open(self) -> bool:
        """True for a 24x7 calendar without closures (uses plain arithmetic)."""
        return self._always_open

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({str(self._tz)!r}, {len(self._ranges)} ranges, "
            f"{len(self._closures)} closures)"
        )

    # -- public query ----------------------------------------------------

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Yield the open periods intersecting ``[start, end)`` as UTC pairs.

        Each pair is half-open ``[open, close)`` and clipped to the requested
        window; pairs are in order, non-overlapping and maximal (a night shift
        running over midnight is one pair, not two). Arguments are validated
        immediately, before iteration starts.

        >>> from datetime import datetime, time
        >>> from zoneinfo import ZoneInfo
        >>> ny = ZoneInfo("America/New_York")
        >>> cal = BusinessCalendar(ny, [WorkingRange(0, time(22), time(6))])
        >>> for pair in cal.open_intervals(datetime(2026, 1, 5, tzinfo=ny),
        ...                                datetime(2026, 1, 7, tzinfo=ny)):
        ...     print([t.isoformat() for t in pair])
        ['2026-01-06T03:00:00+00:00', '2026-01-06T11:00:00+00:00']
        """
        s = _as_utc(start, "start")
        e = _as_utc(end, "end")
        if e <= s:
            return iter(())
        if self._always_open:
            return iter(((s, e),))
        return self._iter_open(s, e)

    # -- internals -------------------------------------------------------

    def _local_ordinal(self, instant: datetime) -> int:
        return instant.astimezone(self._tz).toordinal()

    def _day_pieces(self, ordinal: int) -> _Pieces:
        """UTC open intervals of one local day, cached per calendar."""
        pieces = self._day_cache.get(ordinal)
        if pieces is None:
            pieces = self._compute_day(ordinal)
            if len(self._day_cache) >= _DAY_CACHE_LIMIT:
                self._day_cache.clear()
            self._day_cache[ordinal] = pieces
        return pieces

    def _compute_day(self, ordinal: int) -> _Pieces:
        """Open time of local day ``ordinal`` as sorted, disjoint UTC pairs.

        Every pair lies within [local 00:00, next local 00:00) of that day, so
        days partition the timeline and can be summed independently. Pairs of
        consecutive days may touch (a shift crossing midnight).
        """
        segments = self._segments[_weekday(ordinal)]
        cuts = self._cuts.get(ordinal)
        if cuts:
            segments = _subtract(segments, cuts)
        if not segments:
            return ()

        tz = self._tz
        offset = _steady_offset_cached(tz, ordinal, 1)
        if offset is not None:
            # No clock change today: wall time maps to UTC by one subtraction.
            base = _utc_base(ordinal, offset)
            return tuple((base + a, base + b) for a, b in segments)
        midnight = datetime.fromordinal(ordinal)

        # Transition day: map each boundary on its own. A segment lying wholly
        # inside a spring-forward gap vanishes (both ends map to the gap's end);
        # a wall-clock pause lying inside the gap vanishes too, so pieces on
        # either side of it become one.
        pieces: list[tuple[datetime, datetime]] = []
        for a, b in segments:
            ua = wall_to_utc(midnight + a, tz)
            ub = wall_to_utc(midnight + b, tz)
            if ub <= ua:
                continue
            if pieces and pieces[-1][1] >= ua:
                pieces[-1] = (pieces[-1][0], ub)
            else:
                pieces.append((ua, ub))
        return tuple(pieces)

    def _week(self, monday: int) -> _Week | None:
        """UTC span and open time of the local week starting at ``monday``.

        Long spans are counted a week at a time instead of day by day. That is
        only exact when the UTC offset is the same at all eight midnights of
        the week (no DST change, given zones change at most once a day): then
        each wall-clock hour is one real hour and the week's open time is the
        weekly template total less what its closures remove. Returns None for
        a week containing a clock change; such weeks are walked day by day.
        Cached per calendar.
        """
        try:
            return self._week_cache[monday]
        except KeyError:
            pass
        week: _Week | None = None
        offset = _steady_offset_cached(self._tz, monday, 7)
        if offset is not None:
            cut_days = self._cut_days
            first = bisect_left(cut_days, monday)
            stop = bisect_left(cut_days, monday + 7, first)
            lost = self._loss_prefix[stop] - self._loss_prefix[first]
            start = _utc_base(monday, offset)
            week = (start, start + _ONE_WEEK, self._week_total - lost)
        if len(self._week_cache) >= _DAY_CACHE_LIMIT:
            self._week_cache.clear()
        self._week_cache[monday] = week
        return week

    def _iter_open(self, s: datetime, e: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = self._local_ordinal(s)
        # e lies in local day _local_ordinal(e) or, after a fall-back at
        # midnight, in the day after it; extra days are clipped away anyway.
        last = self._local_ordinal(e) + 1
        if last > _LAST_DAY:
            raise ValueError(PAST_THE_LAST_YEAR)
        current: tuple[datetime, datetime] | None = None
        while day <= last:
            for a, b in self._day_pieces(day):
                if b <= s:
                    continue
                if a >= e:
                    day = last  # this and every later piece start past e: stop
                    break
                a = max(a, s)
                b = min(b, e)
                if current is not None and a <= current[1]:
                    current = (current[0], b)
                else:
                    if current is not None:
                        yield current
                    current = (a, b)
            day += 1
        if current is not None:
            yield current

    def _between(self, s: datetime, e: datetime) -> timedelta:
        total = _ZERO
        day = self._local_ordinal(s)
        last = self._local_ordinal(e) + 1
        if last > _LAST_DAY:
            raise ValueError(PAST_THE_LAST_YEAR)
        pieces_of = self._day_pieces
        while day <= last:
            # Whole-week step: O(weeks) instead of O(days) for long spans.
            if _weekday(day) == 0 and day + 7 <= last:
                week = self._week(day)
                if week is not None and week[0] >= s and week[1] <= e:
                    total += week[2]
                    day += 7
                    continue
            for a, b in pieces_of(day):
                if b <= s:
                    continue
                if a >= e:
                    return total
                total += (b if b < e else e) - (a if a > s else s)
            day += 1
        return total

    def _require_working_time(self) -> None:
        if self._week_total == _ZERO:
            raise ValueError(
                "calendar has no working time at all (no working ranges), so it never opens"
            )

    def _horizon_error(self, since: datetime) -> ValueError:
        return ValueError(
            f"calendar has no open time within {SEARCH_HORIZON_DAYS} days after "
            f"{since.isoformat()}; are all working days closed?"
        )

    def _add(self, s: datetime, remaining: timedelta) -> datetime:
        self._require_working_time()
        pieces_of = self._day_pieces
        day = self._local_ordinal(s)
        last_progress = day
        while True:
            if day - last_progress > SEARCH_HORIZON_DAYS:
                raise self._horizon_error(s)
            if day > _LAST_DAY:
                raise ValueError(PAST_THE_LAST_YEAR)
            # Whole-week step, only when the week cannot contain the answer
            # (strictly less open time than is left, so an exact finish on the
            # week's last closing is still located precisely below).
            if _weekday(day) == 0:
                week = self._week(day)
                if week is not None and week[0] >= s and week[2] < remaining:
                    remaining -= week[2]
                    day += 7
                    if week[2]:
                        last_progress = day
                    continue
            for a, b in pieces_of(day):
                if b <= s:
                    continue
                if a < s:
                    a = s
                length = b - a
                if remaining <= length:
                    # Exhausted here; if exactly at b this is the closing instant.
                    return a + remaining
                remaining -= length
                last_progress = day
            day += 1

    def _next_open(self, at: datetime) -> datetime:
        self._require_working_time()
        day = self._local_ordinal(at)
        stop = day + SEARCH_HORIZON_DAYS
        while day <= stop:
            if day > _LAST_DAY:
                raise ValueError(PAST_THE_LAST_YEAR)
            for a, b in self._day_pieces(day):
                if b > at:
                    return a if a > at else at
            day += 1
        raise self._horizon_error(at)


def _coerce_tz(tz: str | tzinfo) -> tzinfo:
    # Only zoneinfo and fixed offsets: both map wall times with PEP 495 folds,
    # which the DST rules above rely on (pytz zones, for one, do not).
    if isinstance(tz, ZoneInfo | timezone):
        return tz
    if isinstance(tz, str):
        try:
            return ZoneInfo(tz)
        # OSError: "Europe" names a folder of the zone database, a long name none.
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
    raise TypeError(
        "tz must be an IANA zone name, a zoneinfo.ZoneInfo or a datetime.timezone, "
        f"got {type(tz).__name__}"
    )


def _within_the_last_year(function):
    """Arithmetic that would pass 9999-12-31 raises ValueError, like every other
    answer these functions cannot give, instead of datetime's OverflowError."""

    @wraps(function)
    def checked(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except OverflowError as exc:
            raise ValueError(PAST_THE_LAST_YEAR) from exc

    return checked


def _check_calendar(calendar: object) -> BusinessCalendar:
    if not isinstance(calendar, BusinessCalendar):
        raise TypeError(f"calendar must be a BusinessCalendar, got {type(calendar).__name__}")
    return calendar


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------


@_within_the_last_year
def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The UTC instant at which ``duration`` of business time after ``start`` is used up.

    Counting starts at ``start`` if the calendar is open then, otherwise at the
    next opening (a clock started outside hours waits for the open). Adding
    zero therefore returns :func:`next_open_instant`. When the duration runs
    out exactly at a closing time the closing instant is returned, not the
    next opening. Raises ``ValueError`` for a naive ``start``, a negative
    duration, a calendar that never opens, or an answer after the year 9999.

    Friday 16:30 plus two business hours on Mon-Fri 09:00-17:00 is Monday 10:30:

    >>> from datetime import datetime, time, timedelta
    >>> from zoneinfo import ZoneInfo
    >>> london = ZoneInfo("Europe/London")
    >>> cal = BusinessCalendar(london, [WorkingRange(d, time(9), time(17)) for d in range(5)])
    >>> add_business_time(cal, datetime(2026, 1, 16, 16, 30, tzinfo=london), timedelta(hours=2))
    datetime.datetime(2026, 1, 19, 10, 30, tzinfo=datetime.timezone.utc)
    >>> add_business_time(cal, datetime(2026, 1, 16, 9, tzinfo=london), timedelta(hours=8))
    datetime.datetime(2026, 1, 16, 17, 0, tzinfo=datetime.timezone.utc)
    """
    cal = _check_calendar(calendar)
    s = _as_utc(start, "start")
    if not isinstance(duration, timedelta):
        raise TypeError(f"duration must be a timedelta, got {type(duration).__name__}")
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration!r}")
    if cal._always_open:
        return s + duration
    if duration == _ZERO:
        return cal._next_open(s)
    return cal._add(s, duration)


@_within_the_last_year
def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Real time inside open hours within ``[start, end)``; ``timedelta(0)`` if ``end <= start``.

    This is the inverse of :func:`add_business_time`: for a positive duration
    ``d``, ``business_time_between(cal, s, add_business_time(cal, s, d)) == d``.

    >>> from datetime import datetime, time
    >>> from zoneinfo import ZoneInfo
    >>> london = ZoneInfo("Europe/London")
    >>> cal = BusinessCalendar(london, [WorkingRange(d, time(9), time(17)) for d in range(5)])
    >>> business_time_between(cal, datetime(2026, 1, 16, 16, tzinfo=london),
    ...                       datetime(2026, 1, 19, 10, tzinfo=london))   # Fri 16:00 -> Mon 10:00
    datetime.timedelta(seconds=7200)
    """
    cal = _check_calendar(calendar)
    s = _as_utc(start, "start")
    e = _as_utc(end, "end")
    if e <= s:
        return _ZERO
    if cal._always_open:
        return e - s
    return cal._between(s, e)


@_within_the_last_year
def next_open_instant(calendar: BusinessCalendar, at: datetime) -> datetime:
    """The first instant at or after ``at`` when the calendar is open, in UTC.

    Returns ``at`` itself (converted to UTC) when the calendar is open at
    ``at``. Raises ``ValueError`` for a naive ``at`` or a calendar that never
    opens (no working ranges, or nothing open within ten years).

    >>> from datetime import datetime, time
    >>> from zoneinfo import ZoneInfo
    >>> ny = ZoneInfo("America/New_York")
    >>> cal = BusinessCalendar(ny, [WorkingRange(d, time(9), time(17)) for d in range(5)])
    >>> next_open_instant(cal, datetime(2026, 1, 9, 18, tzinfo=ny))  # Fri 18:00 -> Mon 09:00
    datetime.datetime(2026, 1, 12, 14, 0, tzinfo=datetime.timezone.utc)
    >>> next_open_instant(cal, datetime(2026, 1, 9, 10, tzinfo=ny))  # open: unchanged
    datetime.datetime(2026, 1, 9, 15, 0, tzinfo=datetime.timezone.utc)
    """
    cal = _check_calendar(calendar)
    a = _as_utc(at, "at")
    if cal._always_open:
        return a
    return cal._next_open(a)
