"""Journey: a manager creates an Alertmanager integration on the Integrations page; a
monitoring tool (this test) posts a firing alert to its URL; the SEV2 incident appears
with its playbook attached; the resolved alert contains it.

Tasks run in-process in this test (the unit-test settings), as a worker would right
after the 202.
"""

import json
import tempfile
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.choices import Role
from core.models import Team
from incidents.models import Incident, Severity
from playbooks import services as playbooks
from tests.e2e.steps import log_in
from tests.factories import UserFactory
from tests.integrations import samples

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir())


def _post(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),  # noqa: S310
                                     headers={"Content-Type": "application/json"},
                                     method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - live server
        return response.status


def test_an_alert_opens_a_sev2_incident_with_its_playbook_and_resolving_contains_it(page):
    manager = UserFactory(username="maria", first_name="Maria", last_name="Lopez",
                          roles=[Role.MANAGER], is_staff=True)
    rosa = UserFactory(username="rosa", first_name="Rosa", last_name="Diaz",
                       roles=[Role.INCIDENT_RESPONDER])
    Team.objects.create(name="Voice on-call", slug="voice-on-call", lead=rosa)
    playbook = playbooks.playbook_create(
        by=manager, name="SIP trunk outage", kind="incident", slug="sip-trunk-outage",
        purpose="Calls fail on the SIP trunks.")
    draft = playbooks.current_draft(playbook)
    playbooks.step_save(version=draft, by=manager, title="Call the carrier's NOC")
    playbooks.rule_save(playbook=playbook, by=manager,
                        min_severity=Severity.objects.get(key="SEV2"))
    playbooks.version_publish(version=draft, by=manager)

    # --- The manager creates the integration in the web UI. ---
    log_in(page, "maria")
    page.get_by_role("link", name="Integrations").first.click()
    page.get_by_test_id("new-integration").click()
    form = page.get_by_test_id("integration-form")
    form.get_by_label("Name", exact=True).fill("Prometheus (voice)")
    form.get_by_label("Format").select_option("alertmanager")
    form.get_by_label("Team").select_option(label="Voice on-call")
    form.get_by_label("When the source resolves").select_option("contain")
    page.get_by_test_id("save-integration").click()
    url = page.get_by_test_id("intake-url").inner_text().strip()
    assert "/api/integrations/intake/sbi_" in url
    page.screenshot(path=SHOTS / "integration-created.png", full_page=True)

    # --- Prometheus's Alertmanager posts a firing alert (severity "error" → SEV2). ---
    assert _post(url, samples.alertmanager("firing", severity="error")) == 202
    page.get_by_role("link", name="Integrations").first.click()
    page.get_by_test_id("alerts-link").click()
    expect(page.get_by_test_id("alert-row")).to_have_count(1)
    expect(page.get_by_test_id("alert-status")).to_have_text("Firing")
    page.get_by_role("link", name="SIP trunk to Northwind is down").click()
    expect(page.get_by_test_id("raw-payload")).to_contain_text("groupKey")
    page.screenshot(path=SHOTS / "alert-page.png", full_page=True)
    incident = Incident.objects.get()
    page.get_by_test_id("alert-incident").get_by_role("link").click()
    expect(page.get_by_test_id("severity").first).to_have_text("SEV2")
    expect(page.get_by_test_id("incident-state").first).to_have_text("Declared")
    expect(page.get_by_test_id("playbook-run")).to_contain_text("SIP trunk outage")
    expect(page.get_by_text("Opened by Prometheus (voice)").first).to_be_visible()

    # --- The same fingerprint resolves: the incident is contained, not closed. ---
    assert _post(url, samples.alertmanager("resolved", severity="error")) == 202
    page.goto(incident.get_absolute_url())
    expect(page.get_by_test_id("incident-state").first).to_have_text("Contained")
    assert Incident.objects.count() == 1
    page.goto("/integrations/")
    page.screenshot(path=SHOTS / "integrations-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / "integrations-390.png", full_page=True)
    page.goto("/integrations/alerts/")
    page.screenshot(path=SHOTS / "alerts-390.png", full_page=True)
