"""Journey: a responder declares a SEV2 chat outage and works it to resolved; a manager
writes the post-mortem, which the responder reviews and publishes (reviewer ≠ author),
adds an action item and closes the incident. Until the post-mortem is published,
"Close incident" is shown greyed with the reason, never as a button that errors.

Every step on the incident page posts with htmx and swaps the page's main panel: a
marker set on ``window`` before the first step must survive to the last one.
"""

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.choices import Role
from incidents.models import Incident
from tests.e2e.steps import log_in, still_the_same_document, watch_for_reloads
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# Looked at by a person after a run: /tmp/incident-page.png on Linux.
SCREENSHOT = Path(tempfile.gettempdir()) / "incident-page.png"


def test_responder_works_a_chat_outage_and_a_manager_closes_it(page, browser, live_server):
    UserFactory(username="rosa", first_name="Rosa", last_name="Diaz",
                roles=[Role.INCIDENT_RESPONDER])
    UserFactory(username="maria", first_name="Maria", last_name="Lopez", roles=[Role.MANAGER],
                is_staff=True)

    # --- The responder declares a SEV2 chat outage. ---
    log_in(page, "rosa")
    page.goto("/incidents/")
    page.get_by_test_id("declare-incident").click()
    page.get_by_label("Title", exact=True).fill("Chat widget not loading for EU customers")
    page.get_by_label("Severity").select_option(label="SEV2 — Major")
    page.get_by_label("Chat", exact=True).check()
    page.get_by_label("Customer impact").fill("Web chat shows a blank panel; queues back up.")
    page.get_by_label("Summary").fill("Since 09:40 the chat widget fails to load in the EU.")
    page.get_by_role("button", name="Declare incident").click()

    state = page.get_by_test_id("incident-state")
    expect(state).to_have_text("Declared")
    expect(page.get_by_test_id("severity")).to_have_text("SEV2")
    expect(page.get_by_test_id("incident-clocks")).to_contain_text("Triage")
    expect(page.get_by_test_id("step-close")).to_have_count(0)
    incident_url = page.url
    watch_for_reloads(page)

    # --- Triage, naming herself commander. ---
    page.get_by_test_id("step-triage").click()
    triage = page.locator("#step-triage-form")
    triage.get_by_role("button", name="Triage").click()  # no commander yet: refused
    expect(triage.locator(".field-error")).to_have_text(
        "Assign an incident commander before triage.")
    triage = page.locator("#step-triage-form")
    triage.get_by_label("Incident commander").select_option(label="Rosa Diaz")
    triage.get_by_role("button", name="Triage").click()
    expect(state).to_have_text("Triaged")

    # --- The agent talk track, then a customer-facing update. ---
    page.get_by_text("Edit the talk track").click()
    page.locator("#talk-track-form textarea").fill(
        "I'm sorry, our **web chat** is down right now. Please call 0800 123 456.")
    page.get_by_role("button", name="Save talk track").click()
    expect(page.get_by_test_id("talk-track")).to_contain_text("our web chat is down")

    page.get_by_test_id("compose-update").click()
    update = page.locator("#update-form")
    update.get_by_label("Audience").select_option(label="Customer-facing")
    update.get_by_label("Message (Markdown)").fill(
        "**Web chat is unavailable** in Europe. Phone and email work normally.")
    update.get_by_label("Chat", exact=True).check()
    update.get_by_role("button", name="Post update").click()
    posted = page.get_by_test_id("status-update")
    expect(posted).to_contain_text("Web chat is unavailable")
    expect(posted.locator("strong")).to_have_text("Web chat is unavailable")

    # --- Contain and resolve; closing is not on offer yet. ---
    page.get_by_test_id("step-contain").click()
    page.locator("#step-contain-form textarea").fill("Chat routed to the backup widget.")
    page.locator("#step-contain-form").get_by_role("button", name="Contain").click()
    expect(state).to_have_text("Contained")
    expect(page.get_by_test_id("step-close")).to_have_count(0)

    page.get_by_test_id("step-resolve").click()
    page.locator("#step-resolve-form textarea").fill("Expired CDN certificate renewed.")
    page.locator("#step-resolve-form").get_by_role("button", name="Resolve").click()
    expect(state).to_have_text("Resolved")
    assert still_the_same_document(page)

    # --- A manager, in her own browser, runs the post-mortem and closes. ---
    context = browser.new_context(base_url=live_server.url)
    try:
        manager = context.new_page()
        manager.set_default_timeout(10_000)
        log_in(manager, "maria")
        manager.goto(incident_url)
        watch_for_reloads(manager)
        manager_state = manager.get_by_test_id("incident-state")

        manager.get_by_test_id("step-start_postmortem").click()
        expect(manager_state).to_have_text("Post-mortem")

        postmortem = manager.locator("#postmortem-form")
        postmortem.get_by_label("Summary").fill(
            "Web chat was down for EU customers for 52 minutes.")
        postmortem.get_by_label("Root cause").fill(
            "The CDN certificate for the chat widget expired; renewal was manual.")
        # Submitting without a reviewer saves the draft and says why it was not submitted.
        postmortem.get_by_role("button", name="Save and submit for review").click()
        expect(manager.get_by_test_id("postmortem-state")).not_to_have_text("In review")
        expect(manager.locator("#postmortem")).to_contain_text(
            "Draft saved, but not submitted for review: Choose a reviewer.")
        # The author cannot review her own post-mortem.
        postmortem = manager.locator("#postmortem-form")
        postmortem.get_by_label("Reviewer").select_option(label="Maria Lopez")
        postmortem.get_by_role("button", name="Save draft").click()
        expect(manager.locator("#postmortem")).to_contain_text(
            "Choose a reviewer other than the author")
        postmortem = manager.locator("#postmortem-form")
        postmortem.get_by_label("Reviewer").select_option(label="Rosa Diaz")
        postmortem.get_by_role("button", name="Save draft").click()
        expect(manager.get_by_text("post-mortem saved")).to_be_visible()

        manager.locator("#postmortem-form").get_by_role(
            "button", name="Save and submit for review").click()
        expect(manager.get_by_test_id("postmortem-state")).to_have_text("In review")
        expect(manager.get_by_test_id("postmortem-publish")).to_have_count(0)  # the author
        # Closing is blocked, and says why, until the post-mortem is published.
        blocked = manager.get_by_test_id("why-not-close")
        expect(blocked).to_contain_text("Publish the post-mortem before closing.")
        expect(blocked.get_by_role("button", name="Close incident")).to_be_disabled()
        expect(manager.get_by_test_id("step-close")).to_have_count(0)

        # The reviewer publishes it from her own page.
        page.reload()
        page.get_by_test_id("postmortem-publish").click()
        expect(page.get_by_test_id("postmortem-state")).to_have_text("Published")

        due = (timezone.localdate() + timedelta(days=14)).isoformat()
        item = manager.locator("#action-item-form")
        item.get_by_label("Kind").select_option(label="Preventive")
        item.get_by_label("Title").fill("Alert 30 days before certificates expire")
        item.get_by_label("Owner").select_option(label="Rosa Diaz")
        item.get_by_label("Due date").fill(due)
        item.get_by_role("button", name="Add action item").click()
        expect(manager.get_by_test_id("action-item")).to_contain_text(
            "Alert 30 days before certificates expire")
        expect(manager.get_by_test_id("action-item")).to_contain_text("Rosa Diaz")

        close = manager.get_by_test_id("step-close")
        expect(close).to_be_visible()
        manager.screenshot(path=SCREENSHOT, full_page=True)
        close.click()
        expect(manager_state).to_have_text("Closed")
        expect(manager.get_by_test_id("step-close")).to_have_count(0)
        expect(manager.get_by_test_id("no-steps")).to_contain_text("Nothing left to do")
        assert still_the_same_document(manager)
    finally:
        context.close()

    assert Incident.objects.get().state == "closed"

    # --- The action item waits on the responder's own list. ---
    page.goto("/incidents/action-items/mine/")
    expect(page.get_by_test_id("my-action-item")).to_contain_text(
        "Alert 30 days before certificates expire")
