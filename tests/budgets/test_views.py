from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import initiatives, services
from budgets.models import Budget, Initiative, SpendEntry
from core.choices import Role
from kpis import services as kpi_services
from kpis.models import IntervalStat
from tests.kpis.conftest import counts

D = Decimal


@pytest.fixture
def billing(manager):
    return kpi_services.queue_create(by=manager, name="Billing", channel="voice")


def month_of_calls(queue, day, *, handled, handle_seconds, transfers=0):
    IntervalStat.objects.create(
        queue=queue, start=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
        length_minutes=30, **counts(offered=handled, answered=handled, handled=handled,
                                    talk_seconds=handle_seconds, transfers=transfers))


@pytest.fixture
def initiative(finance, billing, vendor_budget):
    return initiatives.initiative_propose(
        by=finance, title="Knowledge base in the agent desktop", budget=vendor_budget,
        estimated_cost="12000.00", expected_benefit="30000.00", queues=[billing])


def test_finance_sees_the_year_with_actual_committed_and_forecast(client, finance,
                                                                  vendor_budget, contract):
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 4, 30),
                          amount="18400.00", contract=contract)
    client.force_login(finance)
    response = client.get(reverse("budgets:index"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Budgets FY2026" in page and 'data-testid="burn-chart"' in page
    line = response.context["overview"].lines[0]
    # AgentSeat 18,400 a month: billing dates 1 Jun … 1 Dec are still to come (7).
    assert (line.actual, line.committed) == (D("18400.00"), D("128800.00"))
    assert line.committed_forecast == D("147200.00")
    # Even phasing: 20,000 a month, five months begun by 3 May.
    assert line.planned_to_date == D("100000.00")
    detail = client.get(vendor_budget.get_absolute_url())
    assert detail.status_code == 200
    assert b"Skyline CCaaS" in detail.content and b"18,400.00" in detail.content


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD])
def test_non_money_roles_see_initiatives_without_amounts_and_no_budgets(client, make_user,
                                                                       role, initiative,
                                                                       vendor_budget):
    client.force_login(make_user(role))
    assert client.get(reverse("budgets:index")).url == reverse("budgets:initiatives")
    assert client.get(vendor_budget.get_absolute_url()).status_code == 403
    assert client.get(reverse("budgets:spend")).status_code == 403
    board = client.get(reverse("budgets:initiatives"))
    assert board.status_code == 200 and b"Knowledge base" in board.content
    assert b"12,000" not in board.content and b"30,000" not in board.content
    page = client.get(initiative.get_absolute_url())
    assert page.status_code == 200 and b'data-testid="no-amounts"' in page.content
    assert b"12,000" not in page.content and b"30,000" not in page.content


def test_a_budget_whose_months_do_not_add_up_is_refused_naming_the_phasing(client, finance,
                                                                          year, ops):
    client.force_login(finance)
    data = {"fiscal_year": year.pk, "category": "tooling", "cost_center": ops.pk,
            "amount": "1200.00", "alert_thresholds": "80, 100",
            **{f"month_{n}": "100" for n in range(1, 13)}}
    data["month_12"] = "99"
    response = client.post(reverse("budgets:budget-new"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The months add up to 1199.00, not the budget&#x27;s 1200.00" in page
    data["month_12"] = "100"
    response = client.post(reverse("budgets:budget-new"), data)
    budget = Budget.objects.get()
    assert response.status_code == 302 and budget.phasing == ["100.00"] * 12


def test_spend_outside_the_year_is_refused_on_the_budget_page(client, finance, vendor_budget):
    client.force_login(finance)
    response = client.post(reverse("budgets:spend-new"), {
        "budget": vendor_budget.pk, "date": "2027-02-01", "amount": "10",
        "cost_type": "recurring", "next": vendor_budget.get_absolute_url()})
    assert response.status_code == 400 and "is outside FY2026" in response.content.decode()
    assert not SpendEntry.objects.exists()


def test_approve_baseline_from_kpi_data_derive_a_benefit_and_see_roi(client, finance,
                                                                      initiative, billing):
    # Baseline month (March): 1,000 calls at 412 s; May: 1,200 calls at 380 s.
    month_of_calls(billing, date(2026, 3, 10), handled=1000, handle_seconds=412_000)
    month_of_calls(billing, date(2026, 5, 2), handled=1200, handle_seconds=456_000)
    client.force_login(finance)
    url = initiative.get_absolute_url()
    refused = client.post(reverse("budgets:initiative-step", args=[initiative.pk, "approve"]),
                          {"approved_cost": "", "expected_benefit": ""})
    assert refused.status_code == 400
    response = client.post(reverse("budgets:initiative-step", args=[initiative.pk, "approve"]),
                           {"approved_cost": "12000.00", "expected_benefit": "30000"})
    assert response.status_code == 302
    response = client.post(reverse("budgets:initiative-baseline", args=[initiative.pk]), {
        "method": "aht_reduction", "period_start": "2026-03-01", "period_end": "2026-04-01",
        "cost_per_minute": "0.72"})
    assert response.status_code == 302, response.content.decode()
    response = client.post(reverse("budgets:initiative-derive", args=[initiative.pk]),
                           {"period_start": "2026-05"})
    assert response.status_code == 302, response.content.decode()
    benefit = initiative.benefits.get()
    # (412 − 380) ÷ 60 × 1,200 × 0.72 = 460.80
    assert benefit.amount == D("460.80")
    page = client.get(url).content.decode()
    assert "460.80" in page
    # ROI = (460.80 − 12,000) ÷ 12,000 = −96.16 %
    assert "-96.16 %" in page
    initiative.refresh_from_db()
    assert initiative.state == "approved" and initiative.approved_by == finance


def test_the_owner_records_a_benefit_others_may_not(client, make_user, victor, initiative,
                                                    finance):
    initiatives.initiative_approve(initiative=initiative, by=finance, approved_cost="12000")
    other = make_user(Role.VENDOR_MANAGER, username="other-vm")
    Initiative.objects.filter(pk=initiative.pk).update(owner=victor)
    client.force_login(other)
    response = client.post(reverse("budgets:initiative-benefit", args=[initiative.pk]),
                           {"period_start": "2026-04", "kind": "cost_saved", "amount": "100"})
    # Vendor managers edit every initiative (budgets.add_benefitrecord): allowed.
    assert response.status_code == 302
    viewer = make_user(Role.VIEWER, username="v2")
    client.force_login(viewer)
    response = client.post(reverse("budgets:initiative-benefit", args=[initiative.pk]),
                           {"period_start": "2026-05", "kind": "cost_saved", "amount": "100"})
    assert response.status_code == 403
    assert initiative.benefits.count() == 1


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_year_page_and_spend_list_read_in_constant_queries(client, finance, year, ops,
                                                               contract):
    from budgets.models import CostCenter

    def add_budgets(first, last):
        for n in range(first, last):
            center = CostCenter.objects.create(code=f"CC-{n}", name=f"Center {n}")
            budget = services.budget_create(by=finance, fiscal_year=year, category="other",
                                            cost_center=center, amount="1000")
            services.spend_record(by=finance, budget=budget, date=date(2026, 4, 1),
                                  amount="10", contract=contract)

    client.force_login(finance)
    add_budgets(0, 2)
    few = (_count_queries(client, year.get_absolute_url()),
           _count_queries(client, reverse("budgets:spend")))
    add_budgets(2, 8)
    assert (_count_queries(client, year.get_absolute_url()),
            _count_queries(client, reverse("budgets:spend"))) == few


def test_the_filtered_spend_list_shows_no_api_help_under_its_filters(client, finance, year):
    """The FilterSet's help texts document the API ("A fiscal year's id."); the page
    validated its form before clearing them, so a filtered list showed them."""
    client.force_login(finance)
    page = client.get(reverse("budgets:spend"), {"date_from": "2026-01-01"}).content.decode()
    assert 'name="date_from"' in page  # the filter bar is drawn
    assert "_helptext" not in page and "On or after this day" not in page
