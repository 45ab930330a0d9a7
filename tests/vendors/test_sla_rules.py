"""The pure SLA pieces against slow obvious oracles: periods, a period's fees, met and
shortfall, the scorecard rule and the weighted score."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from vendors import sla

D = Decimal
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
figures = st.decimals(min_value=0, max_value=1000, places=4)


@given(day=days, kind=st.sampled_from(["week", "month", "quarter"]))
def test_a_period_contains_its_day_and_follows_on(day, kind):
    start = sla.period_start(day, kind)
    end = sla.period_end(start, kind)
    assert start <= day < end
    # The oracle: walk day by day; the period changes exactly at ``end``.
    assert sla.period_start(end - timedelta(days=1), kind) == start
    assert sla.period_start(end, kind) == end
    assert sla.previous_period(end, kind) == start
    if kind == "week":
        assert start.weekday() == 0 and (end - start).days == 7
    else:
        assert start.day == 1 and (start.month - 1) % (3 if kind == "quarter" else 1) == 0


@given(amount=st.decimals(min_value=0, max_value=10**9, places=2),
       billing=st.sampled_from(["monthly", "quarterly", "annual"]),
       period=st.sampled_from(["week", "month", "quarter"]))
def test_a_periods_fee_is_the_amount_scaled_by_the_lengths(amount, billing, period):
    months = {"monthly": 1, "quarterly": 3, "annual": 12}[billing]
    measured = {"week": Fraction(12, 52), "month": 1, "quarter": 3}[period]
    expected = Fraction(amount) * measured / months
    got = sla.period_fee(amount, billing, period)
    assert abs(Fraction(got) - expected) < Fraction(1, 10**12)


def oracle_score(value, comparator, target, percent):
    """The rule in words, with fractions: met 100; missed 100 × (1 − shortfall ÷ room),
    clamped to [0, 99], rounded half-up to cents."""
    value, target = Fraction(value), Fraction(target)
    met = value >= target if comparator == "at_least" else value <= target
    if met:
        return D(100)
    short = target - value if comparator == "at_least" else value - target
    room = 100 - target if comparator == "at_least" and percent and target < 100 else abs(target)
    if room == 0:
        return D(0)
    raw = min(max(100 * (1 - short / room), Fraction(0)), Fraction(99))
    return (D(raw.numerator) / D(raw.denominator)).quantize(D("0.01"), rounding=ROUND_HALF_UP)


@given(value=figures, target=figures, comparator=st.sampled_from(["at_least", "at_most"]),
       percent=st.booleans())
def test_the_scorecard_rule_matches_its_oracle(value, target, comparator, percent):
    if percent:
        value, target = min(value, D(100)), min(target, D(100))
    assert sla.attainment_score(value, comparator, target, percent) == \
        oracle_score(value, comparator, target, percent)


def test_the_scorecard_rule_on_the_documented_examples():
    assert sla.attainment_score(D("99.45"), "at_least", D("99.99"), True) == 0
    assert sla.attainment_score(D("75"), "at_least", D("80"), True) == 75
    assert sla.attainment_score(D("6"), "at_most", D("5"), True) == 80
    assert sla.attainment_score(D("99.99"), "at_least", D("99.99"), True) == 100
    assert sla.attainment_score(D("79.999"), "at_least", D("80"), True) == 99  # never 100


@given(pairs=st.lists(st.tuples(st.decimals(min_value=0, max_value=10, places=2),
                                st.decimals(min_value=0, max_value=100, places=2)),
                      max_size=8))
def test_the_weighted_score_is_the_weighted_mean(pairs):
    weighted = [(Fraction(w), Fraction(s)) for w, s in pairs if w > 0]
    got = sla.weighted_score(pairs)
    if not weighted:
        assert got is None
        return
    mean = sum(w * s for w, s in weighted) / sum(w for w, _ in weighted)
    assert got == (D(mean.numerator) / D(mean.denominator)).quantize(
        D("0.1"), rounding=ROUND_HALF_UP)
