from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgets import services
from budgets.choices import AlertScope, SpendOrigin
from budgets.models import BudgetAlert, FiscalYear, SpendEntry
from core.choices import Role
from core.models import Notification

D = Decimal


def test_fiscal_years_start_in_the_configured_month_and_are_named_by_their_end(settings, db):
    settings.SWITCHBOARD_FISCAL_YEAR_START_MONTH = 4
    year = services.fiscal_year_for(date(2026, 3, 31))
    assert (year.name, year.first_day, year.last_day) == ("FY2026", date(2025, 4, 1),
                                                          date(2026, 3, 31))
    assert services.fiscal_year_for(date(2025, 4, 1)) == year
    assert services.fiscal_year_for(date(2026, 4, 1)).name == "FY2027"
    assert FiscalYear.objects.count() == 2


def test_a_budget_phasing_must_add_up_and_thresholds_be_percentages(finance, year, ops):
    with pytest.raises(ValidationError) as refused:
        services.budget_create(by=finance, fiscal_year=year, category="tooling", cost_center=ops,
                               amount="1200.00", phasing=["100"] * 11 + ["99"])
    assert "add up to 1199" in refused.value.message_dict["phasing"][0]
    with pytest.raises(ValidationError) as refused:
        services.budget_create(by=finance, fiscal_year=year, category="tooling", cost_center=ops,
                               amount="1200.00", alert_thresholds=[80, "x"])
    assert "alert_thresholds" in refused.value.message_dict
    budget = services.budget_create(by=finance, fiscal_year=year, category="tooling",
                                    cost_center=ops, amount="1200.00",
                                    phasing=["100"] * 12, alert_thresholds=[100, 50, 50])
    assert budget.phasing == ["100.00"] * 12 and budget.alert_thresholds == [50, 100]
    assert budget.history.get().history_user == finance


@pytest.mark.parametrize("role", [Role.VENDOR_MANAGER, Role.VIEWER, Role.ESCALATION_LEAD,
                                  Role.INCIDENT_RESPONDER])
def test_only_finance_and_managers_set_budgets_and_record_spend(make_user, role, year, ops,
                                                                vendor_budget):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        services.budget_create(by=user, fiscal_year=year, category="other", cost_center=ops,
                               amount="10")
    with pytest.raises(PermissionDenied):
        services.spend_record(by=user, budget=vendor_budget, date=date(2026, 5, 1), amount="10")


def test_manager_sets_budgets_too(manager, year, ops):
    budget = services.budget_create(by=manager, fiscal_year=year, category="other",
                                    cost_center=ops, amount="10")
    assert budget.pk


def test_spend_outside_the_year_or_on_another_vendors_contract_is_refused_naming_it(
        finance, vendor_budget, contract, victor):
    from vendors import services as vendor_services

    other = vendor_services.vendor_create(by=victor, name="Other BPO", category="bpo")
    with pytest.raises(ValidationError) as refused:
        services.spend_record(by=finance, budget=vendor_budget, date=date(2027, 1, 2),
                              amount="10", vendor=other, contract=contract)
    errors = refused.value.message_dict
    assert "outside FY2026" in errors["date"][0]
    assert "is a contract of Skyline CCaaS, not of Other BPO" in errors["contract"][0]
    for bad in ("abc", "1.005", "NaN", "1e400"):
        with pytest.raises(ValidationError) as refused:
            services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 5, 1),
                                  amount=bad)
        assert "amount" in refused.value.message_dict
    assert not SpendEntry.objects.exists()


def test_spend_on_a_contract_takes_its_vendor_and_charges_the_contract_to_the_budget(
        finance, vendor_budget, contract):
    entry = services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 4, 30),
                                  amount="18400.00", contract=contract,
                                  invoice_reference="INV-4411")
    assert entry.vendor == contract.vendor and entry.origin == SpendOrigin.ENTERED
    assert list(vendor_budget.contracts.all()) == [contract]


def test_thresholds_alert_once_per_budget_and_per_category(finance, year, vendor_budget):
    from budgets.models import CostCenter

    # A second vendor-contracts budget: the category is 300,000 in all.
    sales = CostCenter.objects.create(code="CC-520", name="Sales support")
    services.budget_create(by=finance, fiscal_year=year, category="vendor_contracts",
                           cost_center=sales, amount="60000.00")
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 5, 1),
                          amount="191999.99")
    assert not BudgetAlert.objects.exists()
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 5, 2), amount="0.01")
    alert = BudgetAlert.objects.get()
    assert (alert.scope, alert.threshold, alert.consumed) == (AlertScope.BUDGET, 80,
                                                              D("192000.00"))
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 5, 2), amount="5")
    assert BudgetAlert.objects.count() == 1  # 80 % is news once
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 5, 2),
                          amount="47995")  # 240,000: the budget's 100 %, the category's 80 %
    assert sorted(BudgetAlert.objects.values_list("scope", "threshold")) == [
        ("budget", 80), ("budget", 100), ("category", 80)]
    titles = list(Notification.objects.filter(recipient=finance).values_list("title", flat=True))
    assert "Budget 100 % consumed: Vendor contracts — Contact center operations (FY2026)" in titles
    assert "Vendor contracts 80 % consumed (FY2026)" in titles


def test_a_received_credit_becomes_a_linked_negative_entry_once(vendor_budget, received_credit,
                                                                contract, finance):
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 4, 30),
                          amount="18400.00", contract=contract)
    # The credit was received before any spend existed: booked on the year's only
    # vendor-contracts budget. Receiving is announced once; offsetting again is a no-op.
    offset = SpendEntry.objects.get(origin=SpendOrigin.CREDIT)
    assert offset.amount == -received_credit.received_amount == D("-920.00")
    assert offset.service_credit == received_credit and offset.budget == vendor_budget
    assert received_credit.spend_offset == offset
    assert services.credit_offset(credit=received_credit) == offset
    assert services.spent([vendor_budget]) == D("17480.00")
    with pytest.raises(ValidationError):
        services.spend_update(entry=offset, by=finance, amount="-1")


def test_a_credit_received_before_its_years_budgets_is_booked_once_they_exist(
        received_credit, finance, year, ops):
    # No budget at all for FY2026 yet: nothing booked, nobody nagged.
    assert not SpendEntry.objects.exists()
    assert not Notification.objects.filter(title__startswith="Credit received").exists()
    assert services.offset_received_credits() == 0
    budget = services.budget_create(by=finance, fiscal_year=year, category="vendor_contracts",
                                    cost_center=ops, amount="1000")
    assert services.offset_received_credits() == 1
    assert SpendEntry.objects.get().budget == budget
    assert services.offset_received_credits() == 0


def test_a_credit_with_no_fitting_budget_in_a_budgeted_year_tells_finance(
        request, tooling_budget, finance, ops, year):
    # Two vendor-contracts budgets and no spend to tell them apart: Finance decides.
    from budgets.models import CostCenter

    for code in ("CC-1", "CC-2"):
        services.budget_create(by=finance, fiscal_year=year, category="vendor_contracts",
                               cost_center=CostCenter.objects.create(code=code, name=code),
                               amount="10")
    credit = request.getfixturevalue("received_credit")
    assert not SpendEntry.objects.filter(service_credit=credit).exists()
    assert Notification.objects.filter(recipient=finance,
                                       title__startswith="Credit received with no budget").exists()
