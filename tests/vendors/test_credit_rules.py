"""Service-credit arithmetic against a slow obvious oracle, band edges included,
and the public vendor SLA shapes of shared/REFERENCE.md worked through."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vendors.credit_rules import (
    Band,
    FeeLine,
    Schedule,
    credit_due,
    fee_base,
    uptime_percent,
)

D = Decimal

# Amazon Connect (2022): commitment 99.99 %, 5 / 15 / 100 %, only if more than 1 USD.
AMAZON_CONNECT = Schedule(
    value_bands=(Band(D(5), D("99.0"), D("99.99")), Band(D(15), D("95.0"), D("99.0")),
                 Band(D(100), None, D("95.0"))),
    minimum_amount=D(1), minimum_rule="more_than")
# Twilio (2021): below 99.95 % a flat 10 %.
TWILIO = Schedule(value_bands=(Band(D(10), None, D("99.95")),))
# Five9: an outage under 2 h → 5 %, 2 h or more → 10 %; below 97 % in the month → 100 %.
FIVE9 = Schedule(duration_bands=(Band(D(5), None, D(120)), Band(D(10), D(120), None)),
                 floors=(Band(D(100), None, D(97)),))


@pytest.mark.parametrize(("value", "expected"), [
    ("99.99", "0"),        # met: the commitment itself
    ("99.989", "50.00"),   # just below 99.99: 5 %
    ("99.0", "50.00"),     # lower-inclusive: 99.0 is still in the 5 % band
    ("98.999", "150.00"),  # 15 %
    ("95.0", "150.00"),
    ("94.999", "1000.00"),  # 100 %
])
def test_amazon_connect_bands_are_lower_inclusive(value, expected):
    result = credit_due(AMAZON_CONNECT, missed=D(value) < D("99.99"), value=D(value),
                        fee_base=D(1000))
    assert result.amount == D(expected)


def test_amazon_issues_a_credit_only_above_one_dollar():
    # 5 % of 20.00 = 1.00: not "greater than 1 USD".
    assert credit_due(AMAZON_CONNECT, missed=True, value=D("99.5"), fee_base=D(20),
                      currency="USD").amount == 0
    assert credit_due(AMAZON_CONNECT, missed=True, value=D("99.5"), fee_base=D("20.20"),
                      currency="USD").amount == D("1.01")


def test_the_explanation_is_written_out():
    schedule = Schedule(value_bands=AMAZON_CONNECT.value_bands, cap_percent=D(10),
                        minimum_amount=D(1))
    result = credit_due(schedule, missed=True, value=D("99.45"), fee_base=D(18400),
                        fee_names="AgentSeat fees")
    assert result.amount == D("920.00")
    assert result.explanation == (
        "99.45 % < 99.99 % and ≥ 99.0 % → 5 % of AgentSeat fees EUR 18,400.00 = "
        "EUR 920.00; cap 10 % not reached; minimum EUR 1.00 met")


def test_twilio_flat_ten_percent_and_both_uptime_formulas():
    minutes = 30 * 24 * 60  # 43,200
    # 2021: (A − B + C) ÷ A with 40 min down of which 30 excluded → 99.9768…: met.
    old = uptime_percent(period_minutes=minutes, unavailable_minutes=40, excluded_minutes=30)
    assert old > D("99.95")
    # 2023: (A − B) ÷ A on the same 40 minutes → 99.9074…: missed, 10 %.
    new = uptime_percent(period_minutes=minutes, unavailable_minutes=40, formula="plain")
    assert new < D("99.95")
    assert credit_due(TWILIO, missed=True, value=new, fee_base=D("2500")).amount == D("250.00")


def test_five9_outages_add_up_and_the_floor_replaces_them():
    outages = credit_due(FIVE9, missed=True, value=D("99.9"), fee_base=D(1000),
                         outage_minutes=(D(30), D(150)))
    assert outages.amount == D("150.00")  # 5 % + 10 %
    floor = credit_due(FIVE9, missed=True, value=D("96.9"), fee_base=D(1000),
                       outage_minutes=(D(30), D(150)))
    assert floor.amount == D("1000.00")  # 100 %, not 115 %
    assert "floor" in floor.explanation


def test_a_cap_limits_the_credit_and_says_so():
    schedule = Schedule(value_bands=(Band(D(30), None, D(99)),), cap_percent=D(10),
                        cap_amount=D(80))
    result = credit_due(schedule, missed=True, value=D(98), fee_base=D(1000))
    assert result.amount == D("80.00")  # the lower of 10 % (100) and 80
    assert "cap EUR 80.00 applies" in result.explanation


def test_met_means_no_credit_whatever_the_bands_say():
    assert credit_due(TWILIO, missed=False, value=D(50), fee_base=D(1000)).amount == 0


def test_one_time_fees_are_never_the_base():
    lines = [FeeLine("AgentSeat subscription", D("18400")), FeeLine("usage", D("2100.50")),
             FeeLine("one-time setup", D(5000), one_time=True)]
    assert fee_base(lines) == D("20500.50")
    assert fee_base(lines, ["AgentSeat subscription", "one-time setup"]) == D(18400)


# --- Property: the engine against a slow obvious oracle ------------------------------------

def oracle(bands, duration_bands, per_outage, floors, value, outages, base, cap_pct, cap_amt,
           minimum, more_than):
    """The contract read aloud, with exact fractions and one rounding at the end."""
    def inside(band, x):
        lower, upper = band
        return (lower is None or x >= lower) and (upper is None or x < upper)

    for (lower, upper, pct) in floors:
        if inside((lower, upper), value):
            percent = Fraction(pct)
            break
    else:
        percent = Fraction(0)
        for (lower, upper, pct) in bands:
            if inside((lower, upper), value):
                percent += Fraction(pct)
                break
        durations = outages if per_outage else ([sum(outages)] if outages else [])
        for minutes in durations:
            for (lower, upper, pct) in duration_bands:
                if inside((lower, upper), minutes):
                    percent += Fraction(pct)
                    break
    amount = Fraction(base) * percent / 100
    limits = []
    if cap_pct is not None:
        limits.append(Fraction(base) * Fraction(cap_pct) / 100)
    if cap_amt is not None:
        limits.append(Fraction(cap_amt))
    if limits:
        amount = min([amount, *limits])
    cents = Decimal(amount.numerator) / Decimal(amount.denominator)
    cents = cents.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if minimum and not (cents > minimum if more_than else cents >= minimum):
        return Decimal("0.00")
    return cents


edges = st.decimals(min_value=D(50), max_value=D(100), places=3)


@st.composite
def bands_on(draw, values, count):
    """Non-overlapping bands from sorted edges: [e0, e1), [e1, e2)… and maybe open ends."""
    points = sorted(set(draw(st.lists(values, min_size=count, max_size=count))))
    bands = [(points[i], points[i + 1]) for i in range(len(points) - 1)]
    if draw(st.booleans()) and points:
        bands.append((None, points[0]))
    if draw(st.booleans()) and points:
        bands.append((points[-1], None))
    percents = st.decimals(min_value=D(0), max_value=D(100), places=2)
    return [(lower, upper, draw(percents)) for lower, upper in bands]


@settings(max_examples=400, derandomize=True, deadline=None)
@given(
    bands=bands_on(edges, 4),
    duration_bands=bands_on(st.decimals(min_value=D(0), max_value=D(600), places=0), 3),
    per_outage=st.booleans(),
    floors=bands_on(edges, 1),
    value=st.one_of(edges, st.sampled_from([D("99.0"), D("95.0"), D("99.99")])),
    outages=st.lists(st.decimals(min_value=D(1), max_value=D(900), places=1), max_size=4),
    base=st.decimals(min_value=D(0), max_value=D("999999.99"), places=2),
    cap_pct=st.one_of(st.none(), st.decimals(min_value=D(0), max_value=D(100), places=1)),
    cap_amt=st.one_of(st.none(), st.decimals(min_value=D(0), max_value=D(50000), places=2)),
    minimum=st.decimals(min_value=D(0), max_value=D(10), places=2),
    more_than=st.booleans(),
)
def test_every_schedule_shape_matches_the_oracle(bands, duration_bands, per_outage, floors,
                                                 value, outages, base, cap_pct, cap_amt,
                                                 minimum, more_than):
    schedule = Schedule(
        value_bands=tuple(Band(p, lo, up) for lo, up, p in bands),
        duration_bands=tuple(Band(p, lo, up) for lo, up, p in duration_bands),
        duration_per_outage=per_outage,
        floors=tuple(Band(p, lo, up) for lo, up, p in floors),
        minimum_amount=minimum, minimum_rule="more_than" if more_than else "at_least",
        cap_percent=cap_pct, cap_amount=cap_amt)
    result = credit_due(schedule, missed=True, value=value, fee_base=base,
                        outage_minutes=tuple(outages))
    expected = oracle(bands, duration_bands, per_outage, floors, value, outages, base,
                      cap_pct, cap_amt, minimum, more_than)
    assert result.amount == expected
    assert result.amount == result.amount.quantize(Decimal("0.01"))
