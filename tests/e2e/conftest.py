"""Browser tests: Playwright driving Debian's Chromium against the live server.

Playwright cannot download its own browser here, so it launches the system
Chromium (`apt-get install chromium`). Without it the tests are skipped with the
reason printed; with CI=true they fail instead.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import skip_or_fail

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--disable-gpu",
    "--no-first-run",
    # The machine has no internet: stop Chromium dialling out for updates and sync.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
if hasattr(os, "geteuid") and os.geteuid() == 0:
    CHROMIUM_ARGS.append("--no-sandbox")  # Chromium refuses to sandbox as root


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which makes
    # Django refuse ORM calls from the test body; the tests only touch the ORM to
    # arrange data, never concurrently with the server thread's requests.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    # Actions and assertions wait alike: a CI runner with every core busy can take
    # seconds to answer a page, and expect()'s own default is 5 s.
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    # Chromium reports every Content-Security-Policy refusal on the console: no journey
    # may meet one (a refused script or style is a silently broken page).
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert refused == [], "the Content-Security-Policy refused something"
