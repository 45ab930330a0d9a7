"""Journey: a vendor manager plans the carrier's quarterly review on the web form,
generates its pack — queued, then built by a real Celery worker while the page shows
its progress —, opens the PDF (its text read back with pypdf), holds the meeting,
records a decision and an action item, plans the next review of the same carrier and
finds the action item carried into it; a manager then opens the executive dashboard.

The worker is Celery's own test worker (a thread in this process, on the test
broker and the live server's database): the task runs our real code, unmocked. It is
started only once the page has shown the queued pack, so the progress step is seen
every run rather than only when the worker happens to be slow.
"""

import io
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from core.choices import Role
from kpis import services as kpi_services
from kpis.models import COUNT_FIELDS, IntervalStat
from reports.services import period_bounds
from tests.e2e.steps import log_in
from tests.factories import UserFactory
from tests.vendors.sla_helpers import ccaas_contract, outage, uptime_objective
from vendors import services as vendor_services
from vendors import sla_services
from vendors.choices import ContactRole, VendorCategory
from vendors.models import Compliance

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def start_worker_later():
    """Call it to start a Celery worker thread; stopped at the end of the test."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # queued tasks go to the broker, as in production
    app.control.purge()  # no message left over from an earlier run
    started = []

    def start():
        manager = start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                               loglevel="WARNING", shutdown_timeout=30)
        manager.__enter__()
        started.append(manager)

    yield start
    for manager in started:
        manager.__exit__(None, None, None)
    app.conf.task_always_eager = eager


def previous_quarter(today):
    start, _ = period_bounds("quarter", today)
    return period_bounds("quarter", start - timedelta(days=1))


def test_plan_generate_hold_and_carry_over_then_the_executive_page(page, live_server,
                                                                    start_worker_later):
    victor = UserFactory(username="victor", first_name="Victor", last_name="Nakamura",
                         roles=[Role.VENDOR_MANAGER])
    UserFactory(username="maria", first_name="Maria", roles=[Role.MANAGER])
    today = timezone.localdate()
    first, last = previous_quarter(today)

    # A telephony carrier with a live contract, an uptime objective missed in the
    # quarter's last month (a 4-hour outage) and the queue it runs.
    carrier = vendor_services.vendor_create(by=victor, name="Northwind Carrier",
                                            category=VendorCategory.CARRIER)
    ravi = vendor_services.contact_save(vendor=carrier, by=victor, name="Ravi Patel",
                                 role=ContactRole.ACCOUNT_MANAGER, email="ravi@northwind.example")
    contract = ccaas_contract(victor, carrier, title="SIP trunking",
                              start_date=first - timedelta(days=365),
                              end_date=today + timedelta(days=700))
    objective = uptime_objective(victor, contract)
    last_month = last.replace(day=1)
    outage(victor, carrier, datetime(last_month.year, last_month.month, 9, 10, tzinfo=UTC), 240)
    for month in (first, (first + timedelta(days=40)).replace(day=1), last_month):
        sla_services.compliance_compute(objective=objective, period_start=month)
    uptime = Compliance.objects.get(objective=objective, period_start=last_month).value
    queue = kpi_services.queue_create(by=victor, name="Northwind inbound", channel="voice",
                                      vendor=carrier)
    IntervalStat.objects.create(
        queue=queue, start=datetime(first.year, first.month, 6, 9, tzinfo=UTC),
        length_minutes=30, **{**dict.fromkeys(COUNT_FIELDS, 0), "offered": 120, "answered": 110,
                              "abandoned": 10, "answered_within_threshold": 96})

    # --- Victor plans the quarterly review on the web form. ---
    log_in(page, "victor")
    page.goto("/reports/")
    page.get_by_test_id("plan-review").click()
    form = page.get_by_test_id("review-form")
    form.get_by_label("Vendor", exact=True).select_option(label="Northwind Carrier")
    form.get_by_label("Period", exact=True).select_option(value="quarter")
    form.get_by_label("A day in the period").fill(f"{first + timedelta(days=20)}")
    form.get_by_label("Meeting date").fill(f"{today + timedelta(days=7)}")
    form.get_by_label("The vendor's attendees").select_option(value=str(ravi.pk))
    form.get_by_label("Agenda").fill("Quarter scorecard\nThe outage and its credit")
    form.get_by_role("button", name="Plan the review").click()
    quarter = f"Q{(first.month - 1) // 3 + 1} {first.year}"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Northwind Carrier review · {quarter}")
    expect(page.get_by_test_id("review-state")).to_have_text("Planned")
    review_url = page.url

    # --- The pack is queued: the page shows it, then the worker builds it. ---
    page.get_by_test_id("generate").click()
    expect(page.get_by_text("Pack queued")).to_be_visible()
    row = page.locator('[data-testid^="pack-"]').first
    expect(row.get_by_test_id("pack-status")).to_have_text("Queued")
    expect(row.locator("progress")).to_be_visible()
    start_worker_later()
    # The row polls itself (htmx) until the worker finished: no reload.
    expect(row.get_by_test_id("pack-status")).to_have_text("Done", timeout=90_000)
    expect(row.get_by_test_id("pack-links")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("review-state")).to_have_text("Pack ready")

    # --- The PDF opens and says what the selectors say. ---
    pdf_href = page.get_by_test_id("pack-links").get_by_role("link", name="PDF").get_attribute(
        "href")
    response = page.request.get(pdf_href)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF-")
    # Table cells wrap: compare with the whitespace folded.
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())
    assert "Northwind Carrier" in text
    assert f"{uptime:.2f}" in text or f"{uptime.normalize()}" in text, (uptime, text[:2000])
    assert "SIP trunking" in text and "Monthly uptime" in text

    # The pack's HTML page, at desktop and phone widths, for a person to look at.
    html_href = page.get_by_test_id("pack-links").get_by_role("link", name="HTML").get_attribute(
        "href")
    pack_page = page.context.new_page()
    pack_page.goto(html_href)
    expect(pack_page.get_by_test_id("objective-chart").first.locator("svg")).to_be_visible()
    pack_page.set_viewport_size({"width": 1280, "height": 900})
    pack_page.screenshot(path=str(SHOTS / "report-pack-1280.png"), full_page=True)
    pack_page.set_viewport_size({"width": 390, "height": 900})
    pack_page.screenshot(path=str(SHOTS / "report-pack-390.png"), full_page=True)
    width = pack_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the pack scrolls sideways on a phone ({width} px)"
    pack_page.close()

    # --- The meeting is held on that version; a decision and an action item. ---
    page.get_by_test_id("hold").click()
    expect(page.get_by_test_id("review-state")).to_have_text("Held")
    decisions = page.get_by_test_id("decisions")
    decisions.get_by_label("Decisions").fill("Claim the uptime credit for "
                                             f"{last_month:%B}.")
    decisions.get_by_role("button", name="Save decisions").click()
    expect(page.get_by_text("Decisions saved.")).to_be_visible()
    items = page.get_by_test_id("item-form")
    items.get_by_label("Title").fill("Send the outage root cause report")
    items.get_by_label("Owner").select_option(value=str(victor.pk))
    items.get_by_label("Due date").fill(f"{today + timedelta(days=30)}")
    items.get_by_role("button", name="Add action item").click()
    expect(page.get_by_test_id("action-items")).to_contain_text(
        "Send the outage root cause report")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"report-review-{width}.png"), full_page=True)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 400, f"the review page scrolls sideways on a phone ({scroll} px)"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("review-state")).to_have_text("Minutes published")

    # --- The next review of the carrier carries the open action item. ---
    next_first = last + timedelta(days=1)
    page.goto(f"/reports/reviews/new/?vendor={carrier.pk}")
    form = page.get_by_test_id("review-form")
    form.get_by_label("Period", exact=True).select_option(value="quarter")
    form.get_by_label("A day in the period").fill(f"{next_first}")
    form.get_by_label("Meeting date").fill(f"{today + timedelta(days=95)}")
    form.get_by_role("button", name="Plan the review").click()
    expect(page.get_by_test_id("review-state")).to_have_text("Planned")
    assert page.url != review_url
    carried = page.get_by_test_id("carried")
    expect(carried).to_contain_text("Send the outage root cause report")
    expect(carried).to_contain_text(quarter)

    # --- A manager opens the executive dashboard. ---
    page.context.clear_cookies()
    log_in(page, "maria")
    page.goto("/reports/executive/")
    for section in ("kpis", "incidents", "escalations", "vendors", "budgets"):
        expect(page.get_by_test_id(f"section-{section}")).to_be_visible()
    expect(page.get_by_test_id("vendor-scores")).to_contain_text("Northwind Carrier")
    expect(page.get_by_test_id("executive-pdf")).to_be_visible()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"report-executive-{width}.png"), full_page=True)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 400, f"the executive page scrolls sideways on a phone ({scroll} px)"
