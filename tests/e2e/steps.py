"""Steps the browser journeys share."""

from playwright.sync_api import expect

from tests.factories import PASSWORD


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def still_the_same_document(page):
    """True while no step has reloaded the page: htmx swapped panels, nothing more.
    The journey sets ``window.__noFullReload`` before its first step."""
    return page.evaluate("window.__noFullReload === true")
