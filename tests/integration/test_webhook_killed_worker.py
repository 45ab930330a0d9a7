"""A worker killed mid-delivery loses no webhook: once a worker runs again, every
delivery reaches the real receiver, signed, and is marked delivered.

The receiver answers slowly, so the kill (SIGKILL to the worker's process group)
lands while a POST is in flight. That delivery stays claimed until its lease ends
(``WEBHOOK_LEASE_SECONDS``, short here), then the outbox sweep sends it again with
the same webhook-id; the task messages the dead worker never ran are the sweep's
too. At least once, never zero times.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from celery.result import allow_join_result
from django.conf import settings
from django.db import connection
from standardwebhooks.webhooks import Webhook

from core.choices import Role
from incidents.models import Severity
from incidents.services import incident_declare
from integrations.webhooks import services
from integrations.webhooks.choices import DeliveryStatus
from integrations.webhooks.models import WebhookDelivery
from integrations.webhooks.tasks import send_webhook_deliveries
from tests.factories import UserFactory
from tests.integration.conftest import ROOT, _database_url
from tests.webhooks.receiver import start_receiver

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

INCIDENTS = 25
LEASE_SECONDS = 3


def _start_worker(log_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WEBHOOK_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    log = log_path.open("a")
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--loglevel", "INFO", "--without-mingle", "--without-gossip",
         "--hostname", f"webhooks-{os.getpid()}-{time.monotonic_ns()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return process


def test_a_worker_killed_mid_delivery_loses_no_webhook(tmp_path, monkeypatch):
    from config.celery import app

    assert connection.vendor == "postgresql"
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    app.control.purge()
    log_path = tmp_path / "worker.log"
    receiver = start_receiver()
    receiver.delay = 0.3  # slow enough that the kill catches a POST in flight
    manager = UserFactory(username="maria", roles=[Role.MANAGER], is_staff=True)
    responder = UserFactory(username="ravi", roles=[Role.INCIDENT_RESPONDER])
    subscription = services.subscription_create(
        by=manager, name="Desk", url=receiver.url, event_types=["incident.declared"],
        allow_private_addresses=True)
    sev3 = Severity.objects.get(key="SEV3")

    for n in range(INCIDENTS):
        # Each declaration commits and queues its delivery's task on commit; they wait
        # in Redis until a worker starts.
        incident_declare(by=responder, title=f"Queue {n} not answering", severity=sev3)
    worker = _start_worker(log_path)
    try:
        deadline = time.monotonic() + 120
        while len(receiver.requests) < 5:
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.02)
        in_flight = len(receiver.requests)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        left = WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).count()
        assert left > 0, "every delivery finished before the kill: add incidents"

        worker = _start_worker(log_path)
        deadline = time.monotonic() + 180
        while WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists():
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            # What beat does every WEBHOOK_OUTBOX_INTERVAL_SECONDS: sweep the outbox.
            # Another test may have run a worker in this process, after which Celery
            # treats every .get() as a join inside a task: this one is the test's own.
            with allow_join_result():
                send_webhook_deliveries.delay().get(timeout=120)
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        receiver.stop()

    deliveries = list(WebhookDelivery.objects.all())
    assert len(deliveries) == INCIDENTS
    assert all(d.status == DeliveryStatus.DELIVERED for d in deliveries)
    seen = Counter(r.headers["webhook-id"] for r in receiver.requests)
    assert set(seen) == {d.event_id for d in deliveries}
    # Only a POST cut short by the kill may arrive twice (same webhook-id: droppable).
    assert sum(seen.values()) - len(seen) <= 1
    for request in receiver.requests:
        Webhook(subscription.secret).verify(request.body, request.headers)
    print(f"killed after {in_flight} requests with {left} of {INCIDENTS} undelivered; "
          f"{len(receiver.requests)} requests, {len(seen)} distinct webhook-ids, all delivered")
