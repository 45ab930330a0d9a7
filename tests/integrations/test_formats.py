"""PagerDuty, Opsgenie, generic JSON and Statuspage through the intake endpoints."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from integrations.models import Alert, AlertGroup
from integrations.timeline import ALERT_ACKNOWLEDGED, ALERT_REFIRED, VENDOR_STATUS_UPDATE
from vendors import services as vendor_services

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def post_enqueue(client, django_capture_on_commit_callbacks):
    def post(payload):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("integration-pagerduty-enqueue"), payload,
                               content_type="application/json")
    return post


def test_pagerduty_trigger_acknowledge_resolve_with_a_dedup_key(make_integration, post_enqueue,
                                                                on_call_team):
    integration = make_integration("pagerduty", team=on_call_team, auto_resolve="resolve")
    key = integration.token
    response = post_enqueue(samples.pagerduty("trigger", routing_key=key))
    assert response.status_code == 202, response.content
    assert response.json()["dedup_key"] == "ivr-main-down"
    incident = Incident.objects.get()
    assert incident.severity.key == "SEV2"  # error → high
    alert = Alert.objects.get()
    assert alert.labels["component"] == "ivr" and alert.source == "ivr-main-01"

    assert post_enqueue(samples.pagerduty("acknowledge", routing_key=key)).status_code == 202
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert alert.severity == "high"  # an acknowledge says nothing of severity
    assert incident.timeline.filter(event=ALERT_ACKNOWLEDGED).exists()

    assert post_enqueue(samples.pagerduty("resolve", routing_key=key)).status_code == 202
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert Incident.objects.get().state == "resolved"
    assert Incident.objects.count() == 1


def test_pagerduty_trigger_without_a_dedup_key_gets_one_back(make_integration, post_enqueue):
    integration = make_integration("pagerduty")
    payload = samples.pagerduty(routing_key=integration.token)
    del payload["dedup_key"]
    response = post_enqueue(payload)
    assert response.status_code == 202
    assert Alert.objects.get().dedup_key == response.json()["dedup_key"]


def test_pagerduty_routing_key_of_another_kind_is_unknown(make_integration, post_enqueue):
    integration = make_integration("alertmanager")
    response = post_enqueue(samples.pagerduty(routing_key=integration.token))
    assert response.status_code == 404


def test_pagerduty_format_also_on_the_token_url(make_integration, post_alert):
    integration = make_integration("pagerduty")
    assert post_alert(integration, samples.pagerduty()).status_code == 202
    assert Incident.objects.count() == 1


def test_opsgenie_alias_deduplicates_and_priority_maps(make_integration, post_alert):
    integration = make_integration("opsgenie")
    post_alert(integration, samples.opsgenie(priority="P1"))
    post_alert(integration, samples.opsgenie(priority="P1"))
    alert = Alert.objects.get()
    assert (alert.dedup_key, alert.severity, alert.occurrences) == ("crm-sync-failing",
                                                                    "critical", 2)
    assert alert.labels["tags"] == "crm, sync"
    assert Incident.objects.get().severity.key == "SEV1"


def test_generic_json(make_integration, post_alert, on_call_team):
    integration = make_integration("generic", team=on_call_team)
    body = {"title": "Queue wait over 10 min", "dedup_key": "billing-wait",
            "severity": "high", "labels": {"queue": "billing"}}
    post_alert(integration, body)
    post_alert(integration, {**body, "status": "resolved"})
    assert Incident.objects.get().state == "contained"
    assert Alert.objects.get().status == "resolved"


def test_statuspage_created_updated_resolved_one_vendor_incident(make_integration, post_alert,
                                                                 manager, on_call_team):
    vendor = vendor_services.vendor_create(by=manager, name="Northwind Telecom",
                                           category="carrier")
    integration = make_integration("statuspage", vendor=vendor, team=on_call_team,
                                   auto_resolve="resolve")
    first = {"id": "u1", "status": "investigating", "body": "Investigating call failures.",
             "created_at": "2026-12-05T10:01:00Z"}
    second = {"id": "u2", "status": "identified", "body": "A fibre cut in London.",
              "created_at": "2026-12-05T10:20:00Z"}
    third = {"id": "u3", "status": "resolved", "body": "Traffic rerouted; resolved.",
             "created_at": "2026-12-05T11:30:00Z"}
    post_alert(integration, samples.statuspage("investigating", updates=[first]))
    incident = Incident.objects.get()
    assert incident.severity.key == "SEV2"  # major → high
    assert list(incident.vendor_attributions.values_list("vendor__name", flat=True)) == [
        "Northwind Telecom"]
    post_alert(integration, samples.statuspage("identified", updates=[first, second]))
    post_alert(integration, samples.statuspage("resolved", updates=[first, second, third]))
    assert Incident.objects.count() == 1
    incident.refresh_from_db()
    assert incident.state == "resolved"
    updates = [e.render() for e in incident.timeline.filter(event=VENDOR_STATUS_UPDATE)]
    assert updates == [
        "Northwind Telecom status page (investigating): Investigating call failures.",
        "Northwind Telecom status page (identified): A fibre cut in London.",
        "Northwind Telecom status page (resolved): Traffic rerouted; resolved."]
    group = AlertGroup.objects.get()
    # The vendor's own start and end, kept for reconciliation with our measured downtime.
    assert group.source_started_at == datetime(2026, 12, 5, 9, 55, tzinfo=UTC)
    assert group.source_ended_at == datetime(2026, 12, 5, 11, 30, tzinfo=UTC)


def test_statuspage_component_only_webhook_is_accepted_and_opens_nothing(make_integration,
                                                                         post_alert):
    integration = make_integration("statuspage")
    body = {"meta": {}, "page": {"id": "x"},
            "component_update": {"old_status": "operational", "new_status": "major_outage"}}
    assert post_alert(integration, body).status_code == 202
    assert not Incident.objects.exists()


def test_flapping_within_the_window_reopens_the_same_incident(make_integration, post_alert,
                                                              on_call_team):
    integration = make_integration(team=on_call_team, auto_resolve="resolve",
                                   flap_window=timedelta(minutes=30))
    with time_machine.travel(datetime(2026, 12, 5, 10, tzinfo=UTC), tick=False) as clock:
        post_alert(integration, samples.alertmanager("firing"))
        clock.shift(timedelta(minutes=5))
        post_alert(integration, samples.alertmanager("resolved"))
        assert Incident.objects.get().state == "resolved"
        clock.shift(timedelta(minutes=10))
        post_alert(integration, samples.alertmanager("firing"))
    incident = Incident.objects.get()
    assert incident.state == "triaged"  # reopened
    assert "reopened" in incident.timeline.get(event=ALERT_REFIRED).render()


def test_firing_again_after_the_window_opens_a_new_incident(make_integration, post_alert,
                                                            on_call_team):
    integration = make_integration(team=on_call_team, auto_resolve="resolve",
                                   flap_window=timedelta(minutes=30))
    with time_machine.travel(datetime(2026, 12, 5, 10, tzinfo=UTC), tick=False) as clock:
        post_alert(integration, samples.alertmanager("firing"))
        post_alert(integration, samples.alertmanager("resolved"))
        clock.shift(timedelta(hours=2))
        post_alert(integration, samples.alertmanager("firing"))
    assert Incident.objects.count() == 2
    assert AlertGroup.objects.get().incident == Incident.objects.order_by("-pk").first()


def test_firing_again_while_contained_is_written_on_the_same_incident(
        make_integration, post_alert, on_call_team):
    integration = make_integration(team=on_call_team, auto_resolve="contain")
    post_alert(integration, samples.alertmanager("firing"))
    post_alert(integration, samples.alertmanager("resolved"))
    post_alert(integration, samples.alertmanager("firing"))
    incident = Incident.objects.get()
    assert incident.state == "contained"
    assert "stays contained" in incident.timeline.get(event=ALERT_REFIRED).render()


@pytest.fixture
def post_opsgenie(client, django_capture_on_commit_callbacks):
    """POST to Opsgenie's own paths under the integration's URL (its api_url)."""
    def post(integration, path, payload=None, query=""):
        token = integration.token
        url = (reverse("integration-opsgenie-create", args=[token]) if path == "create"
               else reverse("integration-opsgenie-close", args=[token, path]) + query)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, payload, content_type="application/json")
    return post


def test_opsgenie_close_resolves_the_alert_and_contains_the_incident(
        make_integration, post_opsgenie, on_call_team):
    integration = make_integration("opsgenie", team=on_call_team)
    assert post_opsgenie(integration, "create", samples.opsgenie()).status_code == 202
    response = post_opsgenie(integration, "crm-sync-failing",
                             {"user": "alertmanager", "source": "am", "note": "Fixed"},
                             query="?identifierType=alias")
    assert response.status_code == 202, response.content
    alert = Alert.objects.get()
    assert alert.status == "resolved"
    assert alert.title == "CRM sync failing"  # a close says nothing of the title
    assert alert.severity == "high"
    assert Incident.objects.get().state == "contained"
    assert AlertGroup.objects.get().status == "resolved"


def test_opsgenie_close_shape_on_the_integration_url(make_integration, post_alert,
                                                     on_call_team):
    integration = make_integration("opsgenie", team=on_call_team, auto_resolve="resolve")
    post_alert(integration, samples.opsgenie())
    assert post_alert(integration, {"action": "close", "alias": "crm-sync-failing"}
                      ).status_code == 202
    assert Alert.objects.get().status == "resolved"
    assert Incident.objects.get().state == "resolved"


def test_opsgenie_close_needs_the_alias_identifier(make_integration, post_opsgenie, post_alert):
    integration = make_integration("opsgenie")
    response = post_opsgenie(integration, "abc", query="?identifierType=id")
    assert response.status_code == 400
    assert "identifierType" in response.json()["errors"]
    response = post_alert(integration, {"action": "close"})
    assert response.status_code == 400
    assert "alias" in response.json()["errors"]
    response = post_alert(integration, {"action": "snooze", "alias": "a"})
    assert "action" in response.json()["errors"]


def test_opsgenie_close_path_is_only_for_opsgenie_integrations(make_integration, post_opsgenie):
    integration = make_integration("alertmanager")
    assert post_opsgenie(integration, "abc").status_code == 404
