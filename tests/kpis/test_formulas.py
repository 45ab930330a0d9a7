"""The formulas against REFERENCE.md "Contact-center metrics": worked examples by hand,
and property tests against a slow, obvious per-contact computation."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis import formulas
from kpis.choices import AbandonTreatment as T
from kpis.models import COUNT_FIELDS


def sums(**values):
    return {name: values.get(name, 0) for name in COUNT_FIELDS}


# --- Worked examples --------------------------------------------------------------------

# 100 contacts: 70 answered within 20 s, 10 answered later, 12 abandoned within 20 s of
# which 2 before the 5-second short-abandon timer, 8 abandoned later.
EXAMPLE = sums(offered=100, answered=80, answered_within_threshold=70, abandoned=20,
               abandoned_within_threshold=12, short_abandons=2)


def test_events_leave_out_short_abandons():
    assert formulas.service_level_events(EXAMPLE) == 98  # 80 answered + 20 abandoned − 2


@pytest.mark.parametrize(("treatment", "expected"), [
    (T.IGNORED, Decimal("79.55")),  # 70 ÷ (98 − 10)
    (T.NEGATIVE, Decimal("71.43")),  # 70 ÷ 98
    (T.POSITIVE, Decimal("81.63")),  # (70 + 10) ÷ 98
])
def test_service_level_per_abandon_treatment(treatment, expected):
    assert formulas.service_level(EXAMPLE, treatment) == expected


def test_abandon_rate_leaves_out_short_abandons_unless_the_queue_counts_them():
    assert formulas.abandon_rate(EXAMPLE) == Decimal("18.37")  # 18 ÷ 98
    assert formulas.abandon_rate(EXAMPLE, short_abandons_count=True) == Decimal("20.00")


def test_callbacks_are_never_abandoned_and_leave_the_denominator_if_the_queue_says():
    data = sums(offered=110, answered=80, abandoned=20, callbacks_queued=10)
    assert formulas.abandon_rate(data) == Decimal("18.18")  # 20 ÷ 110
    assert formulas.abandon_rate(data, callbacks_in_offered=False) == Decimal("20.00")


def test_callbacks_are_not_service_level_events():
    data = sums(offered=110, answered=80, answered_within_threshold=80, abandoned=20,
                abandoned_within_threshold=20, callbacks_queued=10)
    assert formulas.service_level(data, T.NEGATIVE) == Decimal("80.00")


def test_aht_is_talk_hold_and_after_contact_work_per_handled_contact():
    data = sums(handled=3, talk_seconds=600, hold_seconds=60, acw_seconds=100)
    assert formulas.aht(data) == Decimal("253.33")
    assert formulas.aht_split(data) == {"talk": Decimal("200.00"), "hold": Decimal("20.00"),
                                        "acw": Decimal("33.33")}


def test_asa_is_total_answer_wait_per_answered_contact():
    assert formulas.asa(sums(answered=8, answer_wait_seconds=100)) == Decimal("12.50")


def test_fcr_and_net_fcr():
    data = sums(fcr_contacts=200, fcr_resolved=150, fcr_not_resolvable=20)
    assert formulas.fcr(data) == Decimal("75.00")
    assert formulas.fcr(data, net=True) == Decimal("83.33")  # 150 ÷ 180


def test_csat_is_the_share_of_the_top_two_boxes():
    assert formulas.csat(sums(csat_responses=40, csat_satisfied=34)) == Decimal("85.00")


def test_nps_is_promoters_minus_detractors_and_may_be_negative():
    # 100 responses: 50 promoters, 30 passives, 20 detractors → 50 % − 20 % = 30.
    assert formulas.nps(sums(nps_responses=100, nps_promoters=50, nps_detractors=20)) \
        == Decimal("30.00")
    assert formulas.nps(sums(nps_responses=8, nps_promoters=1, nps_detractors=6)) \
        == Decimal("-62.50")


def test_cost_per_contact():
    assert formulas.cost_per_contact(Decimal("1000.00"), 3) == Decimal("333.33")
    assert formulas.cost_per_contact(Decimal("1000.00"), 0) is None
    assert formulas.cost_per_contact(None, 3) is None


def test_no_denominator_means_no_figure_not_zero():
    empty = sums()
    assert all(formulas.figures(empty)[name] is None for name in (
        "service_level", "abandon_rate", "aht", "asa", "fcr", "csat", "nps"))


def test_rounding_is_once_and_half_up():
    assert formulas.rounded(Fraction(2675, 1000)) == Decimal("2.68")
    assert formulas.rounded(Fraction(-2675, 1000)) == Decimal("-2.68")
    assert formulas.rounded(Fraction(1, 3)) == Decimal("0.33")


def test_unknown_treatment_is_refused():
    with pytest.raises(ValueError, match="treatment"):
        formulas.service_level(EXAMPLE, "sideways")


# --- Property tests against a per-contact oracle -------------------------------------------

THRESHOLD, SHORT = 20, 5


@dataclass
class Contact:
    outcome: str  # answered, abandoned, callback
    wait: int
    talk: int
    hold: int
    acw: int
    fcr: str | None  # resolved, unresolved, not_resolvable
    csat: int | None  # 1..5
    nps: int | None  # 0..10


contacts_strategy = st.lists(st.builds(
    Contact, outcome=st.sampled_from(["answered", "abandoned", "callback"]),
    wait=st.integers(0, 90), talk=st.integers(0, 900), hold=st.integers(0, 120),
    acw=st.integers(0, 300), fcr=st.none() | st.sampled_from(["resolved", "unresolved",
                                                              "not_resolvable"]),
    csat=st.none() | st.integers(1, 5), nps=st.none() | st.integers(0, 10)), max_size=60)


def interval_counts(contacts):
    """What an ACD export says about these contacts: counts and sums only."""
    answered = [c for c in contacts if c.outcome == "answered"]
    abandoned = [c for c in contacts if c.outcome == "abandoned"]
    surveyed_fcr = [c for c in answered if c.fcr]
    return sums(
        offered=len(contacts), answered=len(answered),
        answered_within_threshold=sum(c.wait <= THRESHOLD for c in answered),
        abandoned=len(abandoned),
        abandoned_within_threshold=sum(c.wait <= THRESHOLD for c in abandoned),
        short_abandons=sum(c.wait < SHORT for c in abandoned),
        callbacks_queued=sum(c.outcome == "callback" for c in contacts),
        handled=len(answered), talk_seconds=sum(c.talk for c in answered),
        hold_seconds=sum(c.hold for c in answered), acw_seconds=sum(c.acw for c in answered),
        answer_wait_seconds=sum(c.wait for c in answered),
        fcr_contacts=len(surveyed_fcr),
        fcr_resolved=sum(c.fcr == "resolved" for c in surveyed_fcr),
        fcr_not_resolvable=sum(c.fcr == "not_resolvable" for c in surveyed_fcr),
        csat_responses=sum(c.csat is not None for c in answered),
        csat_satisfied=sum(c.csat is not None and c.csat >= 4 for c in answered),
        nps_responses=sum(c.nps is not None for c in answered),
        nps_promoters=sum(c.nps is not None and c.nps >= 9 for c in answered),
        nps_detractors=sum(c.nps is not None and c.nps <= 6 for c in answered))


def add(*groups):
    return {name: sum(g[name] for g in groups) for name in COUNT_FIELDS}


def oracle_round(numerator, denominator):
    if denominator == 0:
        return None
    with localcontext() as context:
        context.prec = 60
        return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01"),
                                                                    rounding=ROUND_HALF_UP)


def oracle_service_level(contacts, treatment):
    """Walk the contacts one by one, as the definition reads."""
    events = within = abandoned_within = 0
    for c in contacts:
        if c.outcome == "callback" or (c.outcome == "abandoned" and c.wait < SHORT):
            continue  # not a service-level event at all
        events += 1
        if c.outcome == "answered" and c.wait <= THRESHOLD:
            within += 1
        elif c.outcome == "abandoned" and c.wait <= THRESHOLD:
            abandoned_within += 1
    if treatment == T.IGNORED:
        return oracle_round(100 * within, events - abandoned_within)
    if treatment == T.POSITIVE:
        return oracle_round(100 * (within + abandoned_within), events)
    return oracle_round(100 * within, events)


split_strategy = st.integers(1, 5)


@settings(max_examples=200, deadline=None)
@given(contacts=contacts_strategy, parts=split_strategy,
       treatment=st.sampled_from(list(T)))
def test_service_level_over_intervals_matches_the_per_contact_count(contacts, parts, treatment):
    # The contacts fall in several intervals; the figure is from the summed counts.
    intervals = [interval_counts(contacts[i::parts]) for i in range(parts)]
    assert formulas.service_level(add(*intervals), treatment) \
        == oracle_service_level(contacts, treatment)


@settings(max_examples=200, deadline=None)
@given(contacts=contacts_strategy, parts=split_strategy, count_short=st.booleans(),
       callbacks_in=st.booleans())
def test_abandon_rate_matches_the_per_contact_count(contacts, parts, count_short, callbacks_in):
    abandoned = queued = 0
    for c in contacts:
        if c.outcome == "abandoned" and c.wait < SHORT and not count_short:
            continue
        if c.outcome == "callback" and not callbacks_in:
            continue
        queued += 1
        abandoned += c.outcome == "abandoned"
    total = add(*[interval_counts(contacts[i::parts]) for i in range(parts)])
    assert formulas.abandon_rate(total, short_abandons_count=count_short,
                                 callbacks_in_offered=callbacks_in) \
        == oracle_round(100 * abandoned, queued)


@settings(max_examples=200, deadline=None)
@given(contacts=contacts_strategy, parts=split_strategy)
def test_times_and_surveys_match_the_per_contact_computation(contacts, parts):
    total = add(*[interval_counts(contacts[i::parts]) for i in range(parts)])
    answered = [c for c in contacts if c.outcome == "answered"]
    assert formulas.aht(total) == oracle_round(sum(c.talk + c.hold + c.acw for c in answered),
                                               len(answered))
    assert formulas.asa(total) == oracle_round(sum(c.wait for c in answered), len(answered))
    measured = [c for c in answered if c.fcr]
    assert formulas.fcr(total) == oracle_round(
        100 * sum(c.fcr == "resolved" for c in measured), len(measured))
    assert formulas.fcr(total, net=True) == oracle_round(
        100 * sum(c.fcr == "resolved" for c in measured),
        sum(c.fcr != "not_resolvable" for c in measured))
    scores = [c.csat for c in answered if c.csat is not None]
    assert formulas.csat(total) == oracle_round(100 * sum(s >= 4 for s in scores), len(scores))
    votes = [c.nps for c in answered if c.nps is not None]
    assert formulas.nps(total) == oracle_round(
        100 * (sum(v >= 9 for v in votes) - sum(v <= 6 for v in votes)), len(votes))


@settings(max_examples=100, deadline=None)
@given(contacts=contacts_strategy, parts=st.integers(2, 5))
def test_averaging_interval_percentages_is_not_what_we_do(contacts, parts):
    # The summed figure equals the per-contact one whatever the split (the point of
    # keeping counts); this holds even when the intervals' own figures differ.
    intervals = [interval_counts(contacts[i::parts]) for i in range(parts)]
    assert formulas.service_level(add(*intervals)) == formulas.service_level(
        interval_counts(contacts))


@given(spend=st.decimals(min_value=0, max_value=10**9, places=2), handled=st.integers(1, 10**6))
def test_cost_per_contact_matches_exact_division(spend, handled):
    assert formulas.cost_per_contact(spend, handled) == oracle_round(spend, handled)
