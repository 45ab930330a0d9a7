"""Journey: a manager subscribes a local receiver to declared incidents, declares one,
and sees the signed delivery (HTTP 200) in the subscription's log — the receiver
verifying our signature with the Standard Webhooks reference implementation."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from core.choices import Role
from tests.e2e.steps import log_in
from tests.factories import UserFactory
from tests.webhooks.receiver import start_receiver

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOT = Path(tempfile.gettempdir()) / "webhook-subscription.png"


@pytest.fixture
def receiver():
    receiver = start_receiver()
    yield receiver
    receiver.stop()


def test_a_manager_sees_the_signed_delivery_of_a_declared_incident(page, live_server,
                                                                    receiver):
    UserFactory(username="maria", first_name="Maria", last_name="Lopez",
                roles=[Role.MANAGER], is_staff=True)

    # --- The manager subscribes the service desk's receiver (on our own network). ---
    log_in(page, "maria")
    page.get_by_role("link", name="Webhooks").first.click()
    page.get_by_test_id("new-subscription").click()
    page.get_by_label("Name").fill("Service desk bridge")
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("incident.declared —").check()
    page.get_by_label("Allow private network addresses").check()
    page.get_by_test_id("save-subscription").click()
    secret = page.get_by_test_id("secret-value").inner_text().strip()
    assert secret.startswith("whsec_")
    edit = page.get_by_test_id("edit-subscription")
    subscription_url = edit.get_attribute("href").removesuffix("edit/")

    # --- An incident is declared. ---
    page.goto("/incidents/")
    page.get_by_test_id("declare-incident").click()
    page.get_by_label("Title", exact=True).fill("IVR not answering on the sales line")
    page.get_by_label("Severity").select_option(label="SEV2 — Major")
    page.get_by_role("button", name="Declare incident").click()
    expect(page.get_by_test_id("incident-state")).to_have_text("Declared")

    # --- The receiver got it, signed; the log shows the 200. ---
    (request,) = receiver.requests
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "incident.declared"
    assert payload["data"]["incident"]["title"] == "IVR not answering on the sales line"

    page.goto(subscription_url)
    row = page.get_by_test_id("delivery-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("delivery-status")).to_have_text("Delivered")
    expect(row.get_by_test_id("delivery-response")).to_contain_text("HTTP 200")
    expect(page.get_by_test_id("new-secret")).to_have_count(0)  # shown once only
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # --- Its page: the signed request, and a replay with the same webhook-id. ---
    row.get_by_role("link").first.click()
    expect(page.get_by_test_id("webhook-id")).to_have_text(request.headers["webhook-id"])
    expect(page.get_by_test_id("attempts")).to_contain_text("webhook-signature")
    page.get_by_test_id("replay").click()
    expect(page.get_by_test_id("attempt")).to_have_count(2)
    assert len(receiver.requests) == 2
    assert receiver.requests[1].headers["webhook-id"] == request.headers["webhook-id"]
    Webhook(secret).verify(receiver.requests[1].body, receiver.requests[1].headers)
