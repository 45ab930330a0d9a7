"""Incident cost: rates by date, the worked example to the cent, missing rates, credits
attributed, refresh on change, the card and the tile per role, and the sum against a
slow obvious oracle."""

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets import incident_cost as ic
from budgets.choices import RateKind
from budgets.models import CostRate, IncidentCost
from budgets.tasks import refresh_incident_costs, refresh_stale_incident_costs
from core.choices import Role
from incidents import services as incident_services
from incidents.models import Channel, Incident, Severity
from kpis import services as kpi_services
from tests.budgets.conftest import MAY_3
from tests.kpis.conftest import counts
from tests.vendors.sla_helpers import outage, uptime_objective
from vendors import services as vendor_services
from vendors import sla_services

pytestmark = pytest.mark.django_db

D = Decimal
DECLARED = datetime(2026, 4, 14, 10, tzinfo=UTC)
RESOLVED = datetime(2026, 4, 14, 12, 30, tzinfo=UTC)  # 2.5 h = 9,000 s
ROLES = [Role.MANAGER, Role.FINANCE, Role.VENDOR_MANAGER, Role.INCIDENT_RESPONDER,
         Role.ESCALATION_LEAD, Role.VIEWER]
MONEY_ROLES = {Role.MANAGER, Role.FINANCE, Role.VENDOR_MANAGER}


@pytest.fixture
def rates(finance):
    """In effect since 1 January; the commander's rate rises on 20 April (after the
    incident was declared, so it does not apply to it)."""
    day = date(2026, 1, 1)
    for role, amount in [("commander", "120.00"), ("communications_lead", "80.00"),
                         ("scribe", "50.00"), ("participant", "60.00")]:
        ic.rate_set(by=finance, kind=RateKind.RESPONDER, role=role, amount=amount,
                    effective_from=day)
    ic.rate_set(by=finance, kind=RateKind.RESPONDER, role="commander", amount="200.00",
                effective_from=date(2026, 4, 20))
    ic.rate_set(by=finance, kind=RateKind.AGENT_HOUR, amount="28.00", effective_from=day)
    ic.rate_set(by=finance, kind=RateKind.LOST_CONTACT, channel="voice", amount="4.00",
                effective_from=day)


@pytest.fixture
def queues(manager):
    support = kpi_services.queue_create(by=manager, name="Voice support", channel="voice")
    billing = kpi_services.queue_create(by=manager, name="Voice billing", channel="voice")
    return support, billing


def interval(queue, start, **values):
    from kpis.models import IntervalStat

    return IntervalStat.objects.create(queue=queue, start=start, length_minutes=30,
                                       **counts(**values))


@pytest.fixture
def contact_data(queues):
    """The four weeks before: support answers 100 and billing 50 at 10:00; during the
    incident 60 and 30. 60 contacts lost: support 40 below its baseline, billing 20."""
    support, billing = queues
    for weeks in range(1, 5):
        start = DECLARED - timedelta(weeks=weeks)
        interval(support, start, offered=100, answered=100, handled=100)
        interval(billing, start, offered=50, answered=50, handled=50)
    interval(support, DECLARED, offered=100, answered=60, handled=60)
    interval(billing, DECLARED, offered=50, answered=30, handled=30)
    return queues


@pytest.fixture
def people(make_user):
    return {name: make_user(role, username=name) for name, role in [
        ("ivan", Role.INCIDENT_RESPONDER), ("cora", Role.INCIDENT_RESPONDER),
        ("pat", Role.INCIDENT_RESPONDER), ("quinn", Role.ESCALATION_LEAD)]}


@pytest.fixture
def worked(manager, people):
    """Declared 14 April 10:00 on voice with 3 agents idle, commander Ivan,
    communications lead Cora, Pat and Quinn joined; resolved at 12:30."""
    voice = Channel.objects.get(key="voice")
    with time_machine.travel(DECLARED, tick=False):
        incident = incident_services.incident_declare(
            by=manager, title="IVR down", severity=Severity.objects.get(key="SEV2"),
            channels=[voice], commander=people["ivan"], agents_idle=3)
        incident_services.incident_assign_role(incident=incident, by=manager,
                                               role="communications_lead",
                                               user=people["cora"])
        incident.participants.add(people["ivan"], people["pat"], people["quinn"])
        incident_services.incident_triage(incident=incident, by=manager)
    with time_machine.travel(RESOLVED, tick=False):
        incident_services.incident_resolve(incident=incident, by=manager,
                                           summary="IVR host restarted")
    return Incident.objects.get(pk=incident.pk)


@pytest.fixture
def credited(victor, platform, contract, worked):
    """Skyline is named on the incident (150 min) and on another outage of 90 min in
    April: 240 min down, 99.44 % uptime, a 5 % credit of the 18,400.00 AgentSeat fee =
    920.00, accrued when the period is computed."""
    objective = uptime_objective(victor, contract)
    outage(victor, platform, datetime(2026, 4, 20, 8, tzinfo=UTC), 90)
    vendor_services.attribution_add(vendor=platform, by=victor, incident=worked,
                                    at=DECLARED)
    compliance = sla_services.compliance_compute(objective=objective,
                                                 period_start=date(2026, 4, 1))
    return compliance.credit


def formulas(breakdown):
    return [line.formula for line in breakdown.lines]


# --- Rates --------------------------------------------------------------------------------


def test_rate_set_keeps_history_with_who(finance):
    rate = ic.rate_set(by=finance, kind=RateKind.AGENT_HOUR, amount="28.00",
                       effective_from=date(2026, 1, 1))
    again = ic.rate_set(by=finance, kind=RateKind.AGENT_HOUR, amount="29.50",
                        effective_from=date(2026, 1, 1), reason="Loaded cost revised")
    assert again.pk == rate.pk and again.amount == D("29.50")
    history = list(rate.history.order_by("history_date"))
    assert [h.history_user for h in history] == [finance, finance]
    assert [h.history_change_reason for h in history] == ["Rate set", "Loaded cost revised"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": RateKind.RESPONDER}, "role"),
    ({"kind": RateKind.RESPONDER, "role": "janitor"}, "role"),
    ({"kind": RateKind.RESPONDER, "role": "scribe", "channel": "voice"}, "channel"),
    ({"kind": RateKind.LOST_CONTACT}, "channel"),
    ({"kind": RateKind.LOST_CONTACT, "channel": "fax"}, "channel"),
    ({"kind": RateKind.LOST_CONTACT, "role": "scribe", "channel": "voice"}, "role"),
    ({"kind": RateKind.AGENT_HOUR, "role": "scribe"}, "role"),
    ({"kind": RateKind.AGENT_HOUR, "amount": "-1"}, "amount"),
    ({"kind": RateKind.AGENT_HOUR, "amount": "twelve"}, "amount"),
    ({"kind": RateKind.AGENT_HOUR, "amount": "1.00001"}, "amount"),
    ({"kind": "bonus"}, "kind"),
])
def test_rate_set_names_the_wrong_field(finance, fields, field):
    values = {"amount": "10.00", "effective_from": date(2026, 1, 1), **fields}
    with pytest.raises(ValidationError) as refused:
        ic.rate_set(by=finance, **values)
    assert field in refused.value.message_dict
    assert not CostRate.objects.exists()


def test_a_lost_contact_rate_needs_a_channel_or_a_queue_not_both(finance, queues):
    with pytest.raises(ValidationError) as refused:
        ic.rate_set(by=finance, kind=RateKind.LOST_CONTACT, channel="voice", queue=queues[0],
                    amount="4.00", effective_from=date(2026, 1, 1))
    assert "queue" in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.VENDOR_MANAGER, Role.INCIDENT_RESPONDER, Role.VIEWER])
def test_only_rate_managers_set_rates(make_user, role):
    with pytest.raises(PermissionDenied):
        ic.rate_set(by=make_user(role), kind=RateKind.AGENT_HOUR, amount="28.00",
                    effective_from=date(2026, 1, 1))


def test_the_rate_in_effect_at_the_declaration_applies(rates, queues):
    before, after = ic.rates_on(date(2026, 4, 19)), ic.rates_on(date(2026, 4, 20))
    assert before.responder["commander"].amount == D("120.00")
    assert after.responder["commander"].amount == D("200.00")
    assert ic.rates_on(date(2025, 12, 31)).empty


def test_a_queue_rate_wins_over_its_channel(finance, rates, queues):
    support, billing = queues
    ic.rate_set(by=finance, kind=RateKind.LOST_CONTACT, queue=billing, amount="6.00",
                effective_from=date(2026, 1, 1))
    now = ic.rates_on(date(2026, 4, 14))
    assert now.lost_contact(billing).amount == D("6.00")
    assert now.lost_contact(support).amount == D("4.00")


# --- The worked example -------------------------------------------------------------------


def test_worked_example_to_the_cent(finance, rates, contact_data, worked, credited):
    support, billing = contact_data
    ic.rate_set(by=finance, kind=RateKind.LOST_CONTACT, queue=billing, amount="6.00",
                effective_from=date(2026, 1, 1))
    cost = ic.incident_cost(Incident.objects.get(pk=worked.pk))
    # 10:00 → 12:30 = 9,000 s = 2.5 h, at the rates of 14 April (commander 120, not 200).
    assert cost.seconds == 9000 and not cost.ongoing
    assert formulas(cost) == [
        # Ivan commands (and joined: counted once), Cora leads communications,
        # Pat and Quinn are other participants; nobody is scribe or vendor liaison.
        "1 person × 2.5 h × EUR 120.00/h = EUR 300.00",
        "1 person × 2.5 h × EUR 80.00/h = EUR 200.00",
        "2 people × 2.5 h × EUR 60.00/h = EUR 300.00",
        "3 agents idle × 2.5 h × EUR 28.00/h = EUR 210.00",
        # Baseline 150 answered, 90 during: 60 lost, support 40 below, billing 20 below.
        "20 lost contacts × EUR 6.00 = EUR 120.00",  # billing's own rate
        "40 lost contacts × EUR 4.00 = EUR 160.00",  # voice channel
        # 920.00 × 150 min of this incident ÷ 240 min of April's outages.
        "EUR 920.00 × 150 min ÷ 240 min = EUR 575.00",
    ]
    assert cost.responders == D("800.00")  # 300 + 200 + 300
    assert cost.agents_idle == D("210.00")
    assert cost.lost_contacts == 60 and cost.lost_contacts_value == D("280.00")
    assert cost.credits == D("575.00")
    assert cost.total == D("715.00")  # 800 + 210 + 280 − 575
    assert not cost.missing
    kept = ic.incident_cost_refresh(worked)
    assert (kept.total, kept.month, kept.credits) == (D("715.00"), date(2026, 4, 1),
                                                      D("575.00"))
    assert kept.breakdown["lost_by_channel"] == {"voice": 60}


def test_missing_rates_are_named_and_not_priced(finance, contact_data, worked):
    ic.rate_set(by=finance, kind=RateKind.RESPONDER, role="commander", amount="120.00",
                effective_from=date(2026, 1, 1))
    cost = ic.incident_cost(worked)
    assert cost.total == D("300.00")  # only the commander is priced
    assert cost.missing == ["responder rate for communications lead",
                            "responder rate for other participant", "loaded agent hour",
                            "lost-contact value for voice"]
    assert "2 people × 2.5 h × no rate set" in formulas(cost)
    assert not cost.no_rates


def test_no_rates_at_all(worked):
    cost = ic.incident_cost(worked)
    assert cost.no_rates and cost.total == D("0.00")


def test_a_running_incident_costs_until_now(manager, finance, rates):
    incident = incident_services.incident_declare(by=manager, title="CRM slow",
                                                  agents_idle=2, at=MAY_3 - timedelta(hours=1))
    cost = ic.incident_cost(incident, now=MAY_3 + timedelta(minutes=30))
    assert cost.ongoing and cost.seconds == 5400
    assert formulas(cost) == ["2 agents idle × 1.5 h × EUR 28.00/h = EUR 84.00"]


def test_a_cancelled_incident_costs_until_its_cancellation(manager, finance, rates):
    incident = incident_services.incident_declare(by=manager, title="False alarm",
                                                  agents_idle=1, at=MAY_3 - timedelta(hours=2))
    incident = incident_services.incident_cancel(incident=incident, by=manager,
                                                 reason="Monitoring glitch",
                                                 at=MAY_3 - timedelta(minutes=80))
    assert ic.incident_cost(incident).seconds == 40 * 60
    assert IncidentCost.objects.get(incident=incident).agents_idle == D("18.67")  # 28 × ⅔


# --- Credits ------------------------------------------------------------------------------


def test_a_waived_credit_is_not_attributed(victor, rates, worked, credited):
    assert ic.incident_cost(worked).credits == D("575.00")
    sla_services.credit_waive(credit=credited, by=victor, reason="Goodwill")
    assert ic.incident_cost(worked).credits == D("0.00")
    # The waiver announced the change: the kept figure followed.
    assert IncidentCost.objects.get(incident=worked).credits == D("0.00")


def test_the_credit_follows_the_amount_expected(victor, finance, rates, worked, credited):
    sla_services.credit_claim(credit=credited, by=victor)
    sla_services.credit_accept(credit=credited, by=victor, agreed_amount="480.00")
    # 480 × 150 ÷ 240 = 300.00, refreshed when the acceptance was announced.
    assert IncidentCost.objects.get(incident=worked).credits == D("300.00")


def test_an_incident_of_another_vendor_period_gets_no_credit(victor, platform, rates, worked):
    assert ic.attributed_credits([worked.pk]) == []
    assert ic.incident_cost(worked).credits == D("0.00")


# --- Refresh --------------------------------------------------------------------------------


def test_declaring_and_editing_refresh_the_kept_cost(manager, rates):
    incident = incident_services.incident_declare(by=manager, title="Chat down",
                                                  at=MAY_3 - timedelta(hours=1))
    assert IncidentCost.objects.get(incident=incident).agents_idle == D("0.00")
    incident_services.incident_edit(incident=incident, by=manager, agents_idle=4)
    # 4 × 1 h × 28.00, at the frozen clock of the tests.
    assert IncidentCost.objects.get(incident=incident).agents_idle == D("112.00")


def test_the_sweep_catches_what_does_not_announce(manager, rates, worked):
    # Kept when triage announced it (no time had passed); resolving announces nothing.
    assert IncidentCost.objects.get(incident=worked).total == D("0.00")
    assert refresh_stale_incident_costs()["refreshed"] >= 1
    kept = IncidentCost.objects.get(incident=worked)
    assert kept.total == D("1010.00")  # 800 responders + 210 idle, no KPI data, no credit
    with time_machine.travel(MAY_3 + timedelta(minutes=1), tick=False):
        incident_services.incident_reopen(incident=worked, by=manager, reason="Again")
    assert IncidentCost.objects.get(incident=worked).total == D("1010.00")  # not announced
    with time_machine.travel(MAY_3 + timedelta(minutes=2), tick=False):
        assert refresh_stale_incident_costs()["refreshed"] >= 1
    # Reopened: running again since 14 April 10:00, until now.
    assert IncidentCost.objects.get(incident=worked).total > D("1010.00")


def test_a_rate_changed_reprices_the_incidents_since(
        django_capture_on_commit_callbacks, finance, rates, kept):
    worked = kept
    assert IncidentCost.objects.get(incident=worked).agents_idle == D("210.00")
    with (time_machine.travel(MAY_3 + timedelta(minutes=1), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        ic.rate_set(by=finance, kind=RateKind.AGENT_HOUR, amount="30.00",
                    effective_from=date(2026, 4, 1))
    assert IncidentCost.objects.get(incident=worked).agents_idle == D("225.00")  # 3×2.5×30


@pytest.fixture
def kept(worked):
    """The worked incident with its cost kept after the resolution."""
    refresh_incident_costs([worked.pk])
    return worked


def test_refresh_all(rates, worked):
    IncidentCost.objects.all().delete()
    assert refresh_incident_costs()["refreshed"] == Incident.objects.count()
    assert IncidentCost.objects.get(incident=worked).total == D("1010.00")


# --- The card and the tile, per role ------------------------------------------------------


@pytest.fixture
def login(client, make_user):
    def as_role(role):
        client.force_login(make_user(role, username=f"web-{role}".replace(" ", "")))
        return client

    return as_role


@pytest.mark.parametrize("role", ROLES)
def test_the_cost_card_on_the_incident_page_for_money_roles(login, rates, worked, role):
    html = login(role).get(worked.get_absolute_url()).content.decode()
    assert ('data-testid="incident-cost"' in html) == (role in MONEY_ROLES)
    if role in MONEY_ROLES:
        assert "3 agents idle × 2.5 h × EUR 28.00/h = EUR 210.00" in html
        assert "EUR 1,010.00</strong> = responders 800.00 + agents idle 210.00" in html


def test_the_card_says_when_no_rates_are_set(login, worked):
    html = login(Role.FINANCE).get(worked.get_absolute_url()).content.decode()
    assert 'data-testid="no-rates"' in html


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_tile_for_money_roles(login, rates, kept, role):
    html = login(role).get("/").content.decode()
    assert ('data-testid="incident-cost-tile"' in html) == (role in MONEY_ROLES)
    if role in MONEY_ROLES:
        tile = html[html.index('data-testid="incident-cost-tile"'):]
        assert "1,010.00" in tile, tile[:1500]  # April, last month


def test_the_tile_sums_per_month_channel_and_vendor_in_constant_queries(
        django_assert_num_queries, manager, victor, platform, rates, kept):
    worked = kept
    vendor_services.attribution_add(vendor=platform, by=victor, incident=worked, at=DECLARED)
    chat = Channel.objects.get(key="chat")
    incident_services.incident_declare(by=manager, title="Chat down", channels=[chat],
                                       agents_idle=1, at=MAY_3 - timedelta(hours=1))
    with django_assert_num_queries(3):
        tile = ic.dashboard_figures(MAY_3)
    assert [(row["month"], row["total"]) for row in tile["months"]] == [
        (date(2025, 12, 1), 0), (date(2026, 1, 1), 0), (date(2026, 2, 1), 0),
        (date(2026, 3, 1), 0), (date(2026, 4, 1), D("1010.00")), (date(2026, 5, 1), D("28.00"))]
    assert tile["this_month"]["total"] == D("28.00")
    assert tile["last_month"]["total"] == D("1010.00")
    assert {row["name"]: row["total"] for row in tile["channels"]} == {
        Channel.objects.get(key="voice").name: D("1010.00"), chat.name: D("28.00")}
    assert [(row["name"], row["total"]) for row in tile["vendors"]] == [
        ("Skyline CCaaS", D("1010.00"))]


# --- The arithmetic against a slow obvious oracle -----------------------------------------


def oracle_line(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


rates_strategy = st.decimals(min_value=0, max_value=1000, places=4)


@settings(max_examples=200, deadline=None)
@given(seconds=st.integers(0, 30 * 24 * 3600),
       responders=st.lists(st.tuples(st.integers(1, 20), rates_strategy), max_size=5),
       idle=st.tuples(st.integers(0, 500), rates_strategy),
       lost=st.lists(st.tuples(st.integers(0, 10_000), rates_strategy), max_size=4),
       credits=st.lists(st.tuples(st.decimals(0, 100_000, places=2),
                                  st.decimals(0, 10_000, places=4),
                                  st.decimals(D("0.0001"), 10_000, places=4)), max_size=3))
def test_the_total_matches_an_oracle(seconds, responders, idle, lost, credits):
    lines = [ic.time_cost(seconds, rate, people) for people, rate in responders]
    lines.append(ic.time_cost(seconds, idle[1], idle[0]))
    lines += [ic.contacts_value(count, rate) for count, rate in lost]
    credit_lines = [ic.credit_share(expected, mine, mine + others)
                    for expected, mine, others in credits]
    total = sum(lines, D(0)) - sum(credit_lines, D(0))
    with localcontext() as exact:
        exact.prec = 80  # enough digits that nothing rounds before the cents
        expected = sum((oracle_line(D(people) * D(seconds) / D(3600) * rate)
                        for people, rate in responders), D(0))
        expected += oracle_line(D(idle[0]) * D(seconds) / D(3600) * idle[1])
        expected += sum((oracle_line(D(count) * rate) for count, rate in lost), D(0))
        expected -= sum((oracle_line(amount * mine / (mine + others))
                         for amount, mine, others in credits), D(0))
    assert total == expected


@settings(max_examples=300, deadline=None)
@given(total=st.integers(0, 10_000),
       weights=st.dictionaries(st.integers(1, 50), st.fractions(-100, 100), min_size=1,
                               max_size=8))
def test_lost_contacts_are_shared_out_exactly(total, weights):
    shares = ic.share_out(total, weights)
    assert sum(shares.values()) == (total if weights else 0)
    positive = {k: w for k, w in weights.items() if w > 0}
    if positive and total:
        whole = sum(positive.values())
        for key, weight in positive.items():
            assert abs(shares.get(key, 0) - Fraction(total) * weight / whole) < 1
        assert set(shares) <= set(positive)


# --- The costliest incidents page (its URLs are included by budgets/urls.py) ----------------


@pytest.mark.parametrize("role", ROLES)
def test_the_costliest_incidents_page_for_money_roles(rf, make_user, rates, kept, role):
    from budgets.incident_cost_views import incident_costs

    request = rf.get("/budgets/incident-costs/", {"from": "2026-04", "to": "2026-05"})
    request.user = make_user(role, username=f"page-{role}".replace(" ", ""))
    request.htmx = False
    if role not in MONEY_ROLES:
        with pytest.raises(PermissionDenied):
            incident_costs(request)
        return
    html = incident_costs(request).content.decode()
    assert 'data-testid="incident-costs"' in html
    assert kept.reference in html and "1,010.00" in html


def test_agents_are_idle_until_containment_responders_until_resolution(manager, rates, worked):
    # Contained at 11:00, an hour after the declaration; resolved at 12:30.
    Incident.objects.filter(pk=worked.pk).update(contained_at=DECLARED + timedelta(hours=1))
    cost = ic.incident_cost(Incident.objects.get(pk=worked.pk))
    assert "3 agents idle × 1 h (until contained) × EUR 28.00/h = EUR 84.00" in formulas(cost)
    assert cost.agents_idle == D("84.00")
    assert cost.responders == D("800.00")  # still 2.5 h each
