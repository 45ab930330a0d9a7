"""Journeys: a manager adds a colleague who sets their password from the invitation
and logs in; a viewer finds an escalation by the customer's account number from the
header's search box.

With ``SWITCHBOARD_SCREENSHOTS=<dir>`` the pages are also photographed at 1280 and
390 px wide (the people pages and the search results)."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from core.choices import Role
from escalations import services
from tests.e2e.steps import htmx_ready, htmx_settled, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SWITCHBOARD_SCREENSHOTS")


def _shoot(page, name):
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_manager_adds_a_user_who_sets_a_password_and_logs_in(page):
    UserFactory(username="maria", first_name="Maria", last_name="Okafor",
                roles=[Role.MANAGER], is_staff=True)
    log_in(page, "maria")
    page.get_by_text("Maria Okafor").first.click()  # the user menu
    page.get_by_test_id("people-link").click()
    expect(page.get_by_role("heading", name="People and access")).to_be_visible()
    page.get_by_test_id("invite-person").click()
    form = page.get_by_test_id("invite-form")
    form.get_by_label("Username").fill("nadia")
    form.get_by_label("Email").fill("nadia@example.com")
    form.get_by_label("First name").fill("Nadia")
    form.get_by_label("Last name").fill("Mensah")
    form.get_by_label("Incident Responder").check()
    form.get_by_label("Reason").fill("New hire on the voice desk")
    form.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("heading", name="Nadia Mensah")).to_be_visible()
    expect(page.get_by_test_id("person-status")).to_have_text("Invited")
    expect(page.get_by_test_id("access-change").first).to_contain_text("Invited")
    _shoot(page, "person")
    page.goto("/people/")
    _shoot(page, "people")

    link = re.search(r"https?://[^/\s]+(/accounts/set-password/\S+/)", mail.outbox[-1].body)[1]
    page.get_by_text("Maria Okafor").first.click()
    page.get_by_role("button", name="Log out").click()

    page.goto(link)
    expect(page.get_by_test_id("set-password-username")).to_have_text("nadia")
    page.get_by_label("New password", exact=True).fill("voice-desk-2026!")
    page.get_by_label("New password confirmation").fill("voice-desk-2026!")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_test_id("set-password-done")).to_be_visible()

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nadia")
    page.get_by_label("Password").fill("voice-desk-2026!")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    # Not a manager: no people pages for her.
    expect(page.get_by_test_id("people-link")).to_have_count(0)


def test_viewer_finds_an_escalation_by_customer_account_from_the_header(page):
    manager = UserFactory(username="maria", roles=[Role.MANAGER], is_staff=True)
    UserFactory(username="vera", first_name="Vera", last_name="Lindqvist",
                roles=[Role.VIEWER])
    customer = services.customer_create(by=manager, name="Harriet Okafor",
                                        account_reference="ACC-104200", tier="vip")
    escalation = services.escalation_create(
        by=manager, customer=customer, category="complaint", priority="P2",
        summary="Disconnected three times while reporting a bereavement")
    log_in(page, "vera")
    box = page.get_by_test_id("header-search")
    box.fill("104200")
    box.press("Enter")
    results = page.get_by_test_id("search-results")
    expect(results.locator('[data-kind="escalations.escalation"]')).to_contain_text(
        escalation.reference)
    expect(results).not_to_contain_text("Harriet")  # no personal data for a viewer
    _shoot(page, "search")
    # Search as you type on the results page, once htmx listens for the typing.
    htmx_ready(page)
    page.get_by_role("searchbox", name="Search", exact=True).fill("Disconnected")
    expect(page).to_have_url(re.compile(r"q=Disconnected"))
    # The new results: the summary matches, the customer's account number no longer does.
    expect(results.locator('[data-kind="escalations.escalation"]')).to_contain_text(
        "bereavement")
    expect(results.locator('[data-kind="escalations.customer"]')).to_have_count(0)
    htmx_settled(page)
    page.get_by_role("link", name=re.compile(escalation.reference)).click()
    expect(page).to_have_url(re.compile(escalation.get_absolute_url()))
