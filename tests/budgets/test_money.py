"""Money arithmetic against slow, obvious oracles: integers of cents, and Fractions
rounded by hand, one step at a time."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from budgets import money

amounts = st.decimals(min_value=Decimal("-999999999.99"), max_value=Decimal("999999999.99"),
                      places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


def oracle_round(fraction: Fraction, places: int) -> Decimal:
    """Half away from zero, by hand: scale, look at the remainder, step up if ≥ ½."""
    scale = 10 ** places
    sign = -1 if fraction < 0 else 1
    magnitude = abs(fraction) * scale
    whole = magnitude.numerator // magnitude.denominator
    if magnitude - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(sign * whole) / Decimal(scale)


@given(st.fractions(min_value=-10**9, max_value=10**9, max_denominator=10**6))
def test_cents_rounds_half_away_from_zero(value):
    assert money.cents(value) == oracle_round(value, 2)


@given(positive)
def test_even_phasing_adds_up_exactly_and_no_month_differs_by_more_than_a_cent(amount):
    months = money.even_phasing(amount)
    assert len(months) == 12 and sum(months) == amount
    assert max(months) - min(months) <= Decimal("0.01")
    assert money.phasing_problem(amount, [str(m) for m in months]) is None


@given(positive, st.integers(min_value=0, max_value=11), st.integers(min_value=1, max_value=99))
def test_a_phasing_off_by_a_cent_is_refused(amount, month, cents_off):
    months = money.even_phasing(amount)
    months[month] += Decimal(cents_off) / 100
    assert "add up to" in money.phasing_problem(amount, [str(m) for m in months])


@given(amounts, positive)
def test_roi_is_benefit_minus_cost_over_cost(benefit, cost):
    expected = oracle_round((Fraction(benefit) - Fraction(cost)) * 100 / Fraction(cost), 2)
    assert money.roi(benefit, cost) == expected


def test_roi_without_cost_is_not_a_number():
    assert money.roi(Decimal("100"), Decimal("0")) is None


@given(positive, positive, st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2))
def test_payback_is_one_time_cost_over_net_monthly_benefit(one_time, benefit, recurring):
    net = Fraction(benefit) - Fraction(recurring)
    result = money.payback_months(one_time, benefit, recurring)
    if net <= 0:
        assert result is None
    else:
        assert result == oracle_round(Fraction(one_time) / net, 1)


@given(st.integers(min_value=1, max_value=3600), st.integers(min_value=0, max_value=3600),
       st.integers(min_value=0, max_value=10**6),
       st.decimals(min_value=0, max_value=10, places=4))
def test_aht_benefit(baseline, measured, contacts, per_minute):
    expected = oracle_round(Fraction(baseline - measured, 60) * contacts * Fraction(per_minute),
                            2)
    assert money.aht_reduction_benefit(baseline_aht_seconds=baseline,
                                       measured_aht_seconds=measured, contacts=contacts,
                                       cost_per_minute=per_minute) == expected


def test_the_issues_worked_example():
    # AHT 412 s → 380 s on 48,000 contacts a month at EUR 0.72 per agent-minute.
    assert money.aht_reduction_benefit(baseline_aht_seconds=412, measured_aht_seconds=380,
                                       contacts=48_000, cost_per_minute=Decimal("0.72")) \
        == Decimal("18432.00")
    # Containment 62 % → 71 % on 10,000 contacts at EUR 4.10 per contact.
    assert money.containment_benefit(baseline_percent=Decimal("62"), measured_percent=71,
                                     contacts=10_000, cost_per_contact=Decimal("4.10")) \
        == Decimal("3690.00")


@given(amounts, st.integers(min_value=0, max_value=400), st.integers(min_value=365,
                                                                      max_value=366))
def test_run_rate_forecast(actual, elapsed, days):
    result = money.run_rate_forecast(actual, elapsed_days=elapsed, year_days=days)
    if elapsed == 0:
        assert result == actual
    else:
        assert result == oracle_round(Fraction(actual) * days / min(elapsed, days), 2)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
       st.integers(min_value=1, max_value=12))
def test_fiscal_years_tile_the_calendar(day, start_month):
    first, last, name = money.fiscal_year_bounds(day, start_month)
    assert first <= day <= last and first.day == 1 and first.month == start_month
    assert name == f"FY{last.year}"
    # The next year starts the day after this one ends: no gap, no overlap.
    assert money.fiscal_year_bounds(last + timedelta(days=1), start_month)[0] \
        == last + timedelta(days=1)
    assert 365 <= (last - first).days + 1 <= 366
