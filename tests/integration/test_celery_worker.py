"""A real Celery worker runs our tasks against PostgreSQL through Redis."""

import pytest
from django.db import connection

from core.health import heartbeat_status
from core.models import WorkerHeartbeat
from core.tasks import heartbeat

pytestmark = pytest.mark.integration


def test_worker_runs_the_heartbeat_task_and_writes_to_postgresql(celery_worker_process):
    assert connection.vendor == "postgresql"

    # Blocks until the worker process has run the task (or fails after 60 s).
    hostname = heartbeat.delay().get(timeout=60)

    beat = WorkerHeartbeat.objects.get(name="celery")
    assert beat.hostname == hostname
    assert heartbeat_status()["state"] == "ok"


def test_health_endpoint_reports_postgresql_redis_and_the_worker(celery_worker_process, client):
    heartbeat.delay().get(timeout=60)

    response = client.get("/api/health/")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "healthy": True,
        "database": {"ok": True},
        "broker": {"ok": True},
        "worker": {**body["worker"], "state": "ok"},
    }
