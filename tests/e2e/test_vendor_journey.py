"""Journey: a vendor manager adds a carrier with its NOC contact and a contract that
renews automatically with 90 days' notice, sees the notice date and records
"renegotiate" before it; a responder declares an incident naming the carrier and sees
the NOC on the incident page; the carrier's page shows the downtime.

The vendor and contract pages post with htmx and swap their panel: a marker set on
``window`` must survive every step on a page.
"""

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.choices import Role
from incidents import services as incident_services
from incidents.models import Incident
from tests.e2e.steps import log_in, still_the_same_document, watch_for_reloads
from tests.factories import UserFactory
from vendors.models import Contract, Vendor, VendorAttribution

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# Looked at by a person after a run (on Linux under /tmp).
SHOTS = Path(tempfile.gettempdir())


def test_a_carrier_its_contract_and_the_incident_it_causes(page, browser, live_server):
    UserFactory(username="victor", first_name="Victor", last_name="Nakamura",
                roles=[Role.VENDOR_MANAGER], is_staff=True)
    responder = UserFactory(username="rosa", first_name="Rosa", last_name="Diaz",
                            roles=[Role.INCIDENT_RESPONDER])
    today = timezone.localdate()
    end = today + timedelta(days=200)
    notice = end - timedelta(days=90)

    # --- The vendor manager adds the carrier. ---
    log_in(page, "victor")
    page.get_by_role("link", name="Vendors").first.click()
    page.get_by_test_id("new-vendor").click()
    form = page.get_by_test_id("vendor-form")
    form.get_by_label("Name").fill("Brightline Telecom")
    form.get_by_label("Category").select_option(label="Telephony carrier")
    form.get_by_label("Status page URL").fill("https://status.brightline.example")
    form.get_by_role("button", name="Add vendor").click()
    expect(page.get_by_test_id("vendor-name")).to_have_text("Brightline Telecom")
    expect(page.get_by_test_id("vendor-status")).to_have_text("Onboarding")
    watch_for_reloads(page)

    # --- Its NOC, added on its page. ---
    page.get_by_test_id("add-contact").click()
    contact = page.locator("#contact-form")
    contact.get_by_label("Name").fill("Brightline NOC")
    contact.get_by_label("Role").select_option(label="NOC")
    contact.get_by_label("Phone").fill("+44 20 7946 0555")
    contact.get_by_label("Hours").fill("24×7")
    contact.get_by_role("button", name="Add contact").click()
    expect(page.get_by_test_id("contact")).to_contain_text("Brightline NOC")
    page.get_by_test_id("vendor-step-activate").click()
    expect(page.get_by_test_id("vendor-status")).to_have_text("Active")
    assert still_the_same_document(page)

    # --- A contract renewing automatically, with 90 days' notice. ---
    page.get_by_test_id("add-contract").click()
    form = page.get_by_test_id("contract-form")
    carrier = Vendor.objects.get(name="Brightline Telecom")
    expect(form.get_by_label("Vendor")).to_have_value(str(carrier.pk))  # from its page
    form.get_by_label("Title").fill("Inbound SIP trunks")
    form.get_by_label("Start date").fill((end - timedelta(days=364)).isoformat())
    form.get_by_label("End date").fill(end.isoformat())
    form.get_by_label("Renewal type").select_option(label="Automatic (tacit) renewal for a term")
    form.get_by_label("Renewal term (months)").fill("12")
    form.get_by_label("Notice period").fill("90")
    form.get_by_label("Notice in").select_option(label="days")
    form.get_by_label("Fee line name").first.fill("SIP channel rental")
    form.get_by_label("Amount").first.fill("4200")
    form.get_by_test_id("save-contract").click()

    expect(page.get_by_test_id("contract-state")).to_have_text("Draft")
    expect(page.get_by_test_id("notice-date")).to_have_text(
        notice.strftime("%-d %b %Y"))
    watch_for_reloads(page)
    page.get_by_test_id("step-activate").click()
    expect(page.get_by_test_id("contract-state")).to_have_text("Active")
    expect(page.get_by_test_id("pending-warning")).to_have_count(4)

    # --- The renewal decision, before the notice date: a reason is required. ---
    decision = page.locator("#decision-form")
    decision.get_by_label("Renegotiate").check()
    decision.get_by_test_id("record-decision").click()
    expect(page.locator("#decision-form .field-error")).to_have_text("Say why.")
    decision = page.locator("#decision-form")
    decision.get_by_label("Renegotiate").check()
    decision.get_by_label("Why").fill("Channel price 15% above two competing quotes.")
    decision.get_by_test_id("record-decision").click()
    expect(page.get_by_test_id("current-decision")).to_contain_text("Renegotiate")
    assert still_the_same_document(page)
    contract = Contract.objects.get()
    assert (contract.decision, contract.notice_date) == ("renegotiate", notice)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SHOTS / "vendor-journey-contract.png", full_page=True)

    # --- A responder declares an incident naming the carrier. ---
    context = browser.new_context(base_url=live_server.url)
    try:
        desk = context.new_page()
        desk.set_default_timeout(10_000)
        log_in(desk, "rosa")
        desk.goto("/incidents/declare/")
        desk.get_by_label("Title", exact=True).fill(
            "Inbound calls failing on the Brightline trunks")
        desk.get_by_label("Brightline Telecom").check()
        desk.get_by_role("button", name="Declare incident").click()
        card = desk.get_by_test_id("vendor-card")
        expect(card.get_by_test_id("attributed-vendor")).to_contain_text("Brightline Telecom")
        expect(card.get_by_test_id("vendor-contact")).to_contain_text("Brightline NOC")
        expect(card.get_by_role("link", name="+44 20 7946 0555")).to_have_attribute(
            "href", "tel:+442079460555")
        desk.set_viewport_size({"width": 1280, "height": 900})
        desk.screenshot(path=SHOTS / "vendor-journey-incident.png", full_page=True)
    finally:
        context.close()

    # The outage began 95 minutes before it was declared (a corrected impact start),
    # and the carrier fixed it a moment ago.
    incident = Incident.objects.get()
    assert VendorAttribution.objects.filter(incident=incident).exists()
    incident_services.incident_correct_timestamp(
        incident=incident, by=responder, field="declared_at",
        value=incident.declared_at - timedelta(minutes=95), reason="Calls failed from 10:05")
    incident_services.incident_triage(incident=incident, by=responder, commander=responder,
                                      severity=incident.severity or _sev2())
    incident_services.incident_resolve(incident=incident, by=responder,
                                       summary="Carrier rolled back its SBC firmware.")

    # --- The carrier's page shows the downtime and the incident that makes it. ---
    page.goto(contract.vendor.get_absolute_url())
    expect(page.get_by_test_id("downtime-year")).to_have_text(re.compile(r"^9[5-7] min$"))
    expect(page.get_by_test_id("downtime-incident")).to_contain_text(incident.reference)
    page.screenshot(path=SHOTS / "vendor-journey-vendor.png", full_page=True)


def _sev2():
    from incidents.models import Severity

    return Severity.objects.get(key="SEV2")
