"""Journey: a vendor manager defines a 99.99 % uptime objective with AWS-style bands on
a CCaaS contract, watching the worked example as they type; last month's outage makes
it missed; the credit accrues with its explanation; they claim it, mark it accepted
and received; the vendor's scorecard moves from owed to received."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.choices import Role
from incidents.models import Incident
from tests.e2e.steps import htmx_ready, log_in, still_the_same_document, watch_for_reloads
from tests.factories import UserFactory
from vendors import services
from vendors.models import ServiceCredit, VendorAttribution

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_uptime_objective_to_credit_received(page):
    # Saving the objective measures every past month of the contract at once: slower
    # than the other journeys' steps on a busy machine.
    page.set_default_timeout(30_000)
    victor = UserFactory(username="victor", first_name="Victor", last_name="Nakamura",
                         roles=[Role.VENDOR_MANAGER], is_staff=True)
    now = timezone.now().astimezone(UTC)
    this_month = datetime(now.year, now.month, 1, tzinfo=UTC)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    vendor = services.vendor_create(by=victor, name="Nimbus CX", category="ccaas")
    contract = services.contract_create(
        by=victor, vendor=vendor, title="CCaaS platform, AgentSeats",
        start_date=(last_month - timedelta(days=40)).date(),
        end_date=(this_month + timedelta(days=400)).date(), owner=victor,
        renewal_type="explicit",
        fee_lines=[{"name": "AgentSeat", "kind": "subscription", "amount": Decimal("18400")},
                   {"name": "Onboarding", "kind": "one_time", "amount": Decimal("5000")}])
    contract = services.contract_activate(contract=contract, by=victor)
    # Last month's outage: four hours of the platform down.
    start = last_month + timedelta(days=13, hours=10)
    incident = Incident.objects.create(
        reference="INC-E2E-1", title="Agents cannot log in to the CCaaS platform",
        declared_by=victor, declared_at=start, contained_at=start + timedelta(hours=4),
        resolved_at=start + timedelta(hours=4), state="resolved")
    VendorAttribution.objects.create(vendor=vendor, incident=incident, contract=contract,
                                     added_by=victor, added_at=start)

    log_in(page, "victor")
    page.goto(contract.get_absolute_url())
    page.get_by_test_id("manage-objectives").click()
    form = page.get_by_test_id("objective-form")
    expect(form).to_be_visible()
    htmx_ready(page)  # the worked example follows the typing through htmx
    form.get_by_label("Name").fill("Monthly uptime")
    form.get_by_label("Metric").select_option("uptime")
    form.get_by_label("Target").fill("99.99")
    bands = [("99.0", "99.99", "5"), ("95.0", "99.0", "15"), ("", "95.0", "100")]
    for row, (lower, upper, percent) in enumerate(bands):
        form.locator(f"[name=band_{row}_lower]").fill(lower)
        form.locator(f"[name=band_{row}_upper]").fill(upper)
        form.locator(f"[name=band_{row}_percent]").fill(percent)
    form.get_by_label("AgentSeat").check()
    form.get_by_label("Minimum amount").fill("1")
    form.get_by_label("Minimum rule").select_option("more_than")
    form.get_by_label("Example: measured value").fill("99.45")
    expect(page.get_by_test_id("example-explanation")).to_have_text(
        "99.45 % < 99.99 % and ≥ 99.0 % → 5 % of AgentSeat fees EUR 18,400.00 = EUR 920.00; "
        "minimum EUR 1.00 met")
    form.get_by_test_id("save-objective").click()

    # Saved: last month is measured at once, missed, with the credit explained.
    expect(page.get_by_test_id("objective-name")).to_have_text("Monthly uptime")
    missed = page.get_by_test_id("compliance-row").filter(has=page.get_by_test_id("missed"))
    expect(missed).to_have_count(1)
    expect(missed.get_by_test_id("explanation")).to_contain_text(
        "99.4444 % < 99.99 % and ≥ 99.0 % → 5 % of AgentSeat fees EUR 18,400.00 = EUR 920.00")

    page.goto(vendor.get_absolute_url())
    expect(page.get_by_test_id("credits-owed")).to_have_text("920.00")
    expect(page.get_by_test_id("credits-received")).to_have_text("0.00")

    # The ledger: due to claim; the credit's page; claim, accepted, received.
    page.goto("/vendors/credits/?show=due")
    page.get_by_test_id("credit-row").get_by_role("link").click()
    expect(page.get_by_test_id("credit-state")).to_have_text("Accrued")
    expect(page.get_by_test_id("credit-explanation")).to_contain_text("EUR 920.00")
    watch_for_reloads(page)
    page.get_by_test_id("credit-do-claim").click()
    expect(page.get_by_test_id("credit-state")).to_have_text("Claimed")
    page.get_by_test_id("credit-do-accept").click()
    expect(page.get_by_test_id("credit-state")).to_have_text("Accepted")
    page.get_by_test_id("credit-step-receive").get_by_label(
        "Credit note or refund reference").fill("CN-2231")
    page.get_by_test_id("credit-do-receive").click()
    expect(page.get_by_test_id("credit-state")).to_have_text("Received")
    expect(page.get_by_test_id("received-amount")).to_have_text("920.00")
    assert still_the_same_document(page)
    assert ServiceCredit.objects.get().received_reference == "CN-2231"

    # The scorecard moved: nothing owed, 920.00 received.
    page.goto(vendor.get_absolute_url())
    expect(page.get_by_test_id("credits-owed")).to_have_text("0.00")
    expect(page.get_by_test_id("credits-received")).to_have_text("920.00")
    expect(page.get_by_test_id("scorecard-row")).to_contain_text("missed")
