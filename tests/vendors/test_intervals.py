"""Downtime window arithmetic against a minute-by-minute oracle: overlapping windows
count once, exclusions subtract, months split on UTC boundaries."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from vendors import intervals

ORIGIN = datetime(2026, 1, 30, 22, 0, tzinfo=UTC)  # near a month end
MINUTES = 60 * 24 * 4  # windows spread over four days across the month boundary

window = st.tuples(st.integers(0, MINUTES), st.integers(1, 600)).map(
    lambda pair: (ORIGIN + timedelta(minutes=pair[0]),
                  ORIGIN + timedelta(minutes=pair[0] + pair[1])))
windows = st.lists(window, max_size=8)


def covered(windows):
    """Minutes covered, one by one."""
    minutes = set()
    for start, end in windows:
        minute = start
        while minute < end:
            minutes.add(minute)
            minute += timedelta(minutes=1)
    return minutes


@given(windows)
def test_union_counts_overlaps_once(ws):
    merged = intervals.union(ws)
    assert intervals.seconds(merged) == 60 * len(covered(ws))
    assert all(a[1] < b[0] for a, b in zip(merged, merged[1:], strict=False))


@given(windows, windows)
@settings(max_examples=300)
def test_subtract_removes_exactly_the_excluded_minutes(ws, cuts):
    left = intervals.subtract(ws, cuts)
    assert covered(left) == covered(ws) - covered(cuts)


@given(windows)
def test_months_add_up_and_split_at_midnight_utc(ws):
    months = intervals.by_month(ws)
    minutes = covered(ws)
    assert sum(months.values()) == 60 * len(minutes)
    for month, seconds in months.items():
        assert seconds == 60 * sum(1 for m in minutes if m.month == month.month)


def test_a_window_across_new_year_splits_into_december_and_january():
    start = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    months = intervals.by_month([(start, start + timedelta(hours=1))])
    assert months == {datetime(2026, 12, 1, tzinfo=UTC): 1800.0,
                      datetime(2027, 1, 1, tzinfo=UTC): 1800.0}
