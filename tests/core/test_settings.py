"""Settings: production configuration is deploy-clean, defaults are safe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "SECRET_KEY": "k8Jq-" + "production-like-random-value-" * 2 + "Zx91",
    "ALLOWED_HOSTS": "switchboard.example.com",
    "DATABASE_URL": "postgres://switchboard@127.0.0.1:5432/switchboard",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    # Throttles and lock-outs must be counted in a cache every web process shares.
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "DEBUG",
                    env={**PRODUCTION_ENV, "SWITCHBOARD_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_when_the_cache_is_private_to_each_process(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CACHE_URL"}
    result = manage("check", "--deploy", env={**env, "SWITCHBOARD_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr  # a warning, not an error
    assert "(switchboard.W001) The default cache is LocMemCache" in result.stderr
    assert "System check identified 1 issue (0 silenced)." in result.stderr


@pytest.mark.parametrize(
    ("variables", "expected"),
    [({}, "0"), ({"TRUSTED_PROXY_COUNT": "1"}, "1"),
     ({"AXES_PROXY_COUNT": "2"}, "2")],  # the deprecated name still works
)
def test_one_variable_sets_the_trusted_proxies_for_axes_drf_and_logs(tmp_path, variables,
                                                                     expected):
    code = ("from django.conf import settings; "
            "print(settings.TRUSTED_PROXY_COUNT, settings.REST_FRAMEWORK['NUM_PROXIES'], "
            "settings.AXES_CLIENT_IP_CALLABLE)")
    result = manage("shell", "-c", code,
                    env={"DEBUG": "true", "SWITCHBOARD_VAR_DIR": str(tmp_path), **variables})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [expected, expected,
                                                      "core.client_ip.client_ip"]


def test_private_ics_networks_and_the_csp_report_address_come_from_the_environment(tmp_path):
    code = ("from django.conf import settings; "
            "print(settings.ICS_ALLOW_PRIVATE_NETWORKS, "
            "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['report-uri'])")
    base = {"DEBUG": "true", "SWITCHBOARD_VAR_DIR": str(tmp_path)}
    result = manage("shell", "-c", code, env={
        **base, "ICS_ALLOW_PRIVATE_NETWORKS": "10.20.0.0/16, 192.168.1.5",
        "CSP_REPORT_URI": "https://csp.example.com/report"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "['10.20.0.0/16', '192.168.1.5'] https://csp.example.com/report")

    result = manage("check", env={**base, "ICS_ALLOW_PRIVATE_NETWORKS": "intranet"})
    assert result.returncode != 0
    assert "ICS_ALLOW_PRIVATE_NETWORKS: 'intranet' is not true, false or a network" \
        in result.stderr


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    result = manage("check", env={"ALLOWED_HOSTS": "x", "SWITCHBOARD_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_development_key_is_generated_outside_the_repository(tmp_path):
    result = manage("check", env={"DEBUG": "true", "SWITCHBOARD_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "dev-secret-key"
    assert len(key_file.read_text()) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_time_is_stored_aware():
    assert settings.USE_TZ is True


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("task_acks_late", True),
        ("task_reject_on_worker_lost", True),
        ("worker_prefetch_multiplier", 1),
        ("timezone", "UTC"),
    ],
)
def test_celery_reads_our_settings_under_their_exact_names(option, expected):
    # A misspelled CELERY_* setting is silently ignored; this catches it.
    assert celery_app.conf[option] == expected


def test_heartbeat_is_on_the_static_beat_schedule():
    schedule = celery_app.conf.beat_schedule
    assert schedule["worker-heartbeat"]["task"] == "core.tasks.heartbeat"
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert "core.tasks.heartbeat" in celery_app.tasks


def test_a_403_is_one_log_line_and_a_500_keeps_its_traceback():
    import logging
    import sys

    from core.client_ip import QuietClientErrors

    def record(status):
        try:
            raise PermissionError("no")
        except PermissionError:
            entry = logging.LogRecord("django.request", logging.WARNING, __file__, 1,
                                      "Forbidden", None, sys.exc_info())
        entry.status_code = status
        QuietClientErrors().filter(entry)
        return logging.Formatter().format(entry)

    assert record(403) == "Forbidden"
    assert "Traceback" in record(500)


def test_without_an_email_url_each_email_is_a_file_and_one_log_line(settings, tmp_path,
                                                                    caplog):
    from django.core.mail import send_mail

    settings.EMAIL_BACKEND = "core.mail_backends.MailFolderBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    with caplog.at_level("INFO", logger="core.mail_backends"):
        send_mail("INC-2026-0001 declared", "Body", None, ["maria@example.com"])
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1 and b"Subject: INC-2026-0001 declared" in files[0].read_bytes()
    assert caplog.messages == [f"Email to maria@example.com: INC-2026-0001 declared "
                               f"({files[0]})"]
