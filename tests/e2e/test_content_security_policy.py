"""Journey: everything works under the Content-Security-Policy, and nothing is fetched
from another site.

A manager opens the dashboard, declares an incident and triages it with htmx, reads
the admin, then opens Swagger UI and Redoc. Every document records the browser's
``securitypolicyviolation`` events from its very first script; the console is
watched for CSP and Permissions-Policy complaints; every request must go to the
test server.
"""

import pytest
from playwright.sync_api import expect

from core.choices import Role
from tests.e2e.steps import log_in, still_the_same_document, watch_for_reloads
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""


@pytest.fixture
def watched_page(page, live_server):
    """The page, with what the browser complained about and asked other sites for."""
    page.context.add_init_script(RECORD_VIOLATIONS)
    complaints, elsewhere = [], []
    page.on("console", lambda message: complaints.append(message.text)
            if "Content Security Policy" in message.text or "Permissions-Policy" in message.text
            else None)
    page.on("request", lambda request: elsewhere.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:")) else None)
    page.complaints, page.elsewhere = complaints, elsewhere
    return page


def assert_nothing_blocked(page):
    assert page.evaluate("window.__cspViolations") == []
    assert page.complaints == []
    assert page.elsewhere == []


def test_pages_htmx_and_the_api_docs_work_under_the_policy(watched_page):
    page = watched_page
    UserFactory(username="maria", first_name="Maria", last_name="Lopez", roles=[Role.MANAGER],
                is_staff=True)

    # The dashboard.
    log_in(page, "maria")
    page.goto("/system/")
    expect(page.get_by_test_id("people-count")).to_have_text("1")
    assert_nothing_blocked(page)

    # An incident page, and a transition done by htmx (panel swapped, no reload).
    page.goto("/incidents/declare/")
    page.get_by_label("Title", exact=True).fill("IVR menu loops back to the start")
    page.get_by_label("Severity").select_option(label="SEV2 — Major")
    page.get_by_label("Customer impact").fill("Callers cannot reach an agent.")
    page.get_by_label("Summary").fill("Since 08:15 option 3 returns to the main menu.")
    page.get_by_role("button", name="Declare incident").click()
    expect(page.get_by_test_id("incident-state")).to_have_text("Declared")
    watch_for_reloads(page)
    # This page brings its own htmx-config meta tag; the CSP settings still hold.
    assert page.evaluate("[htmx.config.includeIndicatorStyles, htmx.config.allowEval, "
                         "htmx.config.allowScriptTags]") == [False, False, False]
    page.get_by_test_id("step-triage").click()
    triage = page.locator("#step-triage-form")
    triage.get_by_label("Incident commander").select_option(label="Maria Lopez")
    triage.get_by_role("button", name="Triage").click()
    expect(page.get_by_test_id("incident-state")).to_have_text("Triaged")
    assert still_the_same_document(page)
    assert_nothing_blocked(page)

    # The admin (its own scripts and inline styles).
    page.goto("/admin/incidents/incident/")
    expect(page.get_by_text("IVR menu loops back to the start")).to_be_visible()
    assert_nothing_blocked(page)

    # Swagger UI: rendered, its operations listed.
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Switchboard API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()  # expand an operation
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert_nothing_blocked(page)

    # Redoc: rendered with its injected styles, no web fonts from Google.
    page.goto("/api/docs/redoc/")
    # Redoc renders the whole schema before showing anything: give it time.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Switchboard API",
                                                                 timeout=60_000)
    expect(page.get_by_role("menuitem", name="health")).to_be_visible(timeout=60_000)
    assert page.evaluate("document.querySelectorAll('style[data-styled]').length") > 0
    assert_nothing_blocked(page)
