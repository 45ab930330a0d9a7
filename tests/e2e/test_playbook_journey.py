"""Journey: a manager drafts and publishes a new version of a playbook; a responder
declares an incident that matches it, sees the checklist appear, completes and skips
steps, and the close button stays refused until the required steps are done.

The incident page's steps post with htmx and swap its panel: a marker set on
``window`` before the first step must survive to the last one.
"""

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.choices import Role
from incidents.models import Channel, Incident, Severity
from playbooks import services
from playbooks.models import PlaybookRun
from tests.e2e.steps import log_in, watch_for_reloads
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOT = Path(tempfile.gettempdir()) / "playbook-checklist.png"


def test_a_new_version_is_published_and_guides_the_next_incident(page, browser, live_server,
                                                                  tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    manager = UserFactory(username="maria", first_name="Maria", last_name="Lopez",
                          roles=[Role.MANAGER], is_staff=True)
    UserFactory(username="rosa", first_name="Rosa", last_name="Diaz",
                roles=[Role.INCIDENT_RESPONDER])
    voice = Channel.objects.get(key="voice")
    playbook = services.playbook_create(
        by=manager, name="Telephony carrier outage", kind="incident",
        slug="telephony-carrier-outage", purpose="Calls fail because of the carrier.")
    draft = services.current_draft(playbook)
    services.step_save(version=draft, by=manager, title="Open a P1 ticket with the carrier",
                       evidence="link", due_offset=timedelta(minutes=10))
    services.step_save(version=draft, by=manager, title="Brief the agents", required=False)
    services.rule_save(playbook=playbook, by=manager, channel=voice,
                       min_severity=Severity.objects.get(key="SEV3"))
    services.version_publish(version=draft, by=manager)

    # --- The manager drafts v2 with a new step and publishes it. ---
    log_in(page, "maria")
    page.get_by_role("link", name="Playbooks").first.click()
    page.get_by_role("link", name="Telephony carrier outage").click()
    expect(page.get_by_test_id("published-version")).to_have_text("Published v1")
    watch_for_reloads(page)
    page.locator("#new-draft-form").get_by_label("What changes").fill(
        "Callback before the briefing")
    page.get_by_test_id("new-draft").click()
    expect(page.get_by_test_id("draft-version")).to_have_text("Draft v2")
    page.get_by_test_id("add-step").click()
    add = page.locator("#add-step-form")
    add.get_by_label("Title").fill("Switch the voice queues to callback")
    add.get_by_label("Due after (minutes)").fill("-5")
    add.get_by_role("button", name="Add step").click()
    expect(page.locator("#add-step-form .field-error")).to_contain_text(
        "A due offset must be positive")
    page.locator("#add-step-form").get_by_label("Due after (minutes)").fill("15")
    page.locator("#add-step-form").get_by_role("button", name="Add step").click()
    expect(page.get_by_test_id("playbook-step")).to_have_count(3)
    page.get_by_test_id("publish-draft").click()
    expect(page.get_by_test_id("published-version")).to_have_text("Published v2")
    expect(page.get_by_test_id("draft-version")).to_have_count(0)
    page.locator("#diff-from").select_option("1")
    page.locator("#diff-to").select_option("2")
    page.get_by_test_id("compare").click()
    expect(page.get_by_test_id("version-diff").locator('tr[data-status="added"]')).to_contain_text(
        "3. Switch the voice queues to callback")

    # --- The responder declares a matching incident: the v2 checklist appears. ---
    context = browser.new_context(base_url=live_server.url)
    try:
        rosa = context.new_page()
        rosa.set_default_timeout(10_000)
        log_in(rosa, "rosa")
        rosa.goto("/incidents/declare/")
        rosa.get_by_label("Title", exact=True).fill("Inbound calls failing on the main number")
        rosa.get_by_label("Severity").select_option(label="SEV3 — Minor")
        rosa.get_by_label("Voice / ACD", exact=True).check()
        rosa.get_by_label("Incident commander").select_option(label="Rosa Diaz")
        rosa.get_by_role("button", name="Declare incident").click()
        expect(rosa.get_by_test_id("playbook-run")).to_contain_text("Telephony carrier outage")
        expect(rosa.get_by_test_id("playbook-run")).to_contain_text("v2")
        steps = rosa.get_by_test_id("checklist-step")
        expect(steps).to_have_count(3)
        expect(rosa.get_by_test_id("run-progress")).to_contain_text("0/3 done")
        watch_for_reloads(rosa)
        state = rosa.get_by_test_id("incident-state")

        # Step 1 needs a link: refused without, done with.
        first = steps.nth(0)
        first.get_by_test_id("open-complete-step").click()  # the evidence fields open
        first.get_by_test_id("complete-step").click()
        expect(rosa.get_by_test_id("checklist-step").nth(0).locator(".field-error")).to_contain_text(
            "Paste the link")
        first = rosa.get_by_test_id("checklist-step").nth(0)
        first.get_by_label("Link").fill("https://noc.carrier.example/tickets/88412")
        first.get_by_test_id("complete-step").click()
        expect(rosa.get_by_test_id("checklist-step").nth(0)).to_have_attribute("data-state",
                                                                               "done")
        # Step 2 is optional: skipped with a reason.
        second = rosa.get_by_test_id("checklist-step").nth(1)
        second.get_by_test_id("skip-step").click()
        second.get_by_placeholder("Why it does not apply").fill("Night shift: two agents only")
        second.get_by_role("button", name="Skip step").click()
        expect(rosa.get_by_test_id("checklist-step").nth(1)).to_have_attribute("data-state",
                                                                               "skipped")
        expect(rosa.get_by_test_id("run-progress")).to_contain_text("2/3 done")

        # Work the incident to resolved; closing is refused while step 3 is to do.
        rosa.get_by_test_id("step-triage").click()
        rosa.locator("#step-triage-form").get_by_role("button", name="Triage").click()
        expect(state).to_have_text("Triaged")
        rosa.get_by_test_id("step-resolve").click()
        rosa.locator("#step-resolve-form textarea").fill("Carrier fixed the trunk routing.")
        rosa.locator("#step-resolve-form").get_by_role("button", name="Resolve").click()
        expect(state).to_have_text("Resolved")
        # Closing is shown blocked, with the step still to do (issue 19), not as a button.
        blocked = rosa.get_by_test_id("why-not-close")
        expect(blocked).to_contain_text("Switch the voice queues to callback")
        expect(blocked.get_by_role("button", name="Close incident")).to_be_disabled()
        expect(rosa.get_by_test_id("step-close")).to_have_count(0)
        expect(state).to_have_text("Resolved")

        rosa.get_by_test_id("checklist-step").nth(2).get_by_test_id("complete-step").click()
        expect(rosa.get_by_test_id("run-progress")).to_contain_text("3/3 done")
        rosa.screenshot(path=SCREENSHOT, full_page=True)
        rosa.get_by_test_id("step-close").click()
        expect(state).to_have_text("Closed")
        assert rosa.evaluate("window.__noFullReload === true")
    finally:
        context.close()

    incident = Incident.objects.get()
    assert incident.state == "closed"
    run = PlaybookRun.objects.of(incident).get()
    assert run.version.number == 2
    assert list(run.steps.order_by("position").values_list("state", flat=True)) == [
        "done", "skipped", "done"]
