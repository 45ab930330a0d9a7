"""Steps the browser journeys share."""

from playwright.sync_api import expect

from tests.factories import PASSWORD


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


# Predicates are written as functions, not bare expressions: Playwright evaluates a bare
# expression with eval() on every poll after the first, which the pages' CSP (no
# 'unsafe-eval') refuses; a function is evaluated once, on the first poll, and then
# called.


def htmx_ready(page):
    """Wait until htmx has started on this document. Its script is deferred, so text
    typed right after the page's first paint can beat it: the input event fires before
    htmx listens for it, and the search or form it should trigger never happens."""
    page.wait_for_function(
        "() => window.htmx !== undefined && document.readyState === 'complete'")


def watch_for_reloads(page):
    """Wait until htmx has started, then mark the document so
    ``still_the_same_document`` can tell whether a later step reloaded it."""
    htmx_ready(page)
    page.evaluate("window.__noFullReload = true")


def htmx_settled(page):
    """Wait until no htmx request is in flight and no swap is settling: a click taken
    meanwhile can land on an element the swap is about to replace."""
    page.wait_for_function(
        "() => document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling') === null")


def still_the_same_document(page):
    """True while no step has reloaded the page: htmx swapped panels, nothing more.
    The journey sets ``window.__noFullReload`` before its first step."""
    return page.evaluate("window.__noFullReload === true")
