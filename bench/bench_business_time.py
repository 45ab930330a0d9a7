"""Micro-benchmark for core.business_time.

Run from anywhere:  python bench/bench_business_time.py

"warm" reuses one calendar, so the per-day cache is already filled; that is the
normal case when calendars are built once and kept. "cold" builds a new
calendar for every call (construction included), as code that rebuilds a
calendar from database rows on each request would; the module-level cache of
which weeks have a clock change (per zone, shared by all calendars) stays warm.
"zone cache cleared" empties that too: the first call in a fresh process.
"""

from __future__ import annotations

import random
import sys
import timeit
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.business_time import (  # noqa: E402  (needs the sys.path line above)
    BusinessCalendar,
    Closure,
    WorkingRange,
    _steady_offset_cached,  # only to time a first call in a fresh process
    add_business_time,
    business_time_between,
    next_open_instant,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
TARGET_US = 1000.0
OFFICE_HOURS = [WorkingRange(d, time(9), time(17)) for d in range(5)]


def dense_holidays(count: int = 200) -> list[Closure]:
    """``count`` weekday closures over 2026-2029: about one a week, the worst case
    for the whole-week shortcut (a week with a closure is counted day by day)."""
    weekdays = []
    day = date(2026, 1, 1)
    while day < date(2030, 1, 1):
        if day.weekday() < 5:
            weekdays.append(day)
        day += timedelta(days=1)
    rng = random.Random(2026)  # fixed seed: the same calendar every run
    return [Closure(d) for d in sorted(rng.sample(weekdays, count))]


SPARSE = [  # England and Wales bank holidays 2026: 8 a year
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
    date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
]  # fmt: skip


def per_call_us(stmt, number: int | None = None, repeat: int = 5) -> tuple[float, int]:
    """Best-of-``repeat`` time per call in microseconds, and the loop count used."""
    timer = timeit.Timer(stmt)
    if number is None:
        number, _ = timer.autorange()
    best = min(timer.repeat(repeat=repeat, number=number))
    return best / number * 1e6, number


def report(label: str, stmt, target: float | None = None, number: int | None = None) -> None:
    us, n = per_call_us(stmt, number)
    verdict = ""
    if target is not None:
        verdict = "  OK (< 1 ms)" if us < target else "  ** OVER 1 ms TARGET **"
    print(f"  {label:<62} {us:>9.1f} us/call  (x{n}){verdict}")


def main() -> None:
    holidays = dense_holidays()
    dense = BusinessCalendar(LONDON, OFFICE_HOURS, holidays)
    sparse = BusinessCalendar(LONDON, OFFICE_HOURS, [Closure(d) for d in SPARSE])
    night = BusinessCalendar(
        NEW_YORK,
        [WorkingRange(d, time(22), time(6)) for d in range(5)],
        [Closure(d) for d in SPARSE],
    )
    always = BusinessCalendar.always_open("Europe/London")

    start = datetime(2026, 3, 2, 9, tzinfo=LONDON)  # Monday; the 30 days cross the clock change
    thirty_days = timedelta(hours=30 * 8)
    year_start = datetime(2026, 1, 1, tzinfo=LONDON)
    year_end = datetime(2027, 1, 1, tzinfo=LONDON)
    friday_evening = datetime(2026, 4, 2, 18, tzinfo=LONDON)  # before Good Friday

    # Sanity: the benchmark measures correct answers.
    due = add_business_time(dense, start, thirty_days)
    year = business_time_between(dense, year_start, year_end)
    assert business_time_between(dense, start, due) == thirty_days

    print(f"Python {sys.version.split()[0]}, Mon-Fri 09:00-17:00 Europe/London")
    print(f"dense calendar: {len(holidays)} closures 2026-2029 (all on weekdays)")
    print(f"  add 30 business days from {start:%a %Y-%m-%d %H:%M} -> {due.astimezone(LONDON)}")
    print(f"  business time in 2026 = {year} ({year / timedelta(hours=1):.0f} h)")
    print()

    print("Targets (< 1 ms per call):")
    report(
        "add_business_time 30 x 8h, dense holidays, warm",
        lambda: add_business_time(dense, start, thirty_days),
        TARGET_US,
    )
    report(
        "business_time_between full year, dense holidays, warm",
        lambda: business_time_between(dense, year_start, year_end),
        TARGET_US,
    )
    report(
        "add_business_time 30 x 8h, dense holidays, cold",
        lambda: add_business_time(
            BusinessCalendar(LONDON, OFFICE_HOURS, holidays), start, thirty_days
        ),
        TARGET_US,
    )
    report(
        "business_time_between full year, dense holidays, cold",
        lambda: business_time_between(
            BusinessCalendar(LONDON, OFFICE_HOURS, holidays), year_start, year_end
        ),
        TARGET_US,
    )
    report(
        "business_time_between full year, dense, cold + zone cache cleared",
        lambda: (
            _steady_offset_cached.cache_clear(),
            business_time_between(
                BusinessCalendar(LONDON, OFFICE_HOURS, holidays), year_start, year_end
            ),
        ),
        TARGET_US,
    )
    print()

    print("Other operations:")
    report(
        "BusinessCalendar(...) construction, 200 closures",
        lambda: BusinessCalendar(LONDON, OFFICE_HOURS, holidays),
    )
    report(
        "business_time_between full year, 8 bank holidays, warm",
        lambda: business_time_between(sparse, year_start, year_end),
    )
    report(
        "business_time_between full year, 8 bank holidays, cold",
        lambda: business_time_between(
            BusinessCalendar(LONDON, OFFICE_HOURS, [Closure(d) for d in SPARSE]),
            year_start,
            year_end,
        ),
    )
    report(
        "business_time_between 10 years, 8 bank holidays/yr, warm",
        lambda: business_time_between(sparse, year_start, year_start + timedelta(days=3652)),
    )
    report(
        "add_business_time 2h (Friday 16:30 case), warm",
        lambda: add_business_time(
            dense, datetime(2026, 1, 16, 16, 30, tzinfo=LONDON), timedelta(hours=2)
        ),
    )
    report(
        "next_open_instant over Easter weekend, warm",
        lambda: next_open_instant(sparse, friday_evening),
    )
    report(
        "open_intervals for one month, listed, warm",
        lambda: list(
            dense.open_intervals(
                datetime(2026, 3, 1, tzinfo=LONDON), datetime(2026, 4, 1, tzinfo=LONDON)
            )
        ),
    )
    report(
        "night shift (America/New_York) full year between, warm",
        lambda: business_time_between(night, year_start, year_end),
    )
    report(
        "night shift (America/New_York) full year between, cold",
        lambda: business_time_between(
            BusinessCalendar(
                NEW_YORK,
                [WorkingRange(d, time(22), time(6)) for d in range(5)],
                [Closure(d) for d in SPARSE],
            ),
            year_start,
            year_end,
        ),
    )
    report(
        "always_open add_business_time 30 days",
        lambda: add_business_time(always, start, thirty_days),
    )


if __name__ == "__main__":
    main()
