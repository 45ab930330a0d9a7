"""A worker killed mid-burst loses no accepted alert.

Every payload answered 202 is a row before the answer; the task processing it may die
with its worker (kill -9), and the sweep (``integrations.sweeps``, on the rows'
``process_due_at``) processes whatever is left once its grace has passed. At the end
every accepted payload is processed exactly once: each alert counts exactly the
payloads that named it, and each group has one incident.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from integrations import services
from integrations.models import Alert, AlertGroup, InboundEvent
from integrations.sweeps import inbound_events_sweep
from tests.integration.conftest import ROOT, _database_url
from tests.integrations import samples

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BURST = 400
GROUPS = 5


def _start_worker(log_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test",
           "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
           "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND
           or settings.CELERY_BROKER_URL, "CELERY_TASK_ALWAYS_EAGER": "false"}
    log = log_path.open("a")
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--loglevel", "WARNING", "--without-mingle", "--without-gossip",
         "--hostname", f"intake-{os.getpid()}-{time.monotonic_ns()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return process


def _payload(n):
    group = n % GROUPS
    # 90 % repeats of a few fingerprints; every fifth message of a group resolves it.
    status = "resolved" if n % 10 == 9 else "firing"
    return samples.alertmanager(status, group_key=f"group-{group}",
                                fingerprint=f"fp-{group}-{n % 2}")


def test_a_worker_killed_mid_burst_loses_no_accepted_alert(manager, tmp_path, monkeypatch):
    from config.celery import app

    assert connection.vendor == "postgresql"
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    app.control.purge()
    log_path = tmp_path / "worker.log"
    integration, token = services.integration_create(by=manager, name="Burst",
                                                     kind="alertmanager")
    url = reverse("integration-intake", args=[token])
    client = Client()
    worker = _start_worker(log_path)
    accepted = Counter()
    killed_at = None
    try:
        for n in range(BURST):
            response = client.post(url, _payload(n), content_type="application/json")
            assert response.status_code == 202, response.content
            accepted[_payload(n)["alerts"][0]["fingerprint"]] += 1
            if killed_at is None and n > BURST // 3:
                # Wait until the worker has processed some, then kill -9 mid-burst.
                deadline = time.monotonic() + 60
                while InboundEvent.objects.filter(status="processed").count() < 20:
                    assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                    time.sleep(0.05)
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
                killed_at = InboundEvent.objects.filter(status="processed").count()
        pending = InboundEvent.objects.filter(status="pending").count()
        assert pending > 0, "nothing was left when the worker died: make BURST larger"
        # A new worker drains what is still queued; the sweep takes what died with the old.
        worker = _start_worker(log_path)
        deadline = time.monotonic() + 240
        while InboundEvent.objects.filter(status="pending").exists():
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            inbound_events_sweep(now=timezone.now() + timedelta(minutes=3))
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    assert InboundEvent.objects.count() == BURST
    assert InboundEvent.objects.filter(status="processed").count() == BURST
    occurrences = dict(Alert.objects.values_list("dedup_key", "occurrences"))
    assert occurrences == dict(accepted)  # each payload counted exactly once
    assert AlertGroup.objects.count() == GROUPS
    for group in AlertGroup.objects.all():
        assert group.incident is not None
    assert Incident.objects.count() == GROUPS  # re-fires went to the same open incidents
    print(f"killed after {killed_at} of {BURST} processed; {pending} pending at the kill; "
          f"{Incident.objects.count()} incidents for {GROUPS} groups")
