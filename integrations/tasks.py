"""Integration background work: processing stored payloads, the sweep that catches the
ones a dead worker left, and polling vendors' status pages."""

from celery import shared_task

# A drain runs batches for about this long, then hands over to a fresh task so a storm
# does not hold a worker process away from every other queue's tasks.
DRAIN_SECONDS = 20


@shared_task(name="integrations.tasks.process_inbound_events")
def process_inbound_events():
    """Process stored payloads in batches until none is left (or the time is up: then
    queue itself again). Takes no ids: the rows are the truth, claimed with SKIP
    LOCKED, so two of these at once share the work."""
    import time

    from .processing import events_process_batch

    totals, stop = {}, time.monotonic() + DRAIN_SECONDS
    while True:
        done = events_process_batch()
        for name, count in done.items():
            totals[name] = totals.get(name, 0) + count
        if done.get("claimed", 0) == 0:
            return totals
        if time.monotonic() > stop:
            process_inbound_events.delay()
            return totals


@shared_task(name="integrations.tasks.process_inbound_event")
def process_inbound_event(event_id):
    """One stored payload (kept for messages queued before batches; the "send test
    alert" path does not need it either)."""
    from .processing import event_process

    return event_process(event_id)


@shared_task(name="integrations.tasks.sweep_inbound_events")
def sweep_inbound_events():
    """Payloads still pending after their grace period (the task was lost) or due a
    retry: processed now."""
    from .sweeps import inbound_events_sweep

    return inbound_events_sweep()


@shared_task(name="integrations.tasks.poll_status_pages")
def poll_status_pages():
    """Vendors' public status pages that are due a poll (integrations with polling on)."""
    from .status_pages import status_pages_poll

    return status_pages_poll()
