"""Integration background work: processing stored payloads, the sweep that catches the
ones a dead worker left, and polling vendors' status pages."""

from celery import shared_task

# A drain runs batches for about this long, then hands over to a fresh task so a storm
# does not hold a worker process away from every other queue's tasks.
DRAIN_SECONDS = 20


@shared_task(name="integrations.tasks.process_inbound_events")
def process_inbound_events():
    """Process stored payloads in batches while batches come full (or until the time
    is up: then queue itself again). Takes no ids: the rows are the truth, claimed
    with SKIP LOCKED, so two of these at once share the work.

    A batch short of ``BATCH_SIZE`` ends the task: it claimed every payload committed
    before it that no other batch holds, and a payload committed since has a task of
    its own queued after its commit (``services.batch_slot``). Draining on until none
    is left made a storm's batches small — a 0.2 s batch finds the 60 payloads that
    arrived meanwhile — and a batch costs mostly per distinct alert, not per payload."""
    import time

    from .processing import BATCH_SIZE, events_process_batch

    totals, stop = {}, time.monotonic() + DRAIN_SECONDS
    while True:
        done = events_process_batch()
        for name, count in done.items():
            totals[name] = totals.get(name, 0) + count
        if done.get("claimed", 0) < BATCH_SIZE:
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
