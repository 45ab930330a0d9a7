"""Journey on a 390 px phone: the navigation collapses behind "Menu", the incident list
becomes cards that keep the State, and the incident page opens in sections (tabs)
instead of one very long page. Screenshots are left in the temp folder for a person
to look at: phone-incident-list.png, phone-incident-page.png."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.choices import Role
from incidents import services
from incidents.models import Severity
from tests.e2e.steps import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir())


def test_a_responder_works_from_a_phone(browser, live_server):
    rosa = UserFactory(username="rosa", first_name="Rosa", last_name="Diaz",
                       roles=[Role.INCIDENT_RESPONDER])
    incident = services.incident_declare(
        by=rosa, title="IVR main menu drops calls after the greeting",
        severity=Severity.objects.get(key="SEV2"), summary="Callers hear silence.")
    for n in range(25):
        services.incident_add_note(incident=incident, by=rosa,
                                   text=f"Observation {n}: " + "calls drop after 4 s. " * 30)

    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "rosa")

        # The areas hide behind "Menu" and open on demand.
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_be_visible()
        incidents_link = page.locator("#main-areas").get_by_role("link", name="Incidents")
        expect(incidents_link).to_be_hidden()
        menu.click()
        expect(incidents_link).to_be_visible()
        incidents_link.click()

        # The list is cards: no sideways scrolling, and each card says its State.
        row = page.get_by_test_id("incident-row").first
        expect(row.get_by_test_id("incident-row-state")).to_be_visible()
        expect(row.get_by_test_id("incident-row-state")).to_contain_text("Declared")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=SHOTS / "phone-incident-list.png", full_page=True)

        # The incident page opens on its overview; the timeline is one tap away.
        page.goto(incident.get_absolute_url())
        tabs = page.get_by_role("navigation", name="Incident sections")
        expect(tabs).to_be_visible()
        expect(page.locator("#tab-timeline")).to_be_hidden()
        overview_height = page.evaluate("document.body.scrollHeight")
        tabs.get_by_role("button", name="Timeline").click()
        expect(page.locator("#tab-timeline")).to_be_visible()
        expect(page.locator("#tab-overview")).to_be_hidden()
        # Long notes are folded to their first lines.
        expect(page.locator("details.folded").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=SHOTS / "phone-incident-page.png", full_page=True)
        # Without the sections the 25 long notes alone would be several screens tall.
        assert overview_height < 4000
    finally:
        context.close()


def test_a_manager_reads_people_and_access_on_a_phone_without_scrolling_sideways(
        browser, live_server):
    UserFactory(username="maria", first_name="Maria", last_name="Lopez",
                email="maria.lopez@switchboard.example", roles=[Role.MANAGER])
    UserFactory(username="oskar.lindqvist-bergstrom", first_name="Oskar",
                last_name="Lindqvist-Bergström", email="oskar.lindqvist-bergstrom@example.com",
                roles=[Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER])

    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "maria")
        page.goto("/people/")
        row = page.get_by_test_id("person-row").filter(has_text="Lindqvist")
        expect(row.get_by_test_id("person-status")).to_be_visible()
        # A card per person: the header row is hidden, each cell labels itself (CSS).
        expect(page.locator("table.cards-on-phone thead")).to_be_hidden()
        expect(row).to_contain_text("Incident Responder, Escalation Lead, Vendor Manager")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=SHOTS / "phone-people.png", full_page=True)
    finally:
        context.close()
