"""Demo money: two fiscal years of budgets, the demo contracts' invoices booked against
them, received credits offsetting them, initiatives in every state with benefits
derived from the demo KPI data."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from budgets import initiatives, selectors
from budgets.models import Budget, FiscalYear, Initiative, SpendEntry
from core.models import Notification
from vendors.models import ServiceCredit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_may_2026():
    """The demo is seeded for today: no time travel here."""
    return


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_two_years_of_budgets_with_the_contracts_invoices_and_credits(seeded):
    assert FiscalYear.objects.count() == 2
    assert Budget.objects.values("fiscal_year").distinct().count() == 2
    assert SpendEntry.objects.filter(origin="entered").count() > 100
    received = ServiceCredit.objects.filter(state="received")
    assert received.exists()
    assert SpendEntry.objects.filter(origin="credit").count() == received.count()
    for credit in received:
        assert credit.spend_offset.amount == -credit.received_amount
    overview = selectors.year_overview(FiscalYear.objects.order_by("-first_day")[0],
                                       timezone.localdate())
    assert {c.category for c in overview.categories} >= {"vendor_contracts", "staffing",
                                                          "tooling", "initiatives"}
    assert all(line.actual > 0 for c in overview.categories for line in c.lines
               if c.category in ("vendor_contracts", "staffing"))
    # The seeded past's alerts are history: fired, but nobody's unread notice.
    assert not Notification.objects.filter(title__contains="% consumed",
                                           read_at__isnull=True).exists()


def test_initiatives_in_every_state_with_benefits_from_kpi_data(seeded):
    states = set(Initiative.objects.values_list("state", flat=True))
    assert states == {"proposed", "approved", "in_progress", "delivered", "cancelled"}
    bot = Initiative.objects.get(title__startswith="Virtual agent")
    assert bot.baseline.from_kpi_data and bot.baseline.method == "containment"
    assist = Initiative.objects.get(title__startswith="Agent-assist")
    assert assist.baseline.from_kpi_data and assist.baseline.aht_seconds > 0
    for initiative in (bot, assist):
        benefits = list(initiative.benefits.all())
        assert len(benefits) >= 2
        assert all(b.amount > Decimal(0) and b.basis["contacts"] > 0 for b in benefits)
        figures = initiatives.initiative_figures(initiative)
        assert figures.roi_percent is not None and figures.payback_months is not None


def test_incident_costs_are_priced_with_the_demo_rates(seeded):
    from budgets.models import CostRate, IncidentCost

    assert CostRate.objects.filter(kind="responder").count() == 5
    priced = IncidentCost.objects.filter(total__gt=0)
    assert priced.exists()
    assert all(cost.responders > 0 for cost in priced if cost.incident.commander_id)
