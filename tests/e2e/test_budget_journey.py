"""Journey: Finance imports a month of spend — one bad row refuses the file, the row and
column named, nothing written —, fixes it, and sees the budget against actual with a
received service credit offsetting the vendor's line; approves an initiative; its owner
takes the baseline from the Billing queue's KPI data and derives a month's benefit from
the AHT change; ROI and payback update. Screenshots at phone and desktop widths are
left in the temp folder for a person to look at."""

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets import initiatives, services
from budgets.models import CostCenter, SpendEntry
from core.choices import Role
from kpis import services as kpi_services
from kpis.models import IntervalStat
from tests.e2e.steps import log_in
from tests.factories import UserFactory
from tests.kpis.conftest import counts
from tests.vendors.sla_helpers import ccaas_contract, outage, uptime_objective
from vendors import services as vendor_services
from vendors import sla_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir())


def month_start(day, back=0):
    first = day.replace(day=1)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def calls(queue, day, handled, seconds_each):
    IntervalStat.objects.create(
        queue=queue, start=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
        length_minutes=30, **counts(offered=handled, answered=handled, handled=handled,
                                    talk_seconds=handled * seconds_each))


def test_import_spend_see_the_credit_approve_and_derive_a_benefit(page, live_server):
    fiona = UserFactory(username="fiona", first_name="Fiona", roles=[Role.FINANCE])
    victor = UserFactory(username="victor", first_name="Victor", roles=[Role.VENDOR_MANAGER],
                         is_staff=True)
    today = timezone.localdate()
    # KPI months: the baseline three months ago, the measured one last month; money is
    # booked today, in this fiscal year.
    last_month, baseline_month = month_start(today, 1), month_start(today, 3)
    year = services.fiscal_year_for(today)
    ops = CostCenter.objects.create(code="CC-410", name="Contact center operations")
    budget = services.budget_create(by=fiona, fiscal_year=year, category="vendor_contracts",
                                    cost_center=ops, amount="300000.00", owner=fiona)

    # A platform vendor whose uptime credit for a past month was received.
    platform = vendor_services.vendor_create(by=victor, name="Skyline CCaaS", category="ccaas")
    contract = ccaas_contract(victor, platform, start_date=date(year.first_day.year - 1, 1, 1))
    objective = uptime_objective(victor, contract)
    outage_month = month_start(today, 2)
    outage(victor, platform, datetime(outage_month.year, outage_month.month, 14, 10,
                                      tzinfo=UTC), 240)
    credit = sla_services.compliance_compute(objective=objective,
                                             period_start=outage_month).credit
    credit = sla_services.credit_claim(credit=credit, by=victor)
    credit = sla_services.credit_accept(credit=credit, by=victor)
    sla_services.credit_receive(credit=credit, by=fiona, reference="CN-1182")

    # Billing: 1,000 calls at 412 s in the baseline month, 1,200 at 380 s last month.
    billing = kpi_services.queue_create(by=victor, name="Billing", channel="voice")
    calls(billing, baseline_month + timedelta(days=9), 1000, 412)
    calls(billing, last_month + timedelta(days=9), 1200, 380)
    initiative = initiatives.initiative_propose(
        by=victor, title="Agent-assist knowledge base for Billing", budget=budget,
        estimated_cost="12000.00", expected_benefit="30000.00", queues=[billing])

    folder = Path(tempfile.mkdtemp())
    header = ("date,amount,budget,vendor,contract,initiative,invoice_reference,description,"
              "cost_type\n")
    day = today
    good = (f"{day},18400.00,{budget.pk},Skyline CCaaS,{contract.reference},,INV-5501,"
            "AgentSeat subscription,recurring\n"
            f"{day},2150.50,{budget.pk},Skyline CCaaS,{contract.reference},,INV-5502,Usage,"
            "recurring\n"
            f"{day},12000.00,{budget.pk},,,{initiative.reference},INV-7001,"
            "Knowledge base build,one_time\n")
    bad_file, good_file = folder / "spend-bad.csv", folder / "spend.csv"
    bad_file.write_text(header + good.replace(",2150.50,", ',"2,150.50",'))
    good_file.write_text(header + good)

    # --- Finance imports the month: one bad row refuses the whole file. ---
    log_in(page, "fiona")
    page.goto("/budgets/")
    page.get_by_test_id("import-spend").click()
    form = page.get_by_test_id("spend-import-form")
    form.get_by_label("File").set_input_files(str(bad_file))
    form.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-refused")).to_contain_text("Nothing was imported")
    errors = page.get_by_test_id("import-error")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(0)).to_have_text("3")
    expect(errors.first.locator("td").nth(1)).to_have_text("amount")
    assert not SpendEntry.objects.filter(origin="imported").exists()
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SHOTS / "budget-import-refused-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    form = page.get_by_test_id("spend-import-form")
    form.get_by_label("File").set_input_files(str(good_file))
    form.get_by_test_id("import-submit").click()
    expect(page.get_by_text("Imported 3 spend entries")).to_be_visible()

    # --- Budget against actual, the credit offsetting the vendor's line. ---
    page.goto(year.get_absolute_url())
    row = page.locator(f'[data-testid="budget-row"][data-budget="{budget.label}"]')
    # 18,400 + 2,150.50 + 12,000 − 920 (5 % of the AgentSeat fee, received) = 31,630.50
    expect(row.get_by_test_id("actual")).to_have_text("31,630.50")
    expect(page.get_by_test_id("burn-chart").locator("svg")).to_be_visible()
    page.screenshot(path=str(SHOTS / "budget-year-1280.png"), full_page=True)
    row.get_by_role("link").first.click()
    credit_row = page.locator('[data-testid="spend-row"][data-origin="credit"]')
    expect(credit_row).to_contain_text("-920.00")
    expect(credit_row.get_by_test_id("credit-link")).to_be_visible()
    expect(page.get_by_test_id("variance-drivers")).to_contain_text("-920.00")
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SHOTS / "budget-detail-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the phone layout scrolls sideways ({width} px)"
    page.set_viewport_size({"width": 1280, "height": 900})

    # --- Finance approves the initiative with its cost. ---
    page.goto("/budgets/initiatives/")
    page.get_by_role("link", name="Agent-assist knowledge base for Billing").click()
    page.get_by_test_id("step-approve").click()
    page.get_by_label("Approved cost").fill("12000.00")
    page.locator("#step-approve-form").get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("initiative-state")).to_have_text("Approved")
    # The knowledge base's invoice was imported against it: cost is the spend.
    expect(page.get_by_test_id("initiative-cost")).to_have_text("12,000.00")
    expect(page.get_by_test_id("initiative-roi")).to_have_text("-100.00 %")

    # --- The owner takes the baseline from KPI data and derives last month's benefit. ---
    page.context.clear_cookies()
    log_in(page, "victor")
    page.goto(initiative.get_absolute_url())
    baseline = page.get_by_test_id("baseline-form")
    baseline.get_by_label("Method").select_option(value="aht_reduction")
    baseline.get_by_label("KPI period from").fill(f"{baseline_month}")
    baseline.get_by_label("until (excluded)").fill(f"{month_start(today, 2)}")
    baseline.get_by_label("Loaded cost per agent-minute").fill("0.72")
    baseline.get_by_role("button", name="Take baseline").click()
    expect(page.get_by_test_id("baseline-aht")).to_have_text("412.00 s")
    page.get_by_test_id("derive-benefit").click()
    page.get_by_test_id("derive-form").get_by_label("Month").fill(f"{last_month:%Y-%m}")
    page.get_by_test_id("derive-form").get_by_role("button", name="Derive").click()
    # (412 − 380) ÷ 60 × 1,200 × 0.72 = 460.80; ROI (460.80 − 12,000) ÷ 12,000 = −96.16 %;
    # payback 12,000 ÷ 460.80 = 26.0 months.
    expect(page.get_by_test_id("benefit-row")).to_contain_text("460.80")
    expect(page.get_by_test_id("initiative-benefit")).to_have_text("460.80")
    expect(page.get_by_test_id("initiative-roi")).to_have_text("-96.16 %")
    expect(page.get_by_test_id("initiative-payback")).to_have_text("26.0 months")
    expect(page.get_by_test_id("benefit-chart").locator("svg")).to_be_visible()
    page.screenshot(path=str(SHOTS / "budget-initiative-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SHOTS / "budget-initiative-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the phone layout scrolls sideways ({width} px)"
