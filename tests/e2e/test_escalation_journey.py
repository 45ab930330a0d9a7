"""Journeys through escalations in a real Chromium.

1. An escalation lead takes a VIP complaint from the queue, triages it, waits for the
   customer (the resolution clock pauses), resumes, escalates to L3 (acknowledging L2
   as its lead on the way), contains, resolves, writes the root-cause review and closes.
2. A responder links the burst of chat complaints to the chat outage from the incident
   page in one go; the escalation page shows the incident's live state.

Every step posts with htmx and swaps the page's panel: a marker set on ``window``
before the first step must survive to the last one.
"""

import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.choices import ClockState, Role
from core.clocks import clocks_of
from escalations import services
from escalations.clock_kinds import RESOLUTION_CLOCK, UPDATE_CLOCK
from escalations.models import Escalation, EscalationSlaPolicy
from incidents import services as incident_services
from incidents.models import Channel, Severity
from tests.e2e.steps import log_in, still_the_same_document, watch_for_reloads
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# Looked at by a person after a run: /tmp/escalation-page.png on Linux.
SCREENSHOT = Path(tempfile.gettempdir()) / "escalation-page.png"


def open_step(page, name):
    page.get_by_test_id(f"step-{name}").click()
    return page.locator(f"#step-{name}-form")


@pytest.fixture
def desk():
    lead = UserFactory(username="elena", first_name="Elena", last_name="García",
                       roles=[Role.ESCALATION_LEAD])
    manager = UserFactory(username="maria", first_name="Maria", last_name="Lopez",
                          roles=[Role.MANAGER], is_staff=True)
    # The L2 desk (settings.ESCALATION_TIER_TEAMS): Elena leads it. L3 falls to managers.
    team = TeamFactory(slug="escalation-desk", name="Escalation Desk", lead=lead)
    team.members.add(lead)
    return lead, manager


def test_a_lead_takes_a_vip_complaint_from_the_queue_to_closed(page, desk):
    lead, manager = desk
    EscalationSlaPolicy.objects.create(
        name="VIP complaints", order=10, customer_tier="vip",
        first_response=timedelta(hours=1), update_cadence=timedelta(hours=4),
        containment=timedelta(hours=8), resolution=timedelta(days=2),
        pause_in_awaiting_customer=[UPDATE_CLOCK, RESOLUTION_CLOCK])
    customer = services.customer_create(
        by=manager, name="Harriet Okafor", account_reference="ACC-104200", tier="vip",
        annual_value=Decimal("84000"), email="harriet@example.com")
    routine = services.customer_create(by=manager, name="Sam Lee",
                                       account_reference="ACC-2", tier="standard")
    services.escalation_create(by=manager, customer=routine, category="billing",
                               priority="P4", summary="Wants a paper bill")
    vip = services.escalation_create(
        by=manager, customer=customer, category="complaint", priority="P2",
        summary="Disconnected three times while reporting a bereavement",
        description="Called on Monday; cut off three times by the IVR.")

    # --- The queue: the VIP complaint is first (its clocks are due soonest). ---
    log_in(page, "elena")
    page.get_by_role("link", name="Escalations").first.click()
    rows = page.get_by_test_id("escalation-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(vip.summary)
    expect(rows.first).to_contain_text("Harriet Okafor")  # a lead sees personal data
    rows.first.get_by_role("link", name=vip.summary).click()

    state = page.get_by_test_id("escalation-state")
    expect(state).to_have_text("New")
    expect(page.get_by_test_id("escalation-clocks")).to_contain_text("First response")
    watch_for_reloads(page)

    # --- Triage: the owner is missing, the refusal says so next to the field. ---
    triage = open_step(page, "triage")
    triage.get_by_role("button", name="Triage").click()
    expect(page.locator("#step-triage-form .field-error")).to_have_text(
        "Assign an owner before triage.")
    page.locator("#step-triage-form").get_by_label("Owner").select_option(label="Elena García")
    page.locator("#step-triage-form").get_by_role("button", name="Triage").click()
    expect(state).to_have_text("Triaged")

    # --- Wait for the customer: the policy's clocks pause; then she replies. ---
    waiting = open_step(page, "await_customer")
    waiting.get_by_label("What are we waiting for?").fill("Call recordings consent form")
    waiting.get_by_role("button", name="Await customer").click()
    expect(state).to_have_text("Awaiting customer")
    expect(page.locator(".clock-paused")).to_have_count(2)
    page.get_by_test_id("step-customer_replied").click()
    expect(state).to_have_text("Triaged")
    expect(page.locator(".clock-paused")).to_have_count(0)

    # --- Up the ladder: L2 (Elena leads it and acknowledges), then L3. ---
    page.get_by_test_id("tier-escalate").click()
    page.locator("#tier-escalate-form").get_by_label("Reason").fill(
        "Bereavement case: needs the escalation desk")
    page.locator("#tier-escalate-form").get_by_role("button", name="Escalate a tier").click()
    expect(page.get_by_test_id("tier-current")).to_have_text("L2 — escalation desk")
    expect(page.get_by_test_id("tier-pending")).to_contain_text("not acknowledged")
    page.get_by_test_id("tier-acknowledge").click()
    expect(page.get_by_test_id("tier-pending")).to_have_count(0)
    page.get_by_test_id("tier-escalate").click()
    page.locator("#tier-escalate-form").get_by_label("Reason").fill(
        "Customer asks for a manager; compensation beyond my limit")
    page.locator("#tier-escalate-form").get_by_role("button", name="Escalate a tier").click()
    expect(page.get_by_test_id("tier-current")).to_have_text("L3 — specialist / management")
    expect(page.get_by_test_id("tier-change")).to_have_count(2)

    # --- An update to the customer, then contain, resolve, review and close. ---
    page.locator("#note-form").get_by_label("Note").fill(
        "Called Harriet: apologised, explained the IVR fault is being fixed.")
    page.locator("#note-form").get_by_label("This is an update sent to the customer").check()
    page.get_by_test_id("add-note").click()
    expect(page.get_by_test_id("timeline-event").first).to_contain_text("Called Harriet")

    contain = open_step(page, "contain")
    contain.get_by_label("Containment note").fill(
        "Called back on her mobile; direct line to the desk given; fee waived.")
    contain.get_by_role("button", name="Contain").click()
    expect(state).to_have_text("Contained")

    resolve = open_step(page, "resolve")
    resolve.get_by_label("Resolution").fill(
        "IVR bereavement option fixed; account closed as requested with no fees.")
    resolve.get_by_role("button", name="Resolve").click()
    expect(state).to_have_text("Resolved")

    page.get_by_test_id("step-start_review").click()
    expect(state).to_have_text("Root-cause review")
    close = open_step(page, "close")
    close.get_by_role("button", name="Close escalation").click()
    expect(page.locator("#step-close-form .field-error")).to_have_text(
        "Write the root-cause review before closing.")
    page.locator("#step-close-form").get_by_label("Root-cause review").fill(
        "The IVR bereavement branch timed out after 8 s; timeout raised and monitored.")
    page.locator("#step-close-form").get_by_role("button", name="Close escalation").click()
    expect(state).to_have_text("Closed")
    expect(page.get_by_test_id("step-close")).to_have_count(0)
    expect(page.get_by_test_id("step-reopen")).to_be_visible()  # within the reopen window
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert still_the_same_document(page)

    escalation = Escalation.objects.get(pk=vip.pk)
    assert (escalation.state, escalation.tier) == ("closed", "L3")
    assert escalation.history.first().history_user == lead
    clocks = list(clocks_of(escalation))
    assert clocks and all(clock.state == ClockState.STOPPED for clock in clocks)
    resolution = next(c for c in clocks if c.kind == RESOLUTION_CLOCK)
    assert resolution.paused_total > timedelta(0)  # the wait did not count


def test_a_responder_links_a_burst_of_chat_complaints_to_the_outage(page, desk):
    lead, manager = desk
    UserFactory(username="rosa", first_name="Rosa", last_name="Diaz",
                roles=[Role.INCIDENT_RESPONDER])
    chat = Channel.objects.get(key="chat")
    customer = services.customer_create(by=manager, name="Sam Lee", account_reference="ACC-9",
                                        tier="standard")
    burst = [services.escalation_create(by=lead, customer=customer, category="technical",
                                        priority="P3", channel=chat,
                                        summary=f"Chat keeps dropping ({n})")
             for n in range(4)]
    incident = incident_services.incident_declare(by=manager, title="Chat widget down",
                                                  channels=[chat])

    log_in(page, "rosa")
    page.goto(incident.get_absolute_url())
    watch_for_reloads(page)
    expect(page.get_by_test_id("no-linked-escalations")).to_be_visible()
    page.get_by_test_id("link-escalations").click()
    expect(page.get_by_test_id("candidate")).to_have_count(4)
    page.get_by_test_id("select-all-candidates").check()
    page.get_by_test_id("link-selected").click()
    expect(page.get_by_test_id("linked-escalation")).to_have_count(4)
    expect(page.get_by_test_id("linked-escalation-count")).to_have_text("4")
    assert still_the_same_document(page)

    incident_services.incident_triage(incident=incident, by=manager, commander=manager,
                                      severity=Severity.objects.get(key="SEV3"))
    page.context.clear_cookies()  # sign out; the lead signs in
    log_in(page, "elena")
    page.goto(burst[0].get_absolute_url())
    expect(page.get_by_test_id("linked-incident")).to_contain_text(incident.reference)
    expect(page.get_by_test_id("linked-incident-state")).to_have_text("Triaged")
