from datetime import UTC, date, datetime

import pytest
import time_machine

from budgets import services
from budgets.choices import BudgetCategory
from budgets.models import CostCenter
from core.choices import Role
from tests.vendors.sla_helpers import ccaas_contract, outage, uptime_objective
from vendors import services as vendor_services
from vendors import sla_services
from vendors.choices import VendorCategory

MAY_3 = datetime(2026, 5, 3, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_may_2026():
    with time_machine.travel(MAY_3, tick=False):
        yield


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, username="fiona", first_name="Fiona", email="fiona@x.example")


@pytest.fixture
def victor(make_user):
    """A vendor manager."""
    return make_user(Role.VENDOR_MANAGER, username="victor", is_staff=True)


@pytest.fixture
def year(db):
    return services.fiscal_year_for(date(2026, 5, 3))


@pytest.fixture
def ops(db):
    return CostCenter.objects.create(code="CC-410", name="Contact center operations")


@pytest.fixture
def vendor_budget(finance, year, ops):
    return services.budget_create(by=finance, fiscal_year=year,
                                  category=BudgetCategory.VENDOR_CONTRACTS, cost_center=ops,
                                  amount="240000.00", owner=finance)


@pytest.fixture
def tooling_budget(finance, year, ops):
    return services.budget_create(by=finance, fiscal_year=year, category=BudgetCategory.TOOLING,
                                  cost_center=ops, amount="60000.00")


@pytest.fixture
def platform(victor):
    return vendor_services.vendor_create(by=victor, name="Skyline CCaaS",
                                         category=VendorCategory.CCAAS)


@pytest.fixture
def contract(victor, platform):
    return ccaas_contract(victor, platform)


@pytest.fixture
def received_credit(victor, finance, platform, contract):
    """April's uptime miss (a four-hour outage): 5 % of AgentSeat, claimed, accepted and
    received on 3 May 2026."""
    objective = uptime_objective(victor, contract)
    outage(victor, platform, datetime(2026, 4, 14, 10, tzinfo=UTC), 240)
    credit = sla_services.compliance_compute(objective=objective,
                                             period_start=date(2026, 4, 1)).credit
    credit = sla_services.credit_claim(credit=credit, by=victor)
    credit = sla_services.credit_accept(credit=credit, by=victor)
    return sla_services.credit_receive(credit=credit, by=finance, reference="CN-1182")
