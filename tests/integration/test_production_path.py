"""The README's production deployment, run as written, from the production lock file.

A fresh virtualenv gets *only* ``requirements/base.txt`` (the test lock file once
hid a missing dependency of kombu's Redis transport). Then the README's commands —
``check --deploy``, ``migrate``, ``collectstatic``, ``createsuperuser``, gunicorn
with several workers, a Celery worker and beat — run on PostgreSQL and Redis, and
a declaration through the API must page people by email. A second web node whose
broker is unreachable must still answer 201, and its email must still go out: the
outbox sweep on the healthy worker sends it.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "production-path-Passw0rd!"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def production_venv(tmp_path_factory):
    """A virtualenv with nothing but the production lock file installed."""
    venv = tmp_path_factory.mktemp("production") / "venv"
    python = shutil.which("python3.11") or sys.executable
    subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True)  # noqa: S603
    uv = Path(sys.executable).parent / "uv"
    subprocess.run(  # noqa: S603 - our own lock file
        [str(uv), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         "-r", str(ROOT / "requirements" / "base.txt")],
        check=True, timeout=600,
    )
    return venv / "bin"


@pytest.fixture(scope="module")
def production_database():
    """An empty PostgreSQL database of its own, as a new installation has."""
    db = settings.DATABASES["default"]
    name = f"{db['NAME'].removeprefix('test_')}_production_path"
    admin = psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                            user=db["USER"], password=db["PASSWORD"] or None,
                            dbname="postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="module")
def production_env(production_database, tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    mail = var / "mail"
    mail.mkdir()
    redis = settings.CELERY_BROKER_URL.rsplit("/", 1)[0]
    env = {
        "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(var)),
        "SECRET_KEY": "prod-path-" + "x9Kq2" * 10,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": production_database,
        "CELERY_BROKER_URL": f"{redis}/9",
        "CACHE_URL": f"{redis}/10",
        "EMAIL_URL": f"filemail:///{mail}",
        "TRUST_X_FORWARDED_PROTO": "true",
        "SWITCHBOARD_VAR_DIR": str(var),
        "EMAIL_OUTBOX_INTERVAL_SECONDS": "3",
        "HEARTBEAT_INTERVAL_SECONDS": "5",
    }
    # The deployment's broker database is its own: a queue left there by another run
    # would keep its worker busy for minutes before the heartbeat.
    import redis as redis_client

    redis_client.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
    return env, mail


def _run(bin_dir, *args, env, timeout=300):
    result = subprocess.run(  # noqa: S603 - the README's commands
        [str(bin_dir / "python"), "manage.py", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}{result.stderr[-3000:]}"
    return result.stdout


class Http:
    def __init__(self, port, token=None):
        self.base = f"http://127.0.0.1:{port}"
        self.token = token

    def call(self, method, path, body=None):
        headers = {"X-Forwarded-Proto": "https", "Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        request = urllib.request.Request(  # noqa: S310 - loopback test server
            self.base + path, method=method, headers=headers,
            data=json.dumps(body).encode() if body is not None else None)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        return status, (json.loads(text) if text.startswith(("{", "[")) else text), (
            time.monotonic() - started)


def _wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (OSError, urllib.error.URLError) as exc:
            last = exc
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}: {last!r}")


def _mail_subjects(folder):
    return [line.removeprefix("Subject: ").strip()
            for path in sorted(folder.iterdir())
            for line in path.read_text().splitlines() if line.startswith("Subject: ")]


@pytest.fixture(scope="module")
def running(production_venv, production_env, tmp_path_factory):
    """The README's deployment: set up, then web (2 workers), worker and beat."""
    assert connection.vendor == "postgresql"
    env, mail = production_env
    bin_dir = production_venv
    checked = _run(bin_dir, "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert "no issues" in checked
    # Generous: every app's migrations on a busy CI machine (seen at 300 s under load).
    _run(bin_dir, "migrate", "--noinput", env=env, timeout=900)
    _run(bin_dir, "collectstatic", "--noinput", env=env)
    _run(bin_dir, "createsuperuser", "--noinput", "--username", "admin",
         "--email", "admin@example.com",
         env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
    _run(bin_dir, "shell", "-c",
         "from django.contrib.auth.models import Group, User;"
         "u = User.objects.create_user('maria', 'maria@example.com', 'x');"
         "u.groups.add(Group.objects.get(name='Manager'))", env=env)

    logs = tmp_path_factory.mktemp("logs")
    port, dead_broker_port = _free_port(), _free_port()
    commands = {
        "web": [str(bin_dir / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
                "--worker-class", "gthread", "--workers", "2", "--threads", "8"],
        "worker": [str(bin_dir / "celery"), "-A", "config", "worker", "--loglevel", "INFO",
                   "--concurrency", "2"],
        "beat": [str(bin_dir / "celery"), "-A", "config", "beat", "--loglevel", "INFO"],
        # A second web node that cannot reach the broker (its Redis is down).
        "web-no-broker": [str(bin_dir / "gunicorn"), "config.wsgi", "--bind",
                          f"127.0.0.1:{dead_broker_port}", "--workers", "1"],
    }
    processes, log_files = {}, []
    try:
        for name, command in commands.items():
            node_env = dict(env)
            if name == "web-no-broker":
                node_env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{_free_port()}/0"
            log = (logs / f"{name}.log").open("w")
            log_files.append(log)
            processes[name] = subprocess.Popen(  # noqa: S603 - the README's commands
                command, cwd=ROOT, env=node_env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        for web_port in (port, dead_broker_port):
            _wait_for(lambda p=web_port: Http(p).call("GET", "/api/health/")[0] in (200, 503),
                      timeout=60, what=f"gunicorn on port {web_port}")
        yield {"web": Http(port), "web-no-broker": Http(dead_broker_port), "mail": mail,
               "logs": logs}
    finally:
        for process in processes.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for log in log_files:
            log.close()
        for log in sorted(logs.iterdir()):
            print(f"--- {log.name}\n{log.read_text()[-2500:]}")


def test_the_production_lock_file_alone_has_every_transport_and_backend(production_venv):
    modules = ["kombu.transport.redis", "redis", "psycopg", "gunicorn", "whitenoise",
               "django.core.cache.backends.redis", "celery.backends.redis"]
    result = subprocess.run(  # noqa: S603
        [str(production_venv / "python"), "-c", f"import {', '.join(modules)}"],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_the_readme_deployment_serves_health_and_pages_people_by_email(running):
    web = running["web"]
    status, token, _ = web.call("POST", "/api/auth/token/",
                                {"username": "admin", "password": PASSWORD})
    assert status == 200, token
    web.token = token["token"]

    health = _wait_for(
        lambda: (lambda s, b, _: b if s == 200 and b["worker"]["state"] == "ok" else None)(
            *web.call("GET", "/api/health/")),
        timeout=90, what="a healthy report with a live worker")
    assert health["healthy"] is True
    assert health["broker"]["ok"] is True

    status, incident, _ = web.call("POST", "/api/incidents/",
                                   {"title": "Carrier SIP trunk down", "severity": "SEV1"})
    assert status == 201, incident

    subject = f"[Switchboard] SEV1 declared: {incident['title']}"
    _wait_for(lambda: subject in _mail_subjects(running["mail"]), timeout=60,
              what="the paging email")


def test_a_web_node_without_its_broker_answers_201_and_the_email_still_goes_out(running):
    web, lonely = running["web"], running["web-no-broker"]
    status, token, _ = web.call("POST", "/api/auth/token/",
                                {"username": "admin", "password": PASSWORD})
    lonely.token = token["token"]

    status, incident, took = lonely.call("POST", "/api/incidents/",
                                         {"title": "IVR menu loops", "severity": "SEV2"})

    assert status == 201, incident  # once: a client need not retry and duplicate it
    assert took < 10
    # The email task could not be queued; the outbox sweep on the healthy worker
    # finds the notification row and sends it.
    subject = f"[Switchboard] SEV2 declared: {incident['title']}"
    _wait_for(lambda: subject in _mail_subjects(running["mail"]), timeout=60,
              what="the email sent by the outbox sweep")
    assert _mail_subjects(running["mail"]).count(subject) == 1
