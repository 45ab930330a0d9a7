"""The intake endpoints: token auth only, 202 after storing, 400 naming the field, 404,
410, 413, the optional HMAC, and nothing stored for a refused payload."""

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from integrations import services
from integrations.models import InboundEvent

from . import samples

pytestmark = pytest.mark.django_db


def _errors(response):
    body = response.json()
    assert body["status"] == response.status_code
    return body["errors"]


@pytest.mark.parametrize(("kind", "payload", "field"), [
    ("alertmanager", {"version": "4", "status": "firing"}, "alerts"),
    ("alertmanager", samples.alertmanager() | {"status": "burning"}, "status"),
    ("alertmanager", samples.alertmanager(alerts=[{"status": "firing", "labels": []}]),
     "alerts[0].labels"),
    ("alertmanager", samples.alertmanager(alerts=[{"status": "firing",
                                                   "startsAt": "yesterday"}]),
     "alerts[0].startsAt"),
    ("alertmanager", samples.alertmanager() | {"version": "3"}, "version"),
    ("grafana", samples.alertmanager(), "version"),
    ("pagerduty", {"routing_key": "k", "event_action": "trigger"}, "payload"),
    ("pagerduty", samples.pagerduty(severity="fatal"), "payload.severity"),
    ("pagerduty", {"routing_key": "k", "event_action": "resolve"}, "dedup_key"),
    ("pagerduty", samples.pagerduty() | {"dedup_key": "x" * 256}, "dedup_key"),
    ("pagerduty", samples.pagerduty() | {"event_action": "explode"}, "event_action"),
    ("opsgenie", {"alias": "a"}, "message"),
    ("opsgenie", samples.opsgenie() | {"message": "x" * 131}, "message"),
    ("opsgenie", samples.opsgenie(priority="P9"), "priority"),
    ("generic", {"severity": "high"}, "title"),
    ("statuspage", {"incident": {"id": "x", "name": "n", "status": "on fire"}},
     "incident.status"),
    ("statuspage", [], "body"),
])
def test_a_bad_payload_is_a_400_naming_the_field_and_nothing_is_stored(
        make_integration, post_alert, kind, payload, field):
    integration = make_integration(kind)
    response = post_alert(integration, payload)
    assert response.status_code == 400, response.content
    assert field in _errors(response), _errors(response)
    assert not InboundEvent.objects.exists()


def test_not_json_is_a_400_naming_the_body(make_integration, client):
    integration = make_integration()
    response = client.post(reverse("integration-intake", args=[integration.token]), "{nope",
                           content_type="application/json")
    assert response.status_code == 400
    assert "body" in _errors(response)


def test_an_unknown_token_is_a_404(db, post_alert):
    assert post_alert("sbi_no-such-token", samples.alertmanager()).status_code == 404


def test_a_disabled_integration_is_a_410_and_stores_nothing(make_integration, post_alert,
                                                            manager):
    integration = make_integration()
    services.integration_set_enabled(integration=integration, by=manager, enabled=False)
    response = post_alert(integration, samples.alertmanager())
    assert response.status_code == 410
    assert response.json()["code"] == "gone"
    assert not InboundEvent.objects.exists()


def test_a_body_over_the_limit_is_a_413(make_integration, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    integration = make_integration()
    payload = samples.alertmanager(summary="x" * 2000)
    response = client.post(reverse("integration-intake", args=[integration.token]), payload,
                           content_type="application/json")
    assert response.status_code == 413


def test_a_rotated_token_stops_the_old_url(make_integration, post_alert, manager):
    integration = make_integration()
    old = integration.token
    _, new = services.integration_rotate_token(integration=integration, by=manager)
    assert post_alert(old, samples.alertmanager()).status_code == 404
    assert post_alert(new, samples.alertmanager()).status_code == 202


def test_the_token_is_stored_only_as_a_hash(make_integration):
    integration = make_integration()
    integration.refresh_from_db()
    assert integration.token not in (integration.token_hash, integration.token_hint)
    assert integration.token_hash == hashlib.sha256(integration.token.encode()).hexdigest()


def test_hmac_signed_requests(make_integration, client, django_capture_on_commit_callbacks):
    integration = make_integration(hmac_secret="s3cret")
    body = json.dumps(samples.alertmanager()).encode()
    url = reverse("integration-intake", args=[integration.token])
    unsigned = client.post(url, body, content_type="application/json")
    assert unsigned.status_code == 401
    wrong = client.post(url, body, content_type="application/json",
                        HTTP_X_SWITCHBOARD_SIGNATURE="sha256=00")
    assert wrong.status_code == 401
    signature = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    with django_capture_on_commit_callbacks(execute=True):
        signed = client.post(url, body, content_type="application/json",
                             HTTP_X_SWITCHBOARD_SIGNATURE=signature)
    assert signed.status_code == 202


def test_no_session_and_no_csrf_needed(make_integration, django_capture_on_commit_callbacks):
    from django.test import Client

    integration = make_integration()
    strict = Client(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = strict.post(reverse("integration-intake", args=[integration.token]),
                               samples.alertmanager(), content_type="application/json")
    assert response.status_code == 202


def test_the_row_is_stored_before_processing_and_the_sweep_processes_it(make_integration,
                                                                        client):
    """A lost task (the on-commit callback never runs here) leaves a pending row that the
    sweep processes once its grace has passed."""
    from datetime import timedelta

    from django.utils import timezone

    from integrations.sweeps import inbound_events_sweep

    integration = make_integration()
    response = client.post(reverse("integration-intake", args=[integration.token]),
                           samples.alertmanager(), content_type="application/json")
    assert response.status_code == 202
    event = InboundEvent.objects.get()
    assert event.status == "pending" and event.payload["groupKey"]
    assert inbound_events_sweep().get("rows", 0) == 0
    event.refresh_from_db()
    assert event.status == "pending"  # still within its grace
    totals = inbound_events_sweep(now=timezone.now() + timedelta(minutes=3))
    assert totals["rows"] == 1
    event.refresh_from_db()
    assert event.status == "processed"
    assert event.alerts.count() == 1
