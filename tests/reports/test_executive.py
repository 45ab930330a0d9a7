"""The executive page, its PDF and exports: the figures are the selectors' own, money
goes to money roles only, every role reads it, and the queries do not grow with data.

The world is built with the apps' services on 3 May 2026: queues with intervals on 1–2
May, incidents declared, triaged, contained and resolved (and priced), escalations with
their clocks, April's uptime credit claimed and received, a budget and an initiative.
"""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from budgets import services as budget_services
from budgets.choices import BudgetCategory
from budgets.incident_cost import incident_cost_refresh
from budgets.initiatives import initiative_approve, initiative_propose, initiative_start
from budgets.models import CostCenter, IncidentCost
from core.choices import Role
from escalations import services as escalation_services
from escalations.models import EscalationSlaPolicy
from incidents.models import Channel, Severity
from incidents.selectors import incident_metrics
from incidents.services import (
    incident_contain,
    incident_declare,
    incident_resolve,
    incident_triage,
)
from kpis import formulas
from kpis import services as kpi_services
from kpis.models import COUNT_FIELDS, IntervalStat
from kpis.selectors import intervals_in, queue_overview, sums_for
from reports.executive import executive_report, period_from
from tests.vendors.sla_helpers import ccaas_contract, outage, uptime_objective
from vendors import services as vendor_services
from vendors import sla_services
from vendors.choices import VendorCategory
from vendors.models import ServiceCredit
from vendors.sla_selectors import vendors_ranked

MAY_3 = datetime(2026, 5, 3, 9, tzinfo=UTC)
ANONYMOUS = "anonymous"
ROLES = [Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE, Role.INCIDENT_RESPONDER,
         Role.ESCALATION_LEAD, Role.VIEWER]
MONEY_ROLES = {Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE}


@pytest.fixture(autouse=True)
def _in_may_2026():
    with time_machine.travel(MAY_3, tick=False):
        yield


def may(day, hour=9, minute=0):
    return datetime(2026, 5, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def people(make_user):
    return {role: make_user(role, username=f"u-{role}".replace(" ", "").lower())
            for role in ROLES}


@pytest.fixture
def build(people):
    """``build(size)``: a world whose every list grows with ``size``."""
    manager = people[Role.MANAGER]
    victor = people[Role.VENDOR_MANAGER]
    finance = people[Role.FINANCE]
    responder = people[Role.INCIDENT_RESPONDER]
    lead = people[Role.ESCALATION_LEAD]
    made = {"n": 0}

    def make(size):
        made["n"] += 1
        run = made["n"]
        # Vendors: April's uptime miss credited, claimed, accepted and received today.
        platform = vendor_services.vendor_create(by=victor, name=f"Skyline {run}",
                                                 category=VendorCategory.CCAAS)
        contract = ccaas_contract(victor, platform)
        objective = uptime_objective(victor, contract)
        outage(victor, platform, datetime(2026, 4, 14, 10, tzinfo=UTC), 240)
        credit = sla_services.compliance_compute(objective=objective,
                                                 period_start=date(2026, 4, 1)).credit
        credit = sla_services.credit_claim(credit=credit, by=victor)
        credit = sla_services.credit_accept(credit=credit, by=victor)
        sla_services.credit_receive(credit=credit, by=finance, reference=f"CN-{run}")
        # KPIs: queues with half-hour intervals on 1 and 2 May.
        for q in range(size):
            queue = kpi_services.queue_create(by=manager, name=f"Chat {run}-{q}",
                                              channel="chat", vendor=platform)
            for n in range(4 * size):
                start = may(1 + n % 2, 8) + timedelta(minutes=30 * (n // 2))
                values = {**dict.fromkeys(COUNT_FIELDS, 0), "offered": 100, "answered": 90,
                          "answered_within_threshold": 72 + q, "abandoned": 10,
                          "handled": 90, "talk_seconds": 90 * 240, "acw_seconds": 90 * 60,
                          "csat_responses": 20, "csat_satisfied": 17}
                IntervalStat.objects.create(queue=queue, start=start, length_minutes=30,
                                            **values)
        # Incidents, worked through their stages and priced.
        sev2 = Severity.objects.get(key="SEV2")
        chat = Channel.objects.get(key="chat")
        for n in range(size):
            declared = may(1, 10) + timedelta(hours=n)
            incident = incident_declare(by=responder, title=f"Chat down {run}-{n}",
                                        severity=sev2, channels=[chat], at=declared,
                                        contacts_affected=40)
            incident = incident_triage(incident=incident, by=responder, commander=responder,
                                       at=declared + timedelta(minutes=10))
            incident = incident_contain(incident=incident, by=responder, summary="Rolled back",
                                        at=declared + timedelta(minutes=40))
            incident = incident_resolve(incident=incident, by=responder, summary="Fixed",
                                        at=declared + timedelta(minutes=90))
            incident_cost_refresh(incident)
        # Escalations with their SLA clocks (first response 1h, 24×7).
        if run == 1:
            EscalationSlaPolicy.objects.create(
                name="Default", order=100, first_response=timedelta(hours=1),
                containment=timedelta(hours=4), resolution=timedelta(days=2))
        customer = escalation_services.customer_create(
            by=manager, name=f"Harriet Okafor {run}", account_reference=f"ACC-{run}",
            tier="vip", annual_value=Decimal("84000.00"), email=f"h{run}@example.com")
        for n in range(size):
            escalation = escalation_services.escalation_create(
                by=lead, customer=customer, category="complaint", priority="P2",
                summary=f"Billed twice {n}", owner=lead, at=may(2, 9) + timedelta(minutes=n))
            if n % 2 == 0:
                escalation = escalation_services.escalation_triage(
                    escalation=escalation, by=lead, at=may(2, 9, 20))
                escalation_services.escalation_contain(escalation=escalation, by=lead,
                                                       note="Refund issued", at=may(2, 9, 30))
        # Budgets and an initiative under way.
        year = budget_services.fiscal_year_for(date(2026, 5, 3))
        centre = CostCenter.objects.create(code=f"CC-{run}", name=f"Operations {run}")
        budget_services.budget_create(by=finance, fiscal_year=year,
                                      category=BudgetCategory.VENDOR_CONTRACTS,
                                      cost_center=centre, amount="240000.00", owner=finance)
        if run == 1:
            initiative = initiative_propose(by=manager, title="Chatbot deflection",
                                            estimated_cost=Decimal("20000"))
            initiative = initiative_approve(initiative=initiative, by=finance,
                                            approved_cost=Decimal("18000"),
                                            expected_benefit=Decimal("30000"))
            initiative_start(initiative=initiative, by=manager)

    return make


@pytest.fixture
def client_as(client, people):
    def login(role):
        if role != ANONYMOUS:
            client.force_login(people[role])
        return client

    return login


def url(name="executive", **query):
    base = reverse(f"reports:{name}")
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- Numbers equal the selectors' ------------------------------------------------------------


def test_the_page_shows_the_selectors_figures(build, client_as):
    build(2)
    response = client_as(Role.MANAGER).get(url(period="this_month"))
    assert response.status_code == 200
    report = response.context["report"]
    period = period_from({"period": "this_month"})
    assert (period.first, period.last) == (date(2026, 5, 1), date(2026, 5, 31))

    # KPIs: the sums of every active queue, through the one formula module.
    sums = sums_for(intervals_in(period.start, period.end))
    expected = formulas.figures(sums)
    assert report.kpis.overall["service_level"] == expected["service_level"]
    assert report.kpis.overall["offered"] == sums["offered"] == 2 * 8 * 100
    assert [r["figures"] for r in report.kpis.queues] == \
        [r["figures"] for r in queue_overview(period.start, period.end)]
    html = response.content.decode()
    assert f"{expected['service_level']} %" in html
    assert "1,600" in html  # offered

    # Incidents: incidents.selectors' metrics and budgets' priced lost contacts.
    metrics = incident_metrics(since=period.start, until=period.end, groups=("severity",))
    assert report.incidents.metrics.overall == metrics.overall
    assert metrics.overall.incidents == 2
    assert metrics.overall.time_to_triage == timedelta(minutes=10)
    costs = IncidentCost.objects.filter(incident__declared_at__gte=period.start)
    assert costs.count() == 2
    assert report.incidents.lost_contacts == sum(c.lost_contacts for c in costs)
    assert report.incidents.cost == sum(c.total for c in costs)
    assert 'data-testid="mtta">10m' in html
    assert report.incidents.contacts_affected == 80  # 40 reported on each
    sev2 = next(r for r in report.incidents.metrics.by_severity if r.key == "SEV2")
    assert sev2.incidents == 2

    # Escalations: two opened, their first-response clocks (one stopped in time).
    assert report.escalations.opened == 2
    first_response = report.escalations.clocks[0]
    assert first_response.label == "First response"
    assert (first_response.met, first_response.breached, first_response.running) == (1, 0, 1)
    assert first_response.percent == Decimal("100.0")

    # Vendors: April's ranking, the credit received on 3 May.
    assert report.vendors.ranked == vendors_ranked(month=date(2026, 4, 1))
    assert report.vendors.received > 0
    assert report.vendors.received == sum(
        c.received_amount for c in ServiceCredit.objects.filter(state="received"))

    # Budgets: the year's overview and the initiative's figures.
    assert report.budgets.overview.totals["planned"] == Decimal("240000.00")
    assert [i.title for i, _ in report.budgets.initiatives] == ["Chatbot deflection"]
    for name in ("chart-service-level", "chart-incident-times", "chart-vendor-scores",
                 "chart-budget-burn"):
        assert f'data-testid="{name}"' in html


def test_periods():
    today = date(2026, 5, 3)
    last = period_from({"period": "last_month"}, today)
    assert (last.first, last.last, last.label) == (date(2026, 4, 1), date(2026, 4, 30),
                                                   "April 2026")
    quarter = period_from({"period": "quarter"}, today)
    assert (quarter.first, quarter.last) == (date(2026, 4, 1), date(2026, 6, 30))
    custom = period_from({"period": "custom", "start": "2026-03-20", "end": "2026-03-02"},
                         today)
    assert (custom.first, custom.last) == (date(2026, 3, 2), date(2026, 3, 20))
    assert period_from({"period": "custom", "start": "nonsense"}, today).key == "this_month"
    assert period_from({"period": "zzz"}, today).first == date(2026, 5, 1)


# --- Roles and money ---------------------------------------------------------------------------


MONEY_MARKERS = ['data-testid="incident-cost"', 'data-testid="credits-owed"',
                 'data-testid="section-budgets"', 'data-testid="kpi-cost-per-contact"',
                 'data-testid="initiatives-roi"']


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_page_and_only_money_roles_see_money(build, client_as, role):
    build(1)
    response = client_as(role).get(url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="section-incidents"' in html
    for marker in MONEY_MARKERS:
        assert (marker in html) == (role in MONEY_ROLES), marker
    report = response.context["report"]
    if role not in MONEY_ROLES:
        assert report.budgets is None and report.incidents.cost is None
        assert report.vendors.owed is None and "cost_per_contact" not in report.kpis.overall
    # Personal data never: the customer's name is nowhere on the page.
    assert "Harriet" not in html


@pytest.mark.parametrize("name", ["executive", "executive_pdf"])
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(url(name))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_user_without_a_role_is_refused(client, make_user):
    client.force_login(make_user(None, username="nobody"))
    assert client.get(url()).status_code == 403


# --- Constant queries ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_the_report_is_gathered_in_a_constant_number_of_queries(build, people, role,
                                                                django_assert_num_queries):
    period = period_from({"period": "this_month"})

    def gather():
        # A fresh user each time: its permission cache would hide the role's queries.
        user = type(people[role]).objects.get(pk=people[role].pk)
        return executive_report(user=user, period=period)

    # Two of everything first (several vendors, budgets with contracts), then seven.
    build(1)
    build(1)
    gather()  # warms the content-type cache
    with CaptureQueriesContext(connection) as small:
        gather()
    build(5)
    with django_assert_num_queries(len(small)):
        report = gather()
    assert report.incidents.metrics.overall.incidents == 7
    assert len(report.kpis.queues) == 7


# --- PDF ---------------------------------------------------------------------------------


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_has_a_cover_the_sections_and_the_figures(build, client_as, people):
    build(1)
    response = client_as(Role.FINANCE).get(url("executive_pdf", period="this_month"))
    text = pdf_text(response)
    assert "Executive report" in text and "May 2026" in text
    for heading in ("Contact-center KPIs", "Incidents", "Escalations", "Vendors", "Budgets"):
        assert heading in text
    report = executive_report(user=people[Role.FINANCE],
                              period=period_from({"period": "this_month"}))
    assert f"{report.kpis.overall['service_level']} %" in text
    assert "240,000.00" in text  # the budget planned


def test_the_pdf_leaves_money_out_for_other_roles(build, client_as):
    build(1)
    text = pdf_text(client_as(Role.INCIDENT_RESPONDER).get(url("executive_pdf")))
    assert "Incidents" in text and "Vendors" in text
    for word in ("Budgets", "Credits owed", "Cost per contact", "240,000"):
        assert word not in text


# --- BI exports --------------------------------------------------------------------------


def test_the_xlsx_holds_real_numbers_and_dates(build, client_as):
    build(2)
    response = client_as(Role.MANAGER).get(
        reverse("reports:executive_export", args=["xlsx"]) + "?period=this_month")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Kpis", "Incidents"]
    kpis = list(book["Kpis"].iter_rows(values_only=True))
    header = kpis[0]
    assert header[:4] == ("day", "queue", "channel", "target")
    day = kpis[1][0]
    assert isinstance(day, datetime) and day.date() == date(2026, 5, 1)
    offered = header.index("offered")
    assert sum(row[offered] for row in kpis[1:]) == 1600
    assert isinstance(kpis[1][header.index("service_level")], (int, float))
    incidents = list(book["Incidents"].iter_rows(values_only=True))
    assert "cost" in incidents[0] and len(incidents) == 3
    assert isinstance(incidents[1][incidents[0].index("declared_at")], datetime)


def test_the_csv_exports_and_money_columns_only_for_money_roles(build, client_as):
    build(1)
    base = reverse("reports:executive_export", args=["csv"])
    viewer = client_as(Role.VIEWER).get(base + "?table=incidents")
    rows = list(csv.reader(io.StringIO(viewer.content.decode())))
    assert rows[0][0] == "reference" and "cost" not in rows[0]
    assert rows[1][1] == "Chat down 1-0"
    kpis = list(csv.reader(io.StringIO(client_as(Role.VIEWER).get(base).content.decode())))
    assert kpis[0][:2] == ["day", "queue"] and len(kpis) == 1 + 2


def test_an_unknown_export_format_is_not_found(client_as):
    response = client_as(Role.VIEWER).get(reverse("reports:executive_export", args=["pdf"]))
    assert response.status_code == 404


def test_exported_text_never_becomes_a_spreadsheet_formula():
    from reports.executive import _cell, _csv_safe

    assert _csv_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _csv_safe("-12.5") == "-12.5" and _csv_safe("-cmd") == "'-cmd"
    assert _cell("@SUM(A1)") == "'@SUM(A1)" and _cell(Decimal("1.50")) == 1.5


def test_initiatives_roi_is_read_in_constant_queries_and_equals_the_one_at_a_time_figures(
        people, django_assert_num_queries):
    """The executive page's ROI list: budgets.selectors.initiatives_roi reads every listed
    initiative's spend and benefits in two queries, not two per initiative."""
    from budgets.initiatives import benefit_record, initiative_figures
    from budgets.models import Initiative
    from budgets.selectors import initiatives_roi
    from reports.executive import INITIATIVE_LIMIT, budget_section

    manager, finance = people[Role.MANAGER], people[Role.FINANCE]
    year = budget_services.fiscal_year_for(date(2026, 5, 3))
    centre = CostCenter.objects.create(code="CC-ROI", name="Operations")
    budget = budget_services.budget_create(by=finance, fiscal_year=year,
                                           category=BudgetCategory.INITIATIVES,
                                           cost_center=centre, amount="90000.00", owner=finance)

    def initiatives(count):
        for n in range(count):
            initiative = initiative_propose(by=manager, title=f"Deflection {n}", budget=budget,
                                            estimated_cost=Decimal("20000"))
            initiative = initiative_approve(initiative=initiative, by=finance,
                                            approved_cost=Decimal("18000"),
                                            expected_benefit=Decimal("30000"))
            initiative_start(initiative=initiative, by=manager)
            budget_services.spend_record(by=finance, budget=budget, date=date(2026, 4, 2),
                                         amount=Decimal("1000.00") * (n + 1),
                                         initiative=initiative, cost_type="one_time")
            benefit_record(initiative=initiative, by=manager, period_start=date(2026, 4, 1),
                           amount=Decimal("450.00") + n)

    period = period_from({"period": "this_month"})
    initiatives(1)
    budget_section(period)  # warms the caches
    with CaptureQueriesContext(connection) as small:
        budget_section(period)
    initiatives(INITIATIVE_LIMIT)
    with django_assert_num_queries(len(small)):
        section = budget_section(period)
    assert len(section.initiatives) == INITIATIVE_LIMIT
    listed = [i for i, _ in section.initiatives]
    bulk = initiatives_roi(listed)
    for initiative, figures in section.initiatives:
        one = initiative_figures(Initiative.objects.get(pk=initiative.pk))
        assert figures == one == bulk[initiative.pk]
        assert figures.cost_source == "spend" and figures.benefit > 0
