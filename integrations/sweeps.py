"""The sweep over stored payloads (core.due_rows): whatever the task did not process."""

from django.utils import timezone

from core.due_rows import sweep_due

from .choices import EventStatus
from .models import InboundEvent
from .processing import process_locked_event, system_user_cached


def inbound_events_sweep(*, now=None) -> dict:
    now = now or timezone.now()
    with system_user_cached():
        totals = sweep_due(
            InboundEvent.objects.filter(status=EventStatus.PENDING)
            .select_related("integration"),
            due_field="process_due_at", now=now,
            handle=lambda event: process_locked_event(event, now=now), name="inbound events")
    return dict(totals)
