"""Integration background work: processing stored payloads, the sweep that catches the
ones a dead worker left, and polling vendors' status pages."""

from celery import shared_task


@shared_task(name="integrations.tasks.process_inbound_event")
def process_inbound_event(event_id):
    """Normalise one stored payload (takes its id; re-reads it under lock; a no-op if
    it was processed already)."""
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
