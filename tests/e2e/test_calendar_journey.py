"""Journey: a manager builds a calendar with bank holidays in the admin and previews
a due date on the calendar page."""

import pytest
from playwright.sync_api import expect

from core.choices import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_creates_a_uk_calendar_and_previews_a_due_date(page):
    UserFactory(username="maria", roles=[Role.MANAGER], is_staff=True)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Mon–Fri 09:00–17:00 in the admin.
    page.goto("/admin/core/businesscalendar/add/")
    page.fill("#id_name", "UK office")
    page.select_option("#id_time_zone", "Europe/London")  # picked from the list
    for day in range(5):
        page.select_option(f"select[name='working_hours-{day}-weekday']", str(day))
        page.fill(f"input[name='working_hours-{day}-start']", "09:00")
        page.fill(f"input[name='working_hours-{day}-end']", "17:00")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # England and Wales bank holidays for 2026.
    page.locator("tr", has_text="UK office").locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", label="Generate public holidays…")
    page.click("button[name=index]")
    page.fill("input[name=country]", "GB")
    page.fill("input[name=subdivision]", "ENG")
    page.fill("input[name=year_from]", "2026")
    page.fill("input[name=year_to]", "2026")
    page.click("input[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("public holidays from GB-ENG")

    # Thursday 24 Dec 16:30 + 2 business hours: Christmas and Boxing Day (observed
    # Monday 28th) are closed, so it falls due Tuesday 29 Dec 10:30.
    page.goto("/calendars/")
    page.get_by_role("link", name="UK office").click()
    page.get_by_label("Start (calendar time)").fill("2026-12-24T16:30")
    page.get_by_label("Business hours").fill("2")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("preview-due")).to_contain_text("Tue 29 Dec 2026, 10:30")
