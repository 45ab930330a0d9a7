"""Polling a vendor's public Statuspage JSON: the same path as a webhook, only new or
changed incidents, and no private addresses unless allowed (SSRF)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from incidents.models import Incident
from integrations.models import InboundEvent, Integration
from integrations.status_pages import status_pages_poll
from integrations.timeline import VENDOR_STATUS_UPDATE

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def status_server():
    """A local server answering /api/v2/incidents.json with what the test puts in it."""
    state = {"incidents": [], "hits": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            state["hits"] += 1
            if self.path != "/api/v2/incidents.json":
                self.send_response(404)
                self.end_headers()
                return
            body = json.dumps({"page": {"id": "p"}, "incidents": state["incidents"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()
    server.server_close()


def _poll_now(integration):
    Integration.objects.filter(pk=integration.pk).update(poll_next_at=timezone.now())
    return status_pages_poll()


def test_polling_is_off_by_default(make_integration):
    integration = make_integration("statuspage")
    assert integration.poll_enabled is False and integration.poll_next_at is None
    assert status_pages_poll() == {"polled": 0, "accepted": 0, "failed": 0}


def test_only_statuspage_integrations_poll(make_integration):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        make_integration("alertmanager", poll_enabled=True, poll_url="https://x.example")
    assert "poll_enabled" in refused.value.message_dict


def test_a_polled_incident_opens_once_and_its_updates_follow(
        make_integration, status_server, django_capture_on_commit_callbacks, settings):
    settings.ICS_ALLOW_PRIVATE_NETWORKS = True  # the test's server is on 127.0.0.1
    integration = make_integration("statuspage", poll_enabled=True,
                                   poll_url=status_server["url"])
    first = {"id": "u1", "status": "investigating", "body": "Investigating.",
             "created_at": "2026-12-05T10:01:00Z"}
    status_server["incidents"] = [samples.statuspage(updates=[first])["incident"]]
    def poll():
        # Each poll's payloads are processed (their tasks run) before the next poll.
        with django_capture_on_commit_callbacks(execute=True):
            return _poll_now(integration)["accepted"]

    assert poll() == 1
    assert poll() == 0  # nothing new: nothing stored
    second = {**first, "id": "u2", "body": "Fixed the trunk."}
    status_server["incidents"] = [samples.statuspage("resolved",
                                                     updates=[first, second])["incident"]]
    assert poll() == 1
    assert InboundEvent.objects.count() == 2
    incident = Incident.objects.get()
    assert incident.timeline.filter(event=VENDOR_STATUS_UPDATE).count() == 2


def test_a_private_address_is_refused_unless_allowed(make_integration, status_server,
                                                     settings):
    settings.ICS_ALLOW_PRIVATE_NETWORKS = False
    integration = make_integration("statuspage", poll_enabled=True,
                                   poll_url=status_server["url"])
    totals = _poll_now(integration)
    assert totals["failed"] == 1
    assert status_server["hits"] == 0  # never reached
    integration.refresh_from_db()
    assert "private" in integration.last_error.lower() or "not" in integration.last_error
    assert not InboundEvent.objects.exists()
