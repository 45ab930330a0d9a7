"""Tests for core.business_time: worked examples, errors, and property tests.

The property tests compare the module with ``MinuteOracle`` below, a
deliberately slow and simple reference that decides open/closed one minute at a
time in local wall-clock terms. Everything in those tests is minute-aligned
(zone offsets, DST transitions, range and closure times on 15-minute
boundaries, starts and durations in whole minutes), so sampling each minute at
its start is exact.
"""

from __future__ import annotations

import doctest
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core import business_time
from core.business_time import (
    BusinessCalendar,
    Closure,
    WorkingRange,
    add_business_time,
    business_time_between,
    next_open_instant,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def weekdays_9_to_5(tz=LONDON, closures=()) -> BusinessCalendar:
    """Mon-Fri 09:00-17:00: the calendar most examples use."""
    return BusinessCalendar(tz, [WorkingRange(d, time(9), time(17)) for d in range(5)], closures)


def pairs_in(tz, intervals):
    """Intervals as local naive datetimes, for readable assertions."""
    return [
        (a.astimezone(tz).replace(tzinfo=None), b.astimezone(tz).replace(tzinfo=None))
        for a, b in intervals
    ]


# ==========================================================================
# Worked examples a contact-centre manager would recognise
# ==========================================================================


class TestOfficeHoursLondon:
    def test_friday_afternoon_plus_two_hours_is_monday_morning(self):
        cal = weekdays_9_to_5()
        due = add_business_time(cal, datetime(2026, 1, 16, 16, 30, tzinfo=LONDON), h(2))
        assert due == datetime(2026, 1, 19, 10, 30, tzinfo=LONDON)
        assert due.tzinfo is UTC

    def test_same_in_summer_time_returns_utc(self):
        cal = weekdays_9_to_5()
        due = add_business_time(cal, datetime(2026, 6, 12, 16, 30, tzinfo=LONDON), h(2))
        assert due == datetime(2026, 6, 15, 10, 30, tzinfo=LONDON)
        assert due == datetime(2026, 6, 15, 9, 30, tzinfo=UTC)  # BST is UTC+1

    def test_ticket_raised_on_saturday_counts_from_monday_nine(self):
        cal = weekdays_9_to_5()
        saturday = datetime(2026, 1, 17, 11, 0, tzinfo=LONDON)
        monday_nine = datetime(2026, 1, 19, 9, 0, tzinfo=LONDON)
        assert next_open_instant(cal, saturday) == monday_nine
        assert add_business_time(cal, saturday, timedelta(0)) == monday_nine
        assert add_business_time(cal, saturday, h(1)) == monday_nine + HOUR
        assert business_time_between(cal, saturday, monday_nine) == timedelta(0)

    def test_bank_holiday_monday_pushes_to_tuesday(self):
        cal = weekdays_9_to_5(closures=[Closure(date(2026, 5, 4))])  # Early May bank holiday
        due = add_business_time(cal, datetime(2026, 5, 1, 16, 30, tzinfo=LONDON), h(2))
        assert due == datetime(2026, 5, 5, 10, 30, tzinfo=LONDON)
        span = (datetime(2026, 5, 1, 9, tzinfo=LONDON), datetime(2026, 5, 5, 17, tzinfo=LONDON))
        assert business_time_between(cal, *span) == h(16)

    def test_christmas_eve_closes_at_one(self):
        cal = weekdays_9_to_5(
            closures=[
                Closure(date(2026, 12, 24), start=time(13)),  # Thursday afternoon
                Closure(date(2026, 12, 25)),  # Christmas Day (Friday)
                Closure(date(2026, 12, 28)),  # Boxing Day substitute (Monday)
            ]
        )
        eve = date(2026, 12, 24)
        noon = datetime.combine(eve, time(12), LONDON)
        # One hour before the early close, the second hour on Tuesday morning.
        assert add_business_time(cal, noon, h(2)) == datetime(2026, 12, 29, 10, tzinfo=LONDON)
        # Running out exactly at the early close returns the close, not Tuesday.
        assert add_business_time(cal, noon, h(1)) == datetime.combine(eve, time(13), LONDON)
        day = (datetime.combine(eve, time(9), LONDON), datetime.combine(eve, time(17), LONDON))
        assert business_time_between(cal, *day) == h(4)
        afternoon = datetime.combine(eve, time(14), LONDON)
        assert next_open_instant(cal, afternoon) == datetime(2026, 12, 29, 9, tzinfo=LONDON)

    def test_late_opening_closure(self):
        # Staff training: closed until 10:30 on Monday 12 Jan 2026.
        cal = weekdays_9_to_5(closures=[Closure(date(2026, 1, 12), end=time(10, 30))])
        monday = datetime(2026, 1, 12, 8, tzinfo=LONDON)
        assert next_open_instant(cal, monday) == datetime(2026, 1, 12, 10, 30, tzinfo=LONDON)
        assert business_time_between(cal, monday, monday + h(10)) == h(6.5)

    def test_several_closures_on_one_day(self):
        cal = weekdays_9_to_5(
            closures=[
                Closure(date(2026, 1, 12), start=time(9), end=time(10)),
                Closure(date(2026, 1, 12), start=time(12), end=time(14)),
                Closure(date(2026, 1, 12), start=time(13), end=time(15)),  # overlaps
            ]
        )
        day = datetime(2026, 1, 12, tzinfo=LONDON)
        assert pairs_in(LONDON, cal.open_intervals(day, day + h(24))) == [
            (datetime(2026, 1, 12, 10), datetime(2026, 1, 12, 12)),
            (datetime(2026, 1, 12, 15), datetime(2026, 1, 12, 17)),
        ]

    def test_closure_on_a_weekend_changes_nothing(self):
        plain = weekdays_9_to_5()
        with_weekend_closure = weekdays_9_to_5(closures=[Closure(date(2026, 1, 17))])  # Sat
        s = datetime(2026, 1, 16, 12, tzinfo=LONDON)
        assert add_business_time(with_weekend_closure, s, h(10)) == add_business_time(
            plain, s, h(10)
        )

    def test_lunch_break_between_two_ranges(self):
        cal = BusinessCalendar(
            "Europe/London",
            [WorkingRange(d, time(9), time(12)) for d in range(5)]
            + [WorkingRange(d, time(13), time(17)) for d in range(5)],
        )
        mon = date(2026, 1, 12)

        def at(hh, mm=0):
            return datetime.combine(mon, time(hh, mm), LONDON)

        assert add_business_time(cal, at(11), h(2)) == at(14)
        assert add_business_time(cal, at(9), h(3)) == at(12)  # the closing, not 13:00
        assert add_business_time(cal, at(12, 30), timedelta(0)) == at(13)
        assert next_open_instant(cal, at(12, 30)) == at(13)
        assert business_time_between(cal, at(9), at(17)) == h(7)
        assert pairs_in(LONDON, cal.open_intervals(at(0), at(23))) == [
            (datetime(2026, 1, 12, 9), datetime(2026, 1, 12, 12)),
            (datetime(2026, 1, 12, 13), datetime(2026, 1, 12, 17)),
        ]

    def test_start_given_in_another_zone(self):
        cal = weekdays_9_to_5()
        start = datetime(2026, 1, 16, 11, 30, tzinfo=NEW_YORK)  # 16:30 in London
        assert add_business_time(cal, start, h(2)) == datetime(2026, 1, 19, 10, 30, tzinfo=LONDON)

    def test_fixed_offset_tzinfo_is_accepted(self):
        cal = BusinessCalendar(
            timezone(timedelta(hours=5, minutes=30)), [WorkingRange(0, time(9), time(17))]
        )
        start = datetime(2026, 1, 12, 3, 30, tzinfo=UTC)  # Monday 09:00 +05:30
        assert next_open_instant(cal, start - h(1)) == start
        assert add_business_time(cal, start, h(8)) == start + h(8)


class TestNightShift:
    """Mon-Fri night shift 22:00-06:00: each block ends the next morning."""

    cal = BusinessCalendar(LONDON, [WorkingRange(d, time(22), time(6)) for d in range(5)])

    def test_add_runs_out_of_shift_and_resumes_next_night(self):
        tuesday_5am = datetime(2026, 1, 13, 5, tzinfo=LONDON)
        due = add_business_time(self.cal, tuesday_5am, h(2))
        assert due == datetime(2026, 1, 13, 23, tzinfo=LONDON)

    def test_between_across_midnight(self):
        s = datetime(2026, 1, 12, 20, tzinfo=LONDON)  # Monday 20:00
        assert business_time_between(self.cal, s, s + h(12)) == h(8)

    def test_shift_over_midnight_is_one_interval(self):
        s = datetime(2026, 1, 12, 12, tzinfo=LONDON)
        assert pairs_in(LONDON, self.cal.open_intervals(s, s + h(24))) == [
            (datetime(2026, 1, 12, 22), datetime(2026, 1, 13, 6))
        ]

    def test_friday_night_runs_into_saturday_but_sunday_night_is_off(self):
        saturday_5am = datetime(2026, 1, 17, 5, tzinfo=LONDON)
        assert next_open_instant(self.cal, saturday_5am) == saturday_5am
        monday_1am = datetime(2026, 1, 19, 1, tzinfo=LONDON)  # no Sunday shift
        assert next_open_instant(self.cal, monday_1am) == datetime(2026, 1, 19, 22, tzinfo=LONDON)

    def test_closure_on_the_morning_after_cuts_the_shift(self):
        cal = BusinessCalendar(
            LONDON,
            [WorkingRange(0, time(22), time(6))],
            [Closure(date(2026, 1, 13))],  # Tuesday closed: Monday's shift stops at midnight
        )
        s = datetime(2026, 1, 12, 12, tzinfo=LONDON)
        assert business_time_between(cal, s, s + h(24)) == h(2)

    def test_sunday_night_wraps_into_monday(self):
        cal = BusinessCalendar("UTC", [WorkingRange(6, time(20), time(4))])
        s = datetime(2026, 1, 11, 12, tzinfo=UTC)  # Sunday noon
        assert list(cal.open_intervals(s, s + h(48))) == [
            (datetime(2026, 1, 11, 20, tzinfo=UTC), datetime(2026, 1, 12, 4, tzinfo=UTC))
        ]

    def test_start_equal_end_is_a_full_day_from_that_time(self):
        cal = BusinessCalendar("UTC", [WorkingRange(2, time(9), time(9))])  # Wed 09 -> Thu 09
        s = datetime(2026, 1, 12, tzinfo=UTC)
        assert list(cal.open_intervals(s, s + h(24 * 7))) == [
            (datetime(2026, 1, 14, 9, tzinfo=UTC), datetime(2026, 1, 15, 9, tzinfo=UTC))
        ]


class TestAlwaysOpen:
    @pytest.mark.parametrize("tz", ["UTC", "Europe/London", "America/New_York"])
    @pytest.mark.parametrize(
        "start",
        [
            datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # London spring forward
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # London fall back
            datetime(2026, 3, 8, 6, 45, tzinfo=UTC),  # New York spring forward
            datetime(2028, 2, 28, 23, 59, tzinfo=UTC),
        ],
    )
    @pytest.mark.parametrize("hours", [0, 0.25, 1, 5, 24, 24 * 40])
    def test_equals_plain_addition(self, tz, start, hours):
        fast = BusinessCalendar.always_open(tz)
        # Same hours, but a closure in 1999 keeps this one off the fast path.
        general = BusinessCalendar(
            tz, [WorkingRange(d, time(0), time(0)) for d in range(7)], [Closure(date(1999, 1, 1))]
        )
        assert fast.is_always_open and not general.is_always_open
        for cal in (fast, general):
            assert add_business_time(cal, start, h(hours)) == start + h(hours)
            assert business_time_between(cal, start, start + h(hours)) == h(hours)
            assert next_open_instant(cal, start) == start
        intervals = list(general.open_intervals(start, start + h(hours)))
        assert intervals == ([(start, start + h(hours))] if hours else [])

    def test_default_zone_is_utc(self):
        assert str(BusinessCalendar.always_open().tz) == "UTC"


class TestDaylightSaving:
    def sunday_early(self, tz, start=time(0), end=time(4)) -> BusinessCalendar:
        return BusinessCalendar(tz, [WorkingRange(6, start, end)])

    @pytest.mark.parametrize(
        ("sunday", "real_hours"),
        [
            (date(2026, 3, 29), 3),  # clocks go forward 01:00 -> 02:00
            (date(2026, 10, 25), 5),  # clocks go back 02:00 -> 01:00
            (date(2026, 6, 7), 4),  # an ordinary Sunday
        ],
    )
    def test_london_sunday_00_to_04(self, sunday, real_hours):
        cal = self.sunday_early(LONDON)
        s = datetime.combine(sunday, time(0), LONDON)
        assert business_time_between(cal, s - h(12), s + h(12)) == h(real_hours)
        [(a, b)] = cal.open_intervals(s - h(12), s + h(12))
        assert (a, b) == (s, datetime.combine(sunday, time(4), LONDON))

    def test_new_york_night_shift_over_spring_forward(self):
        cal = BusinessCalendar(NEW_YORK, [WorkingRange(5, time(22), time(6))])  # Sat night
        start = datetime(2026, 3, 7, 22, tzinfo=NEW_YORK)  # EST, 03:00 UTC
        assert start == datetime(2026, 3, 8, 3, tzinfo=UTC)
        assert list(cal.open_intervals(start - h(1), start + h(12))) == [
            (start, datetime(2026, 3, 8, 10, tzinfo=UTC))  # 06:00 EDT
        ]
        assert business_time_between(cal, start, start + h(12)) == h(7)
        # Four real hours into the shift the wall clock reads 03:00 EDT.
        due = add_business_time(cal, start, h(4))
        assert due.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 3, 8, 3)

    def test_new_york_night_shift_over_fall_back(self):
        cal = BusinessCalendar(NEW_YORK, [WorkingRange(5, time(22), time(6))])
        start = datetime(2026, 10, 31, 22, tzinfo=NEW_YORK)  # EDT, 02:00 UTC
        assert business_time_between(cal, start, start + h(12)) == h(9)
        due = add_business_time(cal, start, h(4))
        assert due == datetime(2026, 11, 1, 6, tzinfo=UTC)
        local = due.astimezone(NEW_YORK)
        assert (local.hour, local.fold) == (1, 1)  # the second 01:00, in EST

    @pytest.mark.parametrize(
        ("sunday", "real_minutes"),
        [(date(2026, 10, 4), 210), (date(2026, 4, 5), 270)],  # 30-minute DST shifts
    )
    def test_lord_howe_half_hour_shift(self, sunday, real_minutes):
        cal = self.sunday_early(LORD_HOWE)
        s = datetime.combine(sunday, time(0), LORD_HOWE)
        assert business_time_between(cal, s, s + h(24)) == timedelta(minutes=real_minutes)

    def test_range_starting_inside_the_gap_starts_when_the_gap_ends(self):
        cal = self.sunday_early(LONDON, time(1, 30), time(3))
        day = datetime(2026, 3, 29, tzinfo=UTC)
        # 01:30 does not exist: the range opens at 02:00 BST (01:00 UTC).
        assert list(cal.open_intervals(day, day + h(12))) == [(day + h(1), day + h(2))]

    def test_range_wholly_inside_the_gap_is_empty_that_day(self):
        cal = self.sunday_early(LONDON, time(1), time(1, 45))
        saturday = datetime(2026, 3, 28, 12, tzinfo=LONDON)
        assert business_time_between(cal, saturday, saturday + h(24)) == timedelta(0)
        # Next opening is a week later, 01:00 BST = 00:00 UTC.
        assert next_open_instant(cal, saturday) == datetime(2026, 4, 5, 0, tzinfo=UTC)

    def test_ambiguous_start_uses_first_occurrence(self):
        cal = self.sunday_early(LONDON, time(1, 30), time(3))
        day = datetime(2026, 10, 25, tzinfo=UTC)
        # First 01:30 is BST (00:30 UTC); 03:00 GMT is 03:00 UTC.
        assert list(cal.open_intervals(day - h(2), day + h(12))) == [(day + h(0.5), day + h(3))]

    def test_ambiguous_end_uses_first_occurrence(self):
        cal = self.sunday_early(LONDON, time(0), time(1, 30))
        day = datetime(2026, 10, 25, tzinfo=UTC)
        # 00:00 BST is Saturday 23:00 UTC; the first 01:30 is 00:30 UTC.
        assert list(cal.open_intervals(day - h(2), day + h(12))) == [(day - h(1), day + h(0.5))]

    def test_closure_over_the_repeated_hour_covers_both_passes(self):
        cal = BusinessCalendar(
            LONDON,
            [WorkingRange(6, time(0), time(4))],
            [Closure(date(2026, 10, 25), start=time(1), end=time(2))],
        )
        day = datetime(2026, 10, 25, tzinfo=UTC)
        # 01:00 (first, BST) = 00:00 UTC until 02:00 GMT = 02:00 UTC is closed.
        assert list(cal.open_intervals(day - h(2), day + h(12))) == [
            (day - h(1), day),
            (day + h(2), day + h(4)),
        ]

    def test_lunch_gap_swallowed_by_spring_forward_joins_the_pieces(self):
        cal = BusinessCalendar(
            LONDON, [WorkingRange(6, time(0), time(1, 30)), WorkingRange(6, time(2), time(5))]
        )
        day = datetime(2026, 3, 29, tzinfo=UTC)
        # Wall 01:30-02:00 never happens, so the two ranges meet at 01:00 UTC.
        assert list(cal.open_intervals(day - h(2), day + h(12))) == [(day, day + h(4))]

    def test_office_week_spanning_spring_forward(self):
        cal = weekdays_9_to_5()
        friday = datetime(2026, 3, 27, 16, 30, tzinfo=LONDON)  # GMT
        due = add_business_time(cal, friday, h(1))
        assert due == datetime(2026, 3, 30, 9, 30, tzinfo=LONDON)  # BST
        assert due == datetime(2026, 3, 30, 8, 30, tzinfo=UTC)


class TestYearEndsAndLeapDays:
    def test_new_years_eve_to_second_of_january(self):
        cal = weekdays_9_to_5(closures=[Closure(date(2026, 1, 1))])
        nye = datetime(2025, 12, 31, 16, tzinfo=LONDON)  # Wednesday
        assert add_business_time(cal, nye, h(2)) == datetime(2026, 1, 2, 10, tzinfo=LONDON)
        span_end = datetime(2026, 1, 2, 17, tzinfo=LONDON)
        assert business_time_between(cal, nye - h(7), span_end) == h(16)

    def test_year_end_without_holiday(self):
        cal = weekdays_9_to_5()
        due = add_business_time(cal, datetime(2026, 12, 31, 16, tzinfo=LONDON), h(2))
        assert due == datetime(2027, 1, 1, 10, tzinfo=LONDON)

    def test_leap_day_is_a_working_tuesday(self):
        cal = weekdays_9_to_5()
        monday = datetime(2028, 2, 28, 16, tzinfo=LONDON)
        assert add_business_time(cal, monday, h(2)) == datetime(2028, 2, 29, 10, tzinfo=LONDON)
        leap = datetime(2028, 2, 29, tzinfo=LONDON)
        assert pairs_in(LONDON, cal.open_intervals(leap, leap + h(24))) == [
            (datetime(2028, 2, 29, 9), datetime(2028, 2, 29, 17))
        ]

    def test_leap_day_closure(self):
        cal = weekdays_9_to_5(closures=[Closure(date(2028, 2, 29))])
        monday = datetime(2028, 2, 28, 16, tzinfo=LONDON)
        assert add_business_time(cal, monday, h(2)) == datetime(2028, 3, 1, 10, tzinfo=LONDON)
        # Monday 09:00 to Wednesday 17:00: Monday and Wednesday count, the leap day not.
        assert business_time_between(cal, monday - h(7), monday + h(49)) == h(16)
        assert business_time_between(weekdays_9_to_5(), monday - h(7), monday + h(49)) == h(24)


class TestLongSpans:
    """Long spans take the whole-week shortcut; check it against exact counts."""

    ENGLAND_2026 = [
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
        date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
    ]  # fmt: skip

    def test_thirty_business_days(self):
        cal = weekdays_9_to_5()
        start = datetime(2026, 1, 5, 9, tzinfo=LONDON)  # Monday
        assert add_business_time(cal, start, h(240)) == datetime(2026, 2, 13, 17, tzinfo=LONDON)
        # Across the March clock change.
        start = datetime(2026, 3, 2, 9, tzinfo=LONDON)
        assert add_business_time(cal, start, h(240)) == datetime(2026, 4, 10, 17, tzinfo=LONDON)

    def test_full_year_with_bank_holidays(self):
        jan1 = datetime(2026, 1, 1, tzinfo=LONDON)
        jan1_next = datetime(2027, 1, 1, tzinfo=LONDON)
        assert business_time_between(weekdays_9_to_5(), jan1, jan1_next) == h(261 * 8)
        cal = weekdays_9_to_5(closures=[Closure(d) for d in self.ENGLAND_2026])
        assert business_time_between(cal, jan1, jan1_next) == h(253 * 8)
        total = sum((b - a for a, b in cal.open_intervals(jan1, jan1_next)), timedelta(0))
        assert total == h(253 * 8)
        assert add_business_time(cal, jan1, h(253 * 8)) == datetime(2026, 12, 31, 17, tzinfo=LONDON)

    def test_add_and_between_are_inverse_over_years(self):
        cal = BusinessCalendar(
            NEW_YORK,
            [WorkingRange(d, time(22), time(6)) for d in range(5)]
            + [WorkingRange(5, time(10), time(14))],
            [Closure(date(2026, 11, 26)), Closure(date(2027, 7, 5), start=time(2))],
        )
        start = datetime(2025, 12, 30, 3, 17, tzinfo=NEW_YORK)
        for weeks in (1, 5, 52, 130):
            end = start + timedelta(weeks=weeks, hours=7)
            worked = business_time_between(cal, start, end)
            total = sum((b - a for a, b in cal.open_intervals(start, end)), timedelta(0))
            assert worked == total
            due = add_business_time(cal, start, worked)
            assert due <= end
            assert business_time_between(cal, start, due) == worked
            assert business_time_between(cal, due, end) == timedelta(0)

    def test_seven_day_rota_with_closures_on_any_weekday(self):
        cal = BusinessCalendar(
            LONDON,
            [WorkingRange(d, time(8), time(20)) for d in range(7)],
            # Sunday, Saturday, Monday and a half Wednesday, all in clock-change-free weeks
            [
                Closure(date(2026, 6, 7)),
                Closure(date(2026, 6, 13)),
                Closure(date(2026, 6, 15)),
                Closure(date(2026, 7, 1), start=time(14)),
            ],
        )
        jan1 = datetime(2026, 1, 1, tzinfo=LONDON)
        jan1_next = datetime(2027, 1, 1, tzinfo=LONDON)
        assert business_time_between(cal, jan1, jan1_next) == h(365 * 12 - 3 * 12 - 6)

    def test_results_survive_cache_eviction(self, monkeypatch):
        cal = weekdays_9_to_5(closures=[Closure(d) for d in self.ENGLAND_2026])
        jan1 = datetime(2026, 1, 1, tzinfo=LONDON)
        expected = business_time_between(cal, jan1, jan1 + timedelta(days=400))
        # The limit is read where the cache lives (the calendar module of the package).
        monkeypatch.setattr(business_time.calendar, "_DAY_CACHE_LIMIT", 5)
        fresh = weekdays_9_to_5(closures=[Closure(d) for d in self.ENGLAND_2026])
        assert business_time_between(fresh, jan1, jan1 + timedelta(days=400)) == expected
        assert len(fresh._day_cache) <= 5


# ==========================================================================
# Errors
# ==========================================================================


class LocalMeanTime(tzinfo):
    """A hand-rolled tzinfo; only ZoneInfo and fixed offsets are supported."""

    def utcoffset(self, dt):
        return timedelta(minutes=-1)

    def dst(self, dt):
        return timedelta(0)


class TestErrors:
    cal = weekdays_9_to_5()
    aware = datetime(2026, 1, 12, 10, tzinfo=LONDON)
    naive = datetime(2026, 1, 12, 10)

    def test_naive_datetimes_are_rejected(self):
        with pytest.raises(ValueError, match="start must be timezone-aware"):
            add_business_time(self.cal, self.naive, HOUR)
        with pytest.raises(ValueError, match="end must be timezone-aware"):
            business_time_between(self.cal, self.aware, self.naive)
        with pytest.raises(ValueError, match="start must be timezone-aware"):
            business_time_between(self.cal, self.naive, self.aware)
        with pytest.raises(ValueError, match="at must be timezone-aware"):
            next_open_instant(self.cal, self.naive)
        with pytest.raises(ValueError, match="timezone-aware"):
            self.cal.open_intervals(self.naive, self.aware)  # raised before iterating

    def test_negative_duration(self):
        with pytest.raises(ValueError, match="must not be negative"):
            add_business_time(self.cal, self.aware, -MINUTE)

    def test_wrong_argument_types(self):
        with pytest.raises(TypeError, match="duration must be a timedelta"):
            add_business_time(self.cal, self.aware, 3600)
        with pytest.raises(TypeError, match="start must be a datetime"):
            add_business_time(self.cal, date(2026, 1, 12), HOUR)
        with pytest.raises(TypeError, match="calendar must be a BusinessCalendar"):
            next_open_instant("Europe/London", self.aware)

    def test_calendar_without_working_time(self):
        empty = BusinessCalendar("Europe/London", [])
        with pytest.raises(ValueError, match="no working time"):
            add_business_time(empty, self.aware, HOUR)
        with pytest.raises(ValueError, match="no working time"):
            add_business_time(empty, self.aware, timedelta(0))
        with pytest.raises(ValueError, match="no working time"):
            next_open_instant(empty, self.aware)
        # Measuring is still fine: nothing is open.
        assert business_time_between(empty, self.aware, self.aware + h(100)) == timedelta(0)
        assert list(empty.open_intervals(self.aware, self.aware + h(100))) == []

    def test_calendar_closed_beyond_the_search_horizon(self):
        # Mondays only, and every Monday for eleven years is a closure.
        first = date(2026, 1, 5)
        closures = [Closure(first + timedelta(weeks=k)) for k in range(11 * 53)]
        cal = BusinessCalendar("UTC", [WorkingRange(0, time(9), time(17))], closures)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        with pytest.raises(ValueError, match="no open time within 3653 days"):
            next_open_instant(cal, start)
        with pytest.raises(ValueError, match="no open time within 3653 days"):
            add_business_time(cal, start, HOUR)

    def test_search_horizon_restarts_after_progress(self):
        # A duration longer than the horizon is fine when time keeps accruing.
        cal = BusinessCalendar("UTC", [WorkingRange(0, time(9), time(10))])
        start = datetime(2026, 1, 5, 9, tzinfo=UTC)
        due = add_business_time(cal, start, h(12 * 53))  # ~12 years of Monday hours
        assert due == start + timedelta(weeks=12 * 53 - 1, hours=1)

    @pytest.mark.parametrize("weekday", [-1, 7, 1.0, True, "1"])
    def test_invalid_weekday(self, weekday):
        with pytest.raises(ValueError, match="invalid weekday"):
            WorkingRange(weekday, time(9), time(17))

    def test_invalid_range_times(self):
        with pytest.raises(TypeError, match="must be a datetime.time"):
            WorkingRange(0, "09:00", time(17))
        with pytest.raises(ValueError, match="naive wall-clock time"):
            WorkingRange(0, time(9, tzinfo=UTC), time(17))

    def test_invalid_closures(self):
        with pytest.raises(ValueError, match="is empty"):
            Closure(date(2026, 1, 1), start=time(13), end=time(12))
        with pytest.raises(ValueError, match="is empty"):
            Closure(date(2026, 1, 1), start=time(13), end=time(13))
        with pytest.raises(ValueError, match="is empty"):
            Closure(date(2026, 1, 1), end=time(0))
        with pytest.raises(TypeError, match="Closure.day must be a datetime.date"):
            Closure(datetime(2026, 1, 1, 12))

    def test_invalid_calendar_arguments(self):
        with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
            BusinessCalendar("Mars/Olympus", [])
        with pytest.raises(TypeError, match="tz must be an IANA zone name"):
            BusinessCalendar(LocalMeanTime(), [])
        with pytest.raises(TypeError, match="WorkingRange"):
            BusinessCalendar("UTC", [(0, time(9), time(17))])
        with pytest.raises(TypeError, match="Closure"):
            BusinessCalendar("UTC", [], [date(2026, 1, 1)])

    def test_end_before_start(self):
        assert business_time_between(self.cal, self.aware, self.aware - HOUR) == timedelta(0)
        assert list(self.cal.open_intervals(self.aware, self.aware)) == []


def test_docstring_examples():
    # The package's parts hold the worked examples (the package only re-exports).
    results = [doctest.testmod(part, optionflags=doctest.ELLIPSIS)
               for part in (business_time.blocks, business_time.calendar)]
    assert sum(result.attempted for result in results) > 10
    assert sum(result.failed for result in results) == 0


# ==========================================================================
# The oracle
# ==========================================================================


class MinuteOracle:
    """Slow, simple reference model. Decides each minute separately.

    A UTC minute is open when, read on the local wall clock, it lies inside a
    working range and outside every closure. Ranges and closures are checked
    literally, as "date + time" wall readings, with no weekly template.

    Each minute is sampled at its start. Nothing in these tests changes within
    a minute, so that is exact.

    One subtlety: at fall-back the wall clock repeats an hour. The module reads
    an ambiguous time as its first occurrence, so a range that started (or
    ended) at 01:30 is still started (or ended) when 01:30 comes round again.
    The oracle models this by checking the highest reading the wall clock has
    shown so far (its high-water mark), not the current reading. The mark only
    differs from the current reading during a repeated hour. It also covers
    spring-forward: a skipped reading such as 01:30 is first passed when the
    clock jumps to 02:00, which is when the gap ends.
    """

    def __init__(self, calendar: BusinessCalendar):
        self.tz = calendar.tz
        self.ranges = [(r.weekday, r.start, r.end) for r in calendar.ranges]
        self.closed = []
        for c in calendar.closures:
            lo = datetime.combine(c.day, c.start or time(0))
            hi = (
                datetime.combine(c.day, c.end)
                if c.end is not None
                else datetime.combine(c.day + timedelta(days=1), time(0))
            )
            self.closed.append((lo, hi))

    def wall_is_open(self, wall: datetime) -> bool:
        for lo, hi in self.closed:
            if lo <= wall < hi:
                return False
        today = wall.date()
        for day in (today, today - timedelta(days=1)):  # ranges last at most 24h
            for weekday, start, end in self.ranges:
                if day.weekday() != weekday:
                    continue
                lo = datetime.combine(day, start)
                end_day = day + timedelta(days=1) if end <= start else day
                if lo <= wall < datetime.combine(end_day, end):
                    return True
        return False

    def minutes(self, start: datetime):
        """Yield ``(minute, is_open)`` for each minute from ``start`` onwards."""
        start = start.astimezone(UTC)  # step real minutes, not wall-clock ones
        t = start - timedelta(hours=3)  # seed the mark; DST shifts are <= 1 hour
        mark = None
        while True:
            wall = t.astimezone(self.tz).replace(tzinfo=None)
            mark = wall if mark is None or wall > mark else mark
            if t >= start:
                yield t, self.wall_is_open(mark)
            t += MINUTE

    def between(self, start: datetime, end: datetime) -> timedelta:
        count = 0
        for t, is_open in self.minutes(start):
            if t >= end:
                break
            count += is_open
        return count * MINUTE

    def open_minutes(self, start: datetime, end: datetime) -> set[datetime]:
        out = set()
        for t, is_open in self.minutes(start):
            if t >= end:
                break
            if is_open:
                out.add(t)
        return out

    def next_open(self, at: datetime, limit=timedelta(days=60)) -> datetime | None:
        for t, is_open in self.minutes(at):
            if is_open:
                return t
            if t - at > limit:
                return None

    def add(self, start: datetime, duration: timedelta, limit=timedelta(days=60)):
        if duration == timedelta(0):
            return self.next_open(start, limit)
        needed = duration // MINUTE
        for t, is_open in self.minutes(start):
            needed -= is_open
            if needed == 0:
                return t + MINUTE  # the end of the minute that used it up
            if t - start > limit:
                return None


def test_oracle_agrees_with_hand_examples():
    """Sanity-check the oracle itself on cases worked out by hand above."""
    cal = BusinessCalendar(LONDON, [WorkingRange(6, time(0), time(4))])
    oracle = MinuteOracle(cal)
    for sunday, hours in ((date(2026, 3, 29), 3), (date(2026, 10, 25), 5)):
        s = datetime.combine(sunday, time(0), LONDON) - h(6)
        assert oracle.between(s, s + h(16)) == h(hours)
    cal = BusinessCalendar(LONDON, [WorkingRange(6, time(1, 30), time(3))])
    assert MinuteOracle(cal).next_open(datetime(2026, 10, 24, tzinfo=UTC)) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert MinuteOracle(cal).next_open(datetime(2026, 3, 28, tzinfo=UTC)) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )
    cal = weekdays_9_to_5(closures=[Closure(date(2026, 5, 4))])
    assert MinuteOracle(cal).add(datetime(2026, 5, 1, 16, 30, tzinfo=LONDON), h(2)) == datetime(
        2026, 5, 5, 10, 30, tzinfo=LONDON
    )


# ==========================================================================
# Property tests
# ==========================================================================

ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
YEARS = 5  # starts fall in 2024-2028, which includes the leap day 2028-02-29

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,  # keep the work tree clean; failures still print a reproducer
    suppress_health_check=[HealthCheck.too_slow],
)


@functools.cache
def transitions(zone: str) -> tuple[datetime, ...]:
    """The instants (to the minute) at which ``zone`` changed its UTC offset in the test years."""
    tz = ZoneInfo(zone)

    def offset(t: datetime) -> timedelta:
        return t.astimezone(tz).utcoffset()

    out = []
    t = EPOCH
    while t < EPOCH + timedelta(days=366 * YEARS):
        if offset(t) != offset(t + timedelta(days=1)):
            lo, hi = 0, 1440  # minutes after t: offset(lo) is the old one, offset(hi) the new
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (lo, mid) if offset(t + mid * MINUTE) != offset(t) else (mid, hi)
            out.append(t + hi * MINUTE)
        t += timedelta(days=1)
    return tuple(out)


def test_transition_finder():
    london = transitions("Europe/London")
    assert datetime(2026, 3, 29, 1, tzinfo=UTC) in london
    assert datetime(2026, 10, 25, 1, tzinfo=UTC) in london
    assert len(london) == 2 * YEARS
    assert transitions("Asia/Kolkata") == ()


quarter_hours = st.integers(0, 95).map(lambda q: time(q // 4, q % 4 * 15))
# The test zones change their clocks between 01:00 and 03:00 local time. Weighting
# range and closure times towards those hours makes boundaries land in a skipped
# or repeated hour often enough to matter.
small_hours = st.integers(4, 12).map(lambda q: time(q // 4, q % 4 * 15))
# Midnight is the other classic edge (24-hour ranges, shifts ending at 00:00).
wall_times = st.one_of(quarter_hours, small_hours, st.just(time(0)))


def skipped_or_repeated(change: datetime, tz: ZoneInfo) -> list[time]:
    """Quarter-hour wall times that a clock change skips or repeats."""
    before = (change - MINUTE).astimezone(tz).replace(tzinfo=None) + MINUTE
    after = change.astimezone(tz).replace(tzinfo=None)
    lo, hi = min(before, after), max(before, after)
    out = []
    while lo < hi:
        out.append(lo.time())
        lo += timedelta(minutes=15)
    return out


def test_skipped_or_repeated():
    spring, autumn = datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)
    expected = [time(1), time(1, 15), time(1, 30), time(1, 45)]
    assert skipped_or_repeated(spring, LONDON) == expected
    assert skipped_or_repeated(autumn, LONDON) == expected
    lord_howe_spring = datetime(2026, 10, 3, 15, 30, tzinfo=UTC)  # 02:00 -> 02:30
    assert skipped_or_repeated(lord_howe_spring, LORD_HOWE) == [time(2), time(2, 15)]


@st.composite
def closure_for(draw, around: date, days_after=st.integers(-1, 6)) -> Closure:
    day = around + timedelta(days=draw(days_after))
    kind = draw(st.sampled_from(["whole", "from", "until", "between"]))
    if kind == "whole":
        return Closure(day)
    if kind == "from":
        return Closure(day, start=draw(wall_times))
    if kind == "until":
        return Closure(day, end=draw(wall_times.filter(lambda t: t != time(0))))
    a, b = sorted(draw(st.lists(wall_times, min_size=2, max_size=2, unique=True)))
    return Closure(day, start=a, end=b)


@dataclass
class Scenario:
    calendar: BusinessCalendar
    start: datetime  # UTC, whole minute
    start_as_given: datetime  # the same instant, expressed in a random zone

    @property
    def oracle(self) -> MinuteOracle:
        return MinuteOracle(self.calendar)

    @property
    def weekly_minutes(self) -> int:
        return sum(r.nominal_length // MINUTE for r in self.calendar.ranges)

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        return (
            f"Scenario(tz={str(self.calendar.tz)!r}, start={self.start.isoformat()}, "
            f"ranges={list(self.calendar.ranges)}, closures={list(self.calendar.closures)})"
        )


@st.composite
def scenarios(draw) -> Scenario:
    zone = draw(st.sampled_from(ZONES))
    tz = ZoneInfo(zone)
    changes = transitions(zone)
    change = None
    if changes and draw(st.booleans()):
        # Start shortly before (or just after) a clock change, so the windows
        # the properties look at usually contain it.
        change = draw(st.sampled_from(changes))
        start = change + draw(st.integers(-36 * 60, 6 * 60)) * MINUTE
    else:
        start = EPOCH + draw(st.integers(0, 365 * YEARS * 1440)) * MINUTE

    # A few blocks of hours, each on a random set of weekdays (like real rotas).
    ranges = []
    for _ in range(draw(st.integers(1, 3))):
        days = draw(st.sets(st.integers(0, 6), min_size=1, max_size=7))
        a, b = draw(wall_times), draw(wall_times)
        ranges += [WorkingRange(d, a, b) for d in sorted(days)]

    local_day = start.astimezone(tz).date()
    closures = draw(st.lists(closure_for(local_day), max_size=3))

    if change is not None:
        # Aim a boundary at the skipped or repeated wall times of the change day.
        change_day = change.astimezone(tz).date()
        weekday = change_day.weekday()
        special = st.sampled_from(skipped_or_repeated(change, tz))
        aim = draw(st.sampled_from(["start", "end", "overnight", "closure"]))
        if aim == "start":
            ranges.append(WorkingRange(weekday, draw(special), draw(wall_times)))
        elif aim == "end":
            ranges.append(WorkingRange(weekday, draw(wall_times), draw(special)))
        elif aim == "overnight":
            ranges.append(WorkingRange((weekday - 1) % 7, draw(quarter_hours), draw(special)))
        else:
            if draw(st.booleans()):
                closures.append(Closure(change_day, start=draw(special)))
            else:
                closures.append(Closure(change_day, end=draw(special)))

    given_in = ZoneInfo(draw(st.sampled_from(ZONES)))
    return Scenario(BusinessCalendar(zone, ranges, closures), start, start.astimezone(given_in))


def durations(scenario: Scenario, cap_minutes: int = 3 * 1440) -> st.SearchStrategy[timedelta]:
    """Whole-minute durations, scaled down for sparse calendars to bound oracle time."""
    top = min(cap_minutes, max(60, scenario.weekly_minutes * 3 // 2))
    return st.integers(0, top).map(lambda m: m * MINUTE)


@PROPERTY_SETTINGS
@given(scenarios(), st.integers(-60, 3 * 1440))
def test_between_matches_oracle(scenario, span_minutes):
    end = scenario.start + span_minutes * MINUTE
    expected = scenario.oracle.between(scenario.start, end)
    assert business_time_between(scenario.calendar, scenario.start_as_given, end) == expected


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_add_matches_oracle_and_is_earliest(scenario, data):
    duration = data.draw(durations(scenario), label="duration")
    expected = scenario.oracle.add(scenario.start, duration)
    assume(expected is not None)  # oracle gave up (extremely sparse calendar)
    due = add_business_time(scenario.calendar, scenario.start_as_given, duration)
    assert due.tzinfo is UTC
    # The oracle returns the end of the minute in which the duration runs out,
    # i.e. the earliest instant e with business_time_between(start, e) == duration.
    assert due == expected
    if duration:
        assert business_time_between(scenario.calendar, scenario.start, due) == duration
        assert business_time_between(scenario.calendar, scenario.start, due - MINUTE) < duration


@PROPERTY_SETTINGS
@given(scenarios())
def test_next_open_matches_oracle(scenario):
    expected = scenario.oracle.next_open(scenario.start)
    assume(expected is not None)
    got = next_open_instant(scenario.calendar, scenario.start_as_given)
    assert got == expected
    assert got.tzinfo is UTC


@PROPERTY_SETTINGS
@given(scenarios(), st.integers(1, 3 * 1440))
def test_open_intervals_match_oracle(scenario, span_minutes):
    start, end = scenario.start, scenario.start + span_minutes * MINUTE
    intervals = list(scenario.calendar.open_intervals(scenario.start_as_given, end))
    # Well-formed: in UTC, inside the window, ordered, non-empty, and maximal
    # (consecutive intervals neither overlap nor touch).
    for a, b in intervals:
        assert a.tzinfo is UTC and b.tzinfo is UTC
        assert start <= a < b <= end
    for (_, b1), (a2, _) in zip(intervals, intervals[1:], strict=False):
        assert b1 < a2
    covered = set()
    for a, b in intervals:
        covered.update(a + k * MINUTE for k in range((b - a) // MINUTE))
    assert covered == scenario.oracle.open_minutes(start, end)


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_add_is_monotonic(scenario, data):
    d1 = data.draw(durations(scenario), label="d1")
    d2 = data.draw(durations(scenario), label="d2")
    d1, d2 = min(d1, d2), max(d1, d2)
    cal = scenario.calendar
    assert add_business_time(cal, scenario.start, d1) <= add_business_time(cal, scenario.start, d2)


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_add_is_additive(scenario, data):
    a = data.draw(durations(scenario, cap_minutes=1440), label="a")
    b = data.draw(durations(scenario, cap_minutes=1440), label="b")
    cal, s = scenario.calendar, scenario.start
    # Holds for a > 0 with any b > 0, and for a == 0 with any b. It fails only
    # for a > 0, b == 0: add(s, a) may be a closing time, and adding zero to
    # it moves on to the next opening.
    assume(a == timedelta(0) or b > timedelta(0))
    assert add_business_time(cal, add_business_time(cal, s, a), b) == add_business_time(
        cal, s, a + b
    )


@PROPERTY_SETTINGS
@given(scenarios(), st.integers(0, 2 * 365 * 1440), st.data())
def test_long_spans_agree_with_open_intervals(scenario, span_minutes, data):
    """Spans up to two years use the whole-week shortcut; open_intervals never does.

    Checked on the scenario's calendar, on the same hours with closures spread
    over the whole span, and with no closures at all.
    """
    start = scenario.start
    end = start + span_minutes * MINUTE
    tz, ranges = scenario.calendar.tz, scenario.calendar.ranges
    spread = data.draw(
        st.lists(
            closure_for(start.astimezone(tz).date(), st.integers(0, span_minutes // 1440 + 1)),
            max_size=10,
        ),
        label="spread closures",
    )
    for cal in (
        scenario.calendar,
        BusinessCalendar(tz, ranges, spread),
        BusinessCalendar(tz, ranges),
    ):
        worked = business_time_between(cal, start, end)
        assert worked == sum((b - a for a, b in cal.open_intervals(start, end)), timedelta(0))
        if worked:
            due = add_business_time(cal, start, worked)
            assert due <= end
            assert business_time_between(cal, start, due) == worked
            assert business_time_between(cal, due, end) == timedelta(0)
