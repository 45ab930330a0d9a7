"""SLA objectives, compliance and service credits through the services, on real rows:
a month's outage priced with AWS-style bands, credits accrued once, refreshed while
data changes, the claim window, the FSM per role, reconciliation and the letter."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.choices import Role
from core.exceptions import RequirementMissing, TransitionNotAllowed
from core.models import Notification
from vendors import measurement_sources, services, sla_services
from vendors.choices import CreditState, ExclusionKind
from vendors.credit_deadlines import credit_deadlines_sweep
from vendors.models import Compliance, CreditDeadline, Measurement, ServiceCredit

from .sla_helpers import D, ccaas_contract, outage, uptime_objective

pytestmark = pytest.mark.django_db

MAY_3 = datetime(2026, 5, 3, 9, tzinfo=UTC)
APRIL = date(2026, 4, 1)
APRIL_OUTAGE = datetime(2026, 4, 14, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_may_2026():
    with time_machine.travel(MAY_3, tick=False):
        yield


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, username="fiona")


@pytest.fixture
def contract(victor, carrier):
    return ccaas_contract(victor, carrier)


@pytest.fixture
def objective(victor, contract):
    return uptime_objective(victor, contract)


def close_april(objective, by=None):
    return sla_services.compliance_compute(objective=objective, period_start=APRIL, by=by)


# --- Compliance and accrual ------------------------------------------------------------------


def test_a_four_hour_outage_misses_99_99_and_accrues_five_percent_of_agent_seat(
        objective, carrier, victor):
    outage(victor, carrier, APRIL_OUTAGE, 240)  # 240 of 43,200 minutes in April
    compliance = close_april(objective)
    assert compliance.value == D("99.4444") and not compliance.met
    assert compliance.shortfall == D("0.5456")
    assert compliance.credit_amount == D("920.00")
    assert compliance.explanation == (
        "99.4444 % is not at least 99.99 %: 99.4444 % < 99.99 % and ≥ 99.0 % → 5 % of "
        "AgentSeat fees EUR 18,400.00 = EUR 920.00; minimum EUR 1.00 met")
    credit = compliance.credit
    assert (credit.state, credit.amount, credit.claim_deadline) == (
        CreditState.ACCRUED, D("920.00"), date(2026, 5, 30))  # 30 days after 30 April
    assert credit.history.last().history_change_reason == "Accrued: the objective was missed"
    # The self-measured figure is stored with its evidence.
    own = Measurement.objects.get(objective=objective, source="self", period_start=APRIL)
    assert own.basis["outages"][0]["minutes"] == "240.0000"


def test_a_met_month_accrues_nothing(objective, carrier, victor):
    outage(victor, carrier, APRIL_OUTAGE, 4)  # 4 minutes: 99.9907 %
    compliance = close_april(objective)
    assert compliance.met and compliance.score == 100
    assert not ServiceCredit.objects.exists()


def test_a_credit_accrues_exactly_once_however_often_the_period_closes(objective, carrier,
                                                                       victor):
    outage(victor, carrier, APRIL_OUTAGE, 240)
    for _ in range(3):
        sla_services.periods_close()
    assert ServiceCredit.objects.count() == 1
    assert Compliance.objects.filter(objective=objective).count() == 4  # Jan–Apr


def test_an_exclusion_tagged_later_refreshes_the_accrued_credit(objective, carrier, victor):
    incident = outage(victor, carrier, APRIL_OUTAGE, 240)
    credit = close_april(objective).credit
    services.exclusion_add(vendor=carrier, by=victor, kind=ExclusionKind.FORCE_MAJEURE,
                           incident=incident, starts_at=APRIL_OUTAGE,
                           ends_at=APRIL_OUTAGE + timedelta(minutes=236), reason="Flood")
    credit.refresh_from_db()
    assert credit.state == CreditState.WAIVED  # 4 minutes left: met
    assert credit.waive_reason.startswith("Recomputed: Target met")


def test_a_claimed_credit_is_not_rewritten_by_later_data(objective, carrier, victor):
    incident = outage(victor, carrier, APRIL_OUTAGE, 240)
    credit = sla_services.credit_claim(credit=close_april(objective).credit, by=victor)
    services.exclusion_add(vendor=carrier, by=victor, kind=ExclusionKind.CAUSED_BY_US,
                           incident=incident, starts_at=APRIL_OUTAGE,
                           ends_at=APRIL_OUTAGE + timedelta(minutes=200), reason="Our router")
    credit.refresh_from_db()
    assert (credit.state, credit.amount) == (CreditState.CLAIMED, D("920.00"))


def test_exclusion_kinds_the_objective_does_not_count_stay_down(victor, contract, carrier):
    objective = sla_services.objective_create(
        contract=contract, by=victor, name="Uptime", metric="uptime", target="99.99",
        excluded_kinds=["maintenance"], schedule={"bands": [
            {"kind": "value", "upper": "99.99", "percent": "10"}]})
    incident = outage(victor, carrier, APRIL_OUTAGE, 240)
    services.exclusion_add(vendor=carrier, by=victor, kind=ExclusionKind.FORCE_MAJEURE,
                           incident=incident, starts_at=APRIL_OUTAGE,
                           ends_at=APRIL_OUTAGE + timedelta(minutes=240), reason="Storm")
    assert close_april(objective).value == D("99.4444")


@pytest.mark.parametrize(("formula", "expected"), [("excluded_added_back", "99.7222"),
                                                   ("plain", "99.7222")])
def test_both_uptime_formulas_measure_net_downtime(victor, contract, carrier, formula,
                                                   expected):
    objective = sla_services.objective_create(
        contract=contract, by=victor, name="Uptime", metric="uptime", target="99.95",
        uptime_formula=formula, schedule={"bands": [
            {"kind": "value", "upper": "99.95", "percent": "10"}]})
    incident = outage(victor, carrier, APRIL_OUTAGE, 240)
    services.exclusion_add(vendor=carrier, by=victor, kind=ExclusionKind.THIRD_PARTY,
                           incident=incident, starts_at=APRIL_OUTAGE,
                           ends_at=APRIL_OUTAGE + timedelta(minutes=120), reason="Carrier")
    compliance = close_april(objective)
    own = Measurement.objects.get(objective=objective, source="self", period_start=APRIL)
    assert compliance.value == D(expected)
    assert own.basis["excluded_minutes"] == "120.0000"
    assert ("(A − B + C)" in own.detail) == (formula == "excluded_added_back")


def test_five9_duration_bands_per_outage_and_the_floor(victor, contract, carrier):
    objective = sla_services.objective_create(
        contract=contract, by=victor, name="Voice availability", metric="uptime",
        target="99.999", schedule={"bands": [
            {"kind": "duration", "upper": "120", "percent": "5"},
            {"kind": "duration", "lower": "120", "percent": "10"},
            {"kind": "floor", "upper": "97", "percent": "100"}],
            "claim_window_from": "incident"})
    outage(victor, carrier, APRIL_OUTAGE, 30)
    outage(victor, carrier, APRIL_OUTAGE + timedelta(days=2), 150)
    compliance = close_april(objective)
    # 5 % + 10 % of every recurring fee line (AgentSeat; the one-time fee never counts).
    assert compliance.credit_amount == D("2760.00")
    assert "outage of 30 min < 120 min → 5 %" in compliance.explanation
    # Claimed within 30 days of the incident.
    assert compliance.credit.claim_deadline == date(2026, 5, 13)


def test_a_revised_objective_leaves_past_periods_under_their_terms(objective, victor, carrier):
    outage(victor, carrier, APRIL_OUTAGE, 240)
    april = close_april(objective)
    revised = sla_services.objective_revise(objective=objective, by=victor,
                                            effective_from=date(2026, 5, 1), target="99.0")
    assert revised.version == 2 and revised.series == objective.series
    april.refresh_from_db()
    assert april.objective == objective and not april.met
    assert sla_services.version_for(objective.series, date(2026, 5, 1)) == revised
    with pytest.raises(ValidationError) as refused:
        sla_services.objective_revise(objective=revised, by=victor,
                                      effective_from=date(2026, 4, 1))
    assert "effective_from" in refused.value.message_dict


def test_objective_refusals_name_the_field(victor, contract):
    with pytest.raises(ValidationError) as refused:
        sla_services.objective_create(
            contract=contract, by=victor, name="", metric="uptime", target="101",
            schedule={"bands": [{"kind": "value", "lower": "99", "upper": "98", "percent": "5"}],
                      "fee_lines": [contract.fee_lines.get(name="Onboarding").pk]})
    errors = refused.value.message_dict
    assert {"name", "target", "bands", "fee_lines"} <= set(errors)
    assert "one-time" in errors["fee_lines"][0]


def test_a_viewer_cannot_define_objectives(viewer, contract):
    with pytest.raises(PermissionDenied):
        sla_services.objective_create(contract=contract, by=viewer, name="Up",
                                      metric="uptime", target="99")


# --- Vendor-reported figures and reconciliation ------------------------------------------------


@pytest.fixture
def service_level_source():
    """A self-measured service level over interval counts the test creates (the KPI
    app registers the real one): answered within the threshold ÷ offered."""
    intervals = {}

    def source(request):
        rows = [row for queue in request.queue_ids for row in intervals.get(queue, [])
                if request.start <= row["at"] < request.end]
        if not rows:
            return None
        within = sum(r["within"] for r in rows)
        offered = sum(r["offered"] for r in rows)
        value = (D(within) * 100 / D(offered)).quantize(D("0.0001"))
        return measurement_sources.MeasuredValue(
            value, f"{within} of {offered} answered within "
                   f"{request.options['threshold_seconds']} s",
            {"within": within, "offered": offered})

    previous = measurement_sources._SOURCES.get("service_level")  # the KPI app's, if any
    measurement_sources.register_source("service_level", source)
    yield intervals
    if previous is None:
        measurement_sources._SOURCES.pop("service_level", None)
    else:
        measurement_sources.register_source("service_level", previous)


def test_self_measured_is_preferred_and_a_gap_beyond_tolerance_is_flagged(
        victor, contract, service_level_source):
    objective = sla_services.objective_create(
        contract=contract, by=victor, name="Service level 80/20", metric="service_level",
        target="80", queue_ids=[7], options={"threshold_seconds": 20}, tolerance="1",
        schedule={"bands": [{"kind": "value", "upper": "80", "percent": "2"}]})
    service_level_source[7] = [
        {"at": datetime(2026, 4, 2, 9, tzinfo=UTC), "within": 760, "offered": 1000}]
    sla_services.measurement_record(objective=objective, by=victor, period_start=APRIL,
                                    value="81.5", detail="Vendor monthly report")
    compliance = Compliance.objects.get(objective=objective)
    assert (compliance.source, compliance.value, compliance.met) == ("self", D("76"), False)
    assert (compliance.vendor_value, compliance.flagged) == (D("81.5"), True)
    assert compliance.score == D("80.00")  # 4 of 20 points of room used
    dispute = sla_services.reconciliation_dispute_open(compliance=compliance, by=victor,
                                                       note="Our ACD shows 76 %.")
    assert "760 of 1000 answered within 20 s" in dispute.evidence
    assert "Difference: 5.5 %" in dispute.evidence
    with pytest.raises(ValidationError) as refused:
        sla_services.measurement_record(objective=objective, by=victor, period_start=APRIL,
                                        value="70", source="self")
    assert "never typed twice" in refused.value.message_dict["source"][0]


def test_vendor_reported_figures_are_used_without_a_source(victor, contract):
    objective = sla_services.objective_create(
        contract=contract, by=victor, name="QA score", metric="qa_score", target="90",
        schedule={"bands": [{"kind": "value", "upper": "90", "percent": "3"}]})
    sla_services.measurement_record(objective=objective, by=victor, period_start=APRIL,
                                    value="88")
    compliance = Compliance.objects.get(objective=objective)
    assert (compliance.source, compliance.credit_amount) == ("vendor", D("552.00"))
    with pytest.raises(ValidationError) as refused:
        sla_services.measurement_record(objective=objective, by=victor,
                                        period_start=date(2026, 4, 2), value="x")
    assert {"value"} <= set(refused.value.message_dict)


# --- The credit's life, per role -----------------------------------------------------------


@pytest.fixture
def credit(objective, carrier, victor):
    outage(victor, carrier, APRIL_OUTAGE, 240)
    return close_april(objective).credit


def test_claim_dispute_counter_accept_in_part_and_receive(credit, victor, finance):
    credit = sla_services.credit_claim(credit=credit, by=victor)
    credit = sla_services.credit_dispute(credit=credit, by=victor,
                                         reason="Vendor says 2 h were maintenance")
    credit = sla_services.credit_reclaim(credit=credit, by=victor, counter_amount="800.00")
    credit = sla_services.credit_accept(credit=credit, by=victor, agreed_amount="700.00")
    credit = sla_services.credit_receive(credit=credit, by=finance, reference="CN-1182")
    assert (credit.state, credit.claimed_amount, credit.agreed_amount,
            credit.received_amount) == (CreditState.RECEIVED, D("800.00"), D("700.00"),
                                        D("700.00"))
    reasons = [row.history_change_reason for row in credit.history.order_by("history_id")]
    assert reasons[-5:] == ["Claimed", "Disputed by the vendor: Vendor says 2 h were "
                            "maintenance", "Claimed again with EUR 800.00",
                            "Accepted in part: EUR 700.00", "Received"]


@pytest.mark.parametrize(("role", "can_claim", "can_receive"), [
    (Role.MANAGER, True, True), (Role.VENDOR_MANAGER, True, True),
    (Role.FINANCE, False, True), (Role.VIEWER, False, False),
    (Role.INCIDENT_RESPONDER, False, False), (Role.ESCALATION_LEAD, False, False)])
def test_who_works_credits_and_who_records_them_received(credit, make_user, victor, role,
                                                         can_claim, can_receive):
    user = make_user(role)
    if can_claim:
        sla_services.credit_claim(credit=credit, by=user)
    else:
        with pytest.raises(PermissionDenied):
            sla_services.credit_claim(credit=credit, by=user)
        sla_services.credit_claim(credit=credit, by=victor)
    credit = sla_services.credit_accept(credit=credit, by=victor)
    if can_receive:
        assert sla_services.credit_receive(credit=credit, by=user).state == CreditState.RECEIVED
    else:
        with pytest.raises(PermissionDenied):
            sla_services.credit_receive(credit=credit, by=user)


def test_waiving_needs_a_reason_and_a_received_credit_cannot_be_waived(credit, victor):
    with pytest.raises(RequirementMissing) as refused:
        sla_services.credit_waive(credit=credit, by=victor, reason=" ")
    assert "waive_reason" in refused.value.errors
    credit = sla_services.credit_claim(credit=credit, by=victor)
    credit = sla_services.credit_accept(credit=credit, by=victor)
    credit = sla_services.credit_receive(credit=credit, by=victor)
    with pytest.raises(TransitionNotAllowed):
        sla_services.credit_waive(credit=credit, by=victor, reason="Goodwill")


def test_a_partial_acceptance_cannot_exceed_the_claim(credit, victor):
    credit = sla_services.credit_claim(credit=credit, by=victor)
    with pytest.raises(RequirementMissing) as refused:
        sla_services.credit_accept(credit=credit, by=victor, agreed_amount="920.01")
    assert "agreed_amount" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        sla_services.credit_accept(credit=credit, by=victor, agreed_amount="1.001")
    assert "agreed_amount" in refused.value.message_dict


# --- The claim window ----------------------------------------------------------------------


def test_warnings_at_half_and_three_quarters_of_the_window_then_the_breach(credit, victor):
    # Window: 1 May 00:00 → 31 May 00:00 (deadline 30 May): 50 % on 16 May, 75 % on 23 May 12:00.
    titles = []
    for moment in (datetime(2026, 5, 16, 1, tzinfo=UTC), datetime(2026, 5, 16, 2, tzinfo=UTC),
                   datetime(2026, 5, 23, 13, tzinfo=UTC), datetime(2026, 5, 31, 1, tzinfo=UTC),
                   datetime(2026, 6, 2, tzinfo=UTC)):
        credit_deadlines_sweep(now=moment)
        titles.append(Notification.objects.filter(recipient=victor).count())
    assert titles == [1, 1, 2, 3, 3]  # once each
    credit.refresh_from_db()
    assert credit.window_missed_at == datetime(2026, 5, 31, 1, tzinfo=UTC)
    assert credit.state == CreditState.ACCRUED and credit.next_deadline_at is None
    last = Notification.objects.filter(recipient=victor).latest("pk")
    assert last.title == "Credit lost: EUR 920.00 from Northwind Telecom not claimed in time"


def test_a_claimed_credit_gets_no_more_warnings(credit, victor):
    sla_services.credit_claim(credit=credit, by=victor)
    assert credit_deadlines_sweep(now=datetime(2026, 6, 2, tzinfo=UTC))["rows"] == 0
    assert set(CreditDeadline.objects.values_list("outcome", flat=True)) == {"claimed"}
    assert not Notification.objects.filter(title__startswith="Claim window").exists()


def test_a_late_sweep_sends_only_the_latest_warning(credit, victor):
    result = credit_deadlines_sweep(now=datetime(2026, 5, 24, tzinfo=UTC))
    assert (result["warned"], result["superseded"]) == (1, 1)


# --- The letter --------------------------------------------------------------------------------


def test_the_claim_letter_has_the_contract_figures_evidence_and_total(credit, victor):
    letter = sla_services.claim_letter([credit], today=date(2026, 5, 3))
    assert letter.startswith(f"# Service credit claim — {credit.contract.reference}")
    assert "| Monthly uptime | Apr 2026 | 99.4444 % | at least 99.99 % | EUR 920.00 |" in letter
    assert "**Total claimed: EUR 920.00**" in letter
    assert "INC-S-" in letter and "240 min counted" in letter


# --- Property: the service prices band edges like an obvious oracle --------------------------


def oracle(value: Decimal) -> Decimal:
    """AWS bands by hand: 5 % in [99, 99.99), 15 % in [95, 99), 100 % below 95."""
    if value >= D("99.99"):
        return D("0.00")
    percent = 5 if value >= 99 else 15 if value >= 95 else 100
    amount = (D(18400) * percent / 100).quantize(D("0.01"))
    return amount if amount > 1 else D("0.00")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(
    st.sampled_from(["99.99", "99.9899", "99.0", "98.9999", "95.0", "94.9999", "0", "100"]),
    st.decimals(min_value=0, max_value=100, places=4).map(str)))
def test_vendor_reported_values_are_priced_like_the_oracle(objective, victor, value):
    with transaction.atomic():
        sla_services.measurement_record(objective=objective, by=victor,
                                        period_start=date(2026, 3, 1), value=value,
                                        source="vendor")
        compliance = Compliance.objects.get(objective=objective, period_start=date(2026, 3, 1))
        # No outage: our own figure is 100 % and preferred; the vendor's is beside it.
        assert compliance.self_value == D(100) and compliance.met
        priced = sla_services.evaluate(objective, D(value))[3].amount
        assert priced == oracle(D(value))
        transaction.set_rollback(True)


def test_new_terms_from_a_past_date_take_over_the_periods_measured_since(objective, victor,
                                                                          carrier):
    outage(victor, carrier, APRIL_OUTAGE, 240)
    close_april(objective)
    sla_services.measurement_record(objective=objective, by=victor, period_start=APRIL,
                                    value="99.5")
    revised = sla_services.objective_revise(objective=objective, by=victor,
                                            effective_from=APRIL, target="99.0")
    april = Compliance.objects.get(period_start=APRIL)  # one row for the period
    assert april.objective == revised and april.met
    assert not ServiceCredit.objects.exists()
    assert Measurement.objects.get(period_start=APRIL, source="vendor").objective == revised
    assert Compliance.objects.get(period_start=date(2026, 3, 1)).objective == objective


def test_new_terms_cannot_rewrite_a_period_whose_credit_was_claimed(objective, victor,
                                                                     carrier):
    outage(victor, carrier, APRIL_OUTAGE, 240)
    sla_services.credit_claim(credit=close_april(objective).credit, by=victor)
    with pytest.raises(ValidationError) as refused:
        sla_services.objective_revise(objective=objective, by=victor, effective_from=APRIL,
                                      target="99.0")
    assert "claimed" in refused.value.message_dict["effective_from"][0]


def test_an_unclaimed_credit_is_earned_back_when_the_next_period_is_met(victor, contract,
                                                                         carrier):
    objective = uptime_objective(victor, contract, earn_back_periods=1)
    outage(victor, carrier, APRIL_OUTAGE, 240)
    credit = close_april(objective).credit
    with time_machine.travel(datetime(2026, 6, 3, tzinfo=UTC), tick=False):
        may = sla_services.compliance_compute(objective=objective,
                                              period_start=date(2026, 5, 1))
    credit.refresh_from_db()
    assert may.met and credit.state == CreditState.WAIVED
    assert credit.waive_reason == "Earned back: the next period was met."
