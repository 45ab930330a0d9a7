"""Journey: a manager logs in and sees the dashboard with real numbers."""

import pytest
from playwright.sync_api import expect

from core.choices import Role
from core.health import record_heartbeat
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_logs_in_and_sees_the_dashboard(page):
    UserFactory(username="maria", first_name="Maria", last_name="Okafor",
                roles=[Role.MANAGER], is_staff=True)
    UserFactory(username="ivan", roles=[Role.INCIDENT_RESPONDER])
    TeamFactory(name="Escalation Desk")
    record_heartbeat(hostname="worker-1")

    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Good to see you, Maria Okafor.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for area in ["Incidents", "Escalations", "Vendors", "Playbooks", "Budgets", "Reports"]:
        expect(nav.get_by_role("link", name=area, exact=True)).to_be_visible()
    # Admin sits in the user menu, so the header stays on one line.
    nav.get_by_text("Maria Okafor", exact=True).click()
    expect(nav.get_by_role("link", name="Admin", exact=True)).to_be_visible()
    nav.get_by_text("Maria Okafor", exact=True).click()
    # The system figures are a manager's System health page, not everyone's dashboard.
    expect(page.get_by_test_id("people-count")).to_have_count(0)
    page.get_by_role("link", name="System health").click()
    expect(page.get_by_role("heading", name="System health")).to_be_visible()
    expect(page.get_by_test_id("people-count")).to_have_text("2")
    expect(page.get_by_test_id("team-count")).to_have_text("1")
    expect(page.get_by_test_id("worker-state")).to_have_text("Running")


def test_a_responder_starts_the_day_on_my_work(page):
    """Journey: the incident a responder commands is on the dashboard's "Due soonest"
    and in My work; a notice about it is snoozed, and comes off the list."""
    from core.notifications import notify
    from incidents.models import Severity
    from incidents.services import incident_declare

    ivan = UserFactory(username="ivan", first_name="Ivan", last_name="Petrov",
                       roles=[Role.INCIDENT_RESPONDER])
    incident = incident_declare(by=ivan, title="Chat widget not loading", commander=ivan,
                                severity=Severity.objects.get(key="SEV2"))
    notify([ivan], title=f"Next update at 50% on {incident.reference}",
           url=incident.get_absolute_url())

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ivan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    soonest = page.get_by_test_id("due-soonest")
    expect(soonest).to_contain_text(incident.reference)
    soonest.get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_test_id("work-incidents.mine")).to_contain_text("Chat widget not loading")
    page.get_by_label("What").select_option(label="Incidents I work")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("work-incidents.mine")).to_be_visible()
    expect(page.get_by_test_id("work-escalations.mine")).to_have_count(0)

    title = f"Next update at 50% on {incident.reference}"
    notice = page.get_by_test_id("notice").filter(has_text=title)
    expect(notice).to_have_count(1)
    notice.get_by_label(f"Snooze {title} until").select_option(label="Tomorrow 09:00")
    notice.get_by_role("button", name="Snooze").click()
    expect(page.get_by_text("Snoozed until")).to_be_visible()
    expect(page.get_by_test_id("notice").filter(has_text=title)).to_have_count(0)


def test_viewer_does_not_see_money_and_can_log_out(page):
    UserFactory(username="vera", first_name="Vera", last_name="Lindqvist", roles=[Role.VIEWER])

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("vera")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Incidents", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    # Budgets open on the initiatives every role reads; the money pages are not offered.
    nav.get_by_role("link", name="Budgets", exact=True).click()
    expect(page.get_by_role("heading", name="Initiatives")).to_be_visible()
    expect(page.get_by_role("link", name="Spend", exact=True)).to_have_count(0)

    page.get_by_text("Vera Lindqvist", exact=True).click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
