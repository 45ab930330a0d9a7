"""Renewal arithmetic: notice dates from end dates across month ends and leap years,
and automatic renewal chains that never drift — against slow, obvious oracles."""

import calendar
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from vendors.choices import NoticeUnit
from vendors.dates import add_months, next_renewal, notice_date

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
# Month ends and leap days are where month arithmetic goes wrong: draw them often.
month_ends = st.builds(lambda y, m: date(y, m, calendar.monthrange(y, m)[1]),
                       st.integers(1990, 2090), st.integers(1, 12))
leap_days = st.sampled_from([date(y, 2, 29) for y in range(1992, 2090, 4)])
end_dates = st.one_of(dates, month_ends, leap_days)


def months_back_by_hand(day, months):
    """Step back one calendar month at a time from the first of the month, then take
    the same day or the month's last."""
    year, month = day.year, day.month
    for _ in range(months):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@given(end_dates, st.integers(0, 60))
@settings(max_examples=400)
def test_notice_in_months_is_the_same_day_or_the_month_end(end, months):
    assert notice_date(end, months, NoticeUnit.MONTHS) == months_back_by_hand(end, months)


@given(end_dates, st.integers(0, 1000))
@settings(max_examples=300)
def test_notice_in_days_counts_calendar_days_back(end, days):
    notice = notice_date(end, days, NoticeUnit.DAYS)
    assert (end - notice).days == days
    # Day by day, the obvious way.
    day = end
    for _ in range(days):
        day -= timedelta(days=1)
    assert notice == day


@given(end_dates, st.integers(0, 36), st.integers(0, 36))
def test_a_longer_notice_period_is_never_later(end, shorter, extra):
    longer = shorter + extra
    assert notice_date(end, longer, NoticeUnit.MONTHS) <= notice_date(end, shorter,
                                                                      NoticeUnit.MONTHS)
    assert notice_date(end, longer, NoticeUnit.DAYS) <= notice_date(end, shorter,
                                                                    NoticeUnit.DAYS)


def test_notice_dates_people_check_by_hand():
    assert notice_date(date(2026, 5, 31), 3, NoticeUnit.MONTHS) == date(2026, 2, 28)
    assert notice_date(date(2028, 5, 31), 3, NoticeUnit.MONTHS) == date(2028, 2, 29)
    assert notice_date(date(2026, 12, 31), 90, NoticeUnit.DAYS) == date(2026, 10, 2)
    assert notice_date(date(2027, 3, 31), 1, NoticeUnit.MONTHS) == date(2027, 2, 28)
    assert notice_date(date(2026, 3, 1), 0, NoticeUnit.DAYS) == date(2026, 3, 1)


@given(dates, st.integers(-240, 240))
def test_add_months_round_trips_unless_clamped(day, months):
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == min(day.day, calendar.monthrange(moved.year, moved.month)[1])


def renew_times(end, term, times):
    anchor, so_far, ends = None, 0, []
    for _ in range(times):
        end, anchor, so_far = next_renewal(end_date=end, anchor=anchor, months_so_far=so_far,
                                           term_months=term)
        ends.append(end)
    return ends


@given(end_dates, st.integers(1, 36), st.integers(1, 12))
@settings(max_examples=300)
def test_a_renewal_chain_equals_one_renewal_for_all_its_months(end, term, times):
    ends = renew_times(end, term, times)
    once = renew_times(end, term * times, 1)[0]
    assert ends[-1] == once


@given(end_dates, st.integers(1, 36), st.integers(1, 12))
@settings(max_examples=300)
def test_renewal_terms_follow_each_other_without_gaps_or_drift(end, term, times):
    ends = renew_times(end, term, times)
    previous = end
    anchor = end + timedelta(days=1)
    for count, new_end in enumerate(ends, start=1):
        assert new_end > previous
        # Each term starts the day after the last one ended and lasts `term` months,
        # counted from the first renewal's start (so a 29 February never becomes 27).
        assert new_end + timedelta(days=1) == add_months(anchor, term * count)
        previous = new_end


def test_leap_day_contracts_renew_to_the_end_of_february_every_year():
    # Ends 29 Feb 2028: the renewal terms start on 1 March each year.
    assert renew_times(date(2028, 2, 29), 12, 3) == [date(2029, 2, 28), date(2030, 2, 28),
                                                     date(2031, 2, 28)]


def test_month_end_contracts_renewing_monthly_keep_the_month_end():
    assert renew_times(date(2026, 1, 31), 1, 3) == [date(2026, 2, 28), date(2026, 3, 31),
                                                    date(2026, 4, 30)]
