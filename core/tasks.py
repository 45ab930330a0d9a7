import logging
import socket

from celery import shared_task
from celery.signals import worker_ready

from .health import record_heartbeat
from .models import HolidayFeed

logger = logging.getLogger(__name__)


@shared_task(name="core.tasks.heartbeat", ignore_result=False)
def heartbeat():
    """Prove a worker and beat are alive; the health endpoint reads the timestamp."""
    hostname = socket.gethostname()
    record_heartbeat(hostname=hostname)
    return hostname


@worker_ready.connect
def _heartbeat_on_start(sender, **kwargs):
    # Beat's first interval tick comes a full interval after start; beat once now
    # through the broker so "is the worker alive" is answered within seconds.
    heartbeat.delay()


@shared_task(name="core.tasks.refresh_ics_feeds")
def refresh_ics_feeds():
    """Re-read every ICS URL feed (daily). A failing feed keeps its holidays."""
    from .calendars import feed_refresh

    results = {"refreshed": 0, "failed": 0}
    for feed_id in HolidayFeed.objects.filter(kind="ics_url").values_list("pk", flat=True):
        feed = HolidayFeed.objects.select_related("calendar").filter(pk=feed_id).first()
        if feed is None:
            continue  # deleted since the list was read
        results["refreshed" if feed_refresh(feed=feed) else "failed"] += 1
    return results


@shared_task(name="core.tasks.roll_country_holidays")
def roll_country_holidays():
    """Keep generated public holidays two years ahead (daily)."""
    from .calendars import country_holidays_roll

    return {"extended": country_holidays_roll()}


@shared_task(name="core.tasks.send_notification_emails")
def send_notification_emails(notification_ids):
    """Send these notifications' emails now (queued after their transaction commits).

    Only a head start: the outbox sweep below sends anything this task never ran for.
    """
    from .notifications import email_outbox_send

    return email_outbox_send(notification_ids)


@shared_task(name="core.tasks.send_email_outbox")
def send_email_outbox():
    """Send every email that is due: new ones whose task was lost, and retries (beat)."""
    from .notifications import email_outbox_send

    return email_outbox_send()


@shared_task(name="core.tasks.sweep_sla_clocks")
def sweep_sla_clocks(helping=False):
    """Fire due SLA warnings and breaches (beat, every minute).

    In a burst (more than one chunk due) the sweep asks ``SLA_SWEEP_SWEEPERS - 1``
    more workers to sweep beside it: chunks are locked ``SKIP LOCKED``, so each
    sweeper takes the chunks no other holds, and a helper that never starts costs
    nothing but time — this sweep goes on through all of them."""
    from django.conf import settings
    from django.utils import timezone

    from .sweep import clocks_due, sweep

    now = timezone.now()
    chunk = settings.SLA_SWEEP_CHUNK_SIZE
    if not helping and settings.SLA_SWEEP_SWEEPERS > 1 \
            and len(clocks_due(now, chunk + 1)) > chunk:
        for _ in range(settings.SLA_SWEEP_SWEEPERS - 1):
            _helper_queued(sweep_sla_clocks.s(helping=True))
    return sweep(now=now)


def _helper_queued(signature):
    try:
        signature.delay()
    except Exception:  # noqa: BLE001 - no broker: this sweep does the burst alone
        logger.warning("Could not queue a helper SLA sweep", exc_info=True)
