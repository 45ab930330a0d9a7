"""A vendor with a quarter of real data, built with the other apps' services."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from budgets import services as budget_services
from budgets.choices import BudgetCategory
from budgets.models import CostCenter
from core.choices import Role
from kpis import services as kpi_services
from kpis.models import COUNT_FIELDS, IntervalStat
from tests.vendors.sla_helpers import AWS_BANDS, ccaas_contract, outage
from vendors import services as vendor_services
from vendors import sla_services
from vendors.choices import ContactRole, VendorCategory

MAY_3 = datetime(2026, 5, 3, 9, tzinfo=UTC)
APRIL = date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _in_may_2026():
    with time_machine.travel(MAY_3, tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def victor(make_user):
    """A vendor manager."""
    return make_user(Role.VENDOR_MANAGER, username="victor", first_name="Victor",
                     last_name="Nakamura", is_staff=True)


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, username="fiona", first_name="Fiona")


@pytest.fixture
def platform(victor):
    vendor = vendor_services.vendor_create(by=victor, name="Skyline CCaaS",
                                           category=VendorCategory.CCAAS)
    vendor_services.contact_save(vendor=vendor, by=victor, name="Anna Sales",
                                 role=ContactRole.ACCOUNT_MANAGER, email="anna@skyline.example")
    return vendor


def objective(by, contract, name, target="99.99"):
    agent_seat = contract.fee_lines.get(name="AgentSeat").pk
    return sla_services.objective_create(
        contract=contract, by=by, name=name, metric="uptime", target=target,
        schedule={"bands": AWS_BANDS, "fee_lines": [agent_seat], "minimum_amount": "1",
                  "minimum_rule": "more_than"})


def build_world(victor, finance, vendor, *, size: int):
    """``size`` objectives, ``size`` outages in April, ``size`` queues with intervals,
    spend on the contract; a second contract whose notice date is in 60 days."""
    contract = ccaas_contract(victor, vendor)
    vendor_services.contract_activate(contract=vendor_services.contract_create(
        by=victor, vendor=vendor, title="Workforce add-on", start_date=date(2025, 7, 1),
        end_date=date(2026, 7, 31), owner=victor, renewal_type="explicit",
        notice_period=30, notice_unit="days"), by=victor) if size else None
    objectives = [objective(victor, contract, f"Uptime {i + 1}") for i in range(size)]
    for i in range(size):
        outage(victor, vendor, datetime(2026, 4, 10 + i, 10, tzinfo=UTC), 60 * (i + 1))
    for obj in objectives:
        for month in (date(2026, 2, 1), date(2026, 3, 1), APRIL):
            sla_services.compliance_compute(objective=obj, period_start=month)
    for i in range(size):
        queue = kpi_services.queue_create(by=victor, name=f"Skyline voice {i + 1}",
                                          channel="voice", vendor=vendor)
        for day in range(3):
            IntervalStat.objects.create(
                queue=queue, start=datetime(2026, 4, 6 + day, 9, tzinfo=UTC),
                length_minutes=30, **{**dict.fromkeys(COUNT_FIELDS, 0), "offered": 100,
                                      "answered": 90, "abandoned": 10,
                                      "answered_within_threshold": 80})
    from escalations import services as escalation_services
    from escalations.models import Customer
    from tests.factories import UserFactory

    lead = UserFactory(roles=[Role.ESCALATION_LEAD], username=f"elena-{vendor.pk}")
    customer = Customer.objects.create(name="Kestrel", account_reference=f"ACC-{vendor.pk}")
    for i in range(size):
        escalation = escalation_services.escalation_create(
            by=lead, customer=customer, category="technical", priority="P2",
            summary=f"Calls drop {i + 1}", owner=lead,
            at=datetime(2026, 4, 12 + i, 9, tzinfo=UTC))
        vendor_services.attribution_add(vendor=vendor, by=lead, escalation=escalation,
                                        reason="Calls drop")
    year = budget_services.fiscal_year_for(date(2026, 5, 3))
    ops, _ = CostCenter.objects.get_or_create(code="CC-410",
                                              defaults={"name": "Contact center operations"})
    budget = budget_services.budget_create(
        by=finance, fiscal_year=year, category=BudgetCategory.VENDOR_CONTRACTS, cost_center=ops,
        amount="240000.00", owner=finance)
    for i in range(size):
        budget_services.spend_record(by=finance, budget=budget, date=date(2026, 4, 5 + i),
                                     amount=Decimal("18400.00"), vendor=vendor,
                                     contract=contract)
    return contract


@pytest.fixture
def world(victor, finance, platform):
    return build_world(victor, finance, platform, size=2)


def quarter_review(by, vendor, **kwargs):
    from reports import services

    return services.review_create(by=by, vendor=vendor, period="quarter",
                                  period_start=APRIL - timedelta(days=1),
                                  meeting_date=kwargs.pop("meeting_date", date(2026, 4, 20)),
                                  **kwargs)
