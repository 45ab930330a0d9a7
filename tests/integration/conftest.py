"""Real services: PostgreSQL, Redis and a Celery worker process.

Run by `make test` in its own pytest run with DATABASE_URL pointing at PostgreSQL
and CELERY_BROKER_URL at Redis. Without them the tests are skipped with the
reason printed; with CI=true a missing service fails the run instead.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from celery.result import allow_join_result
from django.conf import settings
from django.db import connection

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]


def _reachable(host, port):
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _tests_may_wait_for_results():
    """Every test here may block on a worker's result.

    Celery keeps "a task is running here" in a process-wide flag; an eager task or an
    in-process worker earlier in the run can leave it set, after which every ``.get()``
    is refused as a join inside a task. The tests are never inside a task.
    """
    with allow_join_result():
        yield


@pytest.fixture(scope="session", autouse=True)
def _require_services():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        skip_or_fail("integration tests need DATABASE_URL=postgres://… (run `make test`)")
    if not _reachable(database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)):
        where = f"{database.get('HOST')}:{database.get('PORT')}"
        skip_or_fail(f"PostgreSQL is not reachable at {where}")
    broker = urlparse(settings.CELERY_BROKER_URL)
    if broker.scheme != "redis":
        skip_or_fail("integration tests need CELERY_BROKER_URL=redis://… (run `make test`)")
    if not _reachable(broker.hostname or "127.0.0.1", broker.port or 6379):
        skip_or_fail(f"Redis is not reachable at {broker.hostname}:{broker.port}")


def _database_url():
    """The URL of the test database pytest-django created, for the worker process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path, monkeypatch):
    """A real `celery worker` process on the test database and the Redis broker."""
    from config.celery import app

    # The unit-test settings run tasks in-process; here they must go to the worker.
    monkeypatch.setitem(app.conf, "task_always_eager", False)

    app.control.purge()  # nothing left over from an earlier run
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    with log_path.open("w") as log:
        worker = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
             "--loglevel", "INFO", "--without-mingle", "--without-gossip",
             "--hostname", f"it-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            yield worker
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    print(log_path.read_text()[-3000:])  # shown by pytest when a test fails
