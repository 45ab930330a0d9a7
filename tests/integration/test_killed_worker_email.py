"""A worker killed mid-sweep loses no email: after a restart each is sent exactly once.

Before the outbox, the sweep queued each chunk's email tasks after the chunk
committed; a worker killed in between left those notifications unsent forever. Now
the notification row is the truth and the outbox sweep sends whatever is due.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from celery.result import allow_join_result
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.clocks import clock_start
from core.models import EmailStatus, Notification, SlaClock
from core.tasks import send_email_outbox, sweep_sla_clocks
from tests.factories import UserFactory
from tests.integration.conftest import ROOT, _database_url
from tests.testapp.models import Ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CLOCKS = 600


def _start_worker(log_path, mail_dir):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"filemail:///{mail_dir}",
        # Chunks of 100: the kill must land between chunks of the 600 clocks.
        "SLA_SWEEP_CHUNK_SIZE": "100",
    }
    log = log_path.open("a")
    process = subprocess.Popen(  # noqa: S603 - our own command line
        # solo: one task at a time, so a kill during the sweep cannot also cut an
        # email send in half (that window is the one way to send a mail twice).
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--loglevel", "INFO", "--without-mingle", "--without-gossip",
         "--hostname", f"kill-{os.getpid()}-{time.monotonic_ns()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return process


def _subjects(mail_dir):
    return [line.removeprefix("Subject: ").strip()
            for path in mail_dir.iterdir()
            for line in path.read_text().splitlines() if line.startswith("Subject: ")]


def test_a_worker_killed_mid_sweep_loses_no_email(tmp_path, monkeypatch):
    from config.celery import app

    assert connection.vendor == "postgresql"
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    app.control.purge()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"

    owner = UserFactory(username="owner", email="owner@example.com")
    started = timezone.now() - timedelta(hours=2)  # 50 %, 75 % and breach all due now
    for n in range(CLOCKS):
        ticket = Ticket.objects.create(title=f"Complaint {n}", owner=owner)
        clock_start(owner=ticket, kind="testapp.response", target=timedelta(hours=1),
                    by=owner, at=started)

    worker = _start_worker(log_path, mail_dir)
    try:
        sweep_sla_clocks.delay()
        # Kill -9 once some chunks have committed their notifications, mid-sweep.
        deadline = time.monotonic() + 120
        while not Notification.objects.exists():
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.05)
        still_due = SlaClock.objects.filter(next_action_at__lte=timezone.now()).count()
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        assert still_due > 0, "the sweep finished before the kill: make CLOCKS larger"
        killed_with = Notification.objects.count()
        assert 0 < killed_with < 3 * CLOCKS

        worker = _start_worker(log_path, mail_dir)
        # Another test may have run a worker in this process, after which Celery treats
        # every .get() as a join inside a task: these joins are the test's own.
        with allow_join_result():
            sweep_sla_clocks.delay().get(timeout=300)
            deadline = time.monotonic() + 120
            while Notification.objects.filter(email_status=EmailStatus.PENDING).exists():
                assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                send_email_outbox.delay().get(timeout=120)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    titles = list(Notification.objects.values_list("title", flat=True))
    assert len(titles) == 3 * CLOCKS  # two warnings and a breach per clock
    assert Notification.objects.filter(email_status=EmailStatus.SENT).count() == 3 * CLOCKS
    subjects = _subjects(mail_dir)
    assert sorted(subjects) == sorted(f"[Switchboard] {title}" for title in titles)
    print(f"killed with {killed_with} of {3 * CLOCKS} notifications written; "
          f"{len(subjects)} emails, each once")
