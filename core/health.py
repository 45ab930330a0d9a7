"""Is Switchboard able to work? Database, broker and background worker checks."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import WorkerHeartbeat

HEARTBEAT_NAME = "celery"


def check_database(conn=None):
    """``(ok, detail)`` after a trivial query on ``conn`` (the default database)."""
    conn = conn or connection
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; we report it.
        return False, f"{type(exc).__name__}: {exc}"
    return True, conn.vendor


def check_broker(timeout=2.0):
    """``(ok, detail)`` after opening a connection to the Celery broker."""
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            uri = conn.as_uri()  # password masked
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; we report it.
        return False, f"{type(exc).__name__}: {exc}"
    return True, uri


def record_heartbeat(hostname=""):
    """Called by the beat-scheduled heartbeat task on a worker."""
    WorkerHeartbeat.objects.update_or_create(
        name=HEARTBEAT_NAME, defaults={"beat_at": timezone.now(), "hostname": hostname}
    )


def heartbeat_status(now=None):
    """``{"state": "ok" | "stale" | "never", "last_beat_at": ..., "age_seconds": ...}``.

    Stale after three missed intervals: one late beat is normal under load.
    """
    now = now or timezone.now()
    beat = WorkerHeartbeat.objects.filter(name=HEARTBEAT_NAME).first()
    if beat is None:
        return {"state": "never", "last_beat_at": None, "age_seconds": None}
    age = now - beat.beat_at
    limit = timedelta(seconds=3 * settings.HEARTBEAT_INTERVAL_SECONDS)
    return {
        "state": "ok" if age <= limit else "stale",
        "last_beat_at": beat.beat_at.isoformat(),
        "age_seconds": int(age.total_seconds()),
        "hostname": beat.hostname,
    }


def may_see_health_details(user) -> bool:
    """Host names, the broker's address and error texts are for the people who run
    Switchboard (staff, Managers): the endpoint itself is open to load balancers."""
    from .choices import Role

    return user.is_authenticated and (
        user.is_staff or user.is_superuser or user.groups.filter(name=Role.MANAGER).exists()
    )


def health_report_for(user):
    """:func:`system_health`, without the details ``user`` may not see."""
    report = system_health()
    if not may_see_health_details(user):
        for part in ("database", "broker"):
            report[part].pop("detail", None)
        report["worker"].pop("hostname", None)
        report.pop("email", None)
    return report


def system_health():
    """The health report the API serves; ``healthy`` is False when DB or broker is down."""
    db_ok, db_detail = check_database()
    broker_ok, broker_detail = check_broker()
    worker = heartbeat_status() if db_ok else {"state": "unknown"}
    report = {
        "healthy": db_ok and broker_ok,
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
        "worker": worker,
    }
    if db_ok:
        from .notifications import email_outbox_status

        # Mail waiting (overdue: older than 15 minutes) or given up on: the outbox's
        # failures are visible, not silent. Not a reason to be unhealthy by itself.
        report["email"] = email_outbox_status()
    return report
