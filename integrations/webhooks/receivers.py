"""Listening to domain events (``core/events.py``): no producing app imports this.

The signal arrives inside the producer's transaction, so the outbox rows written
here commit or roll back with the change that caused them.
"""

from django.dispatch import receiver

from core.events import event_emitted

STATUS_UPDATE_POSTED = "incident.status_update_posted"


@receiver(event_emitted, dispatch_uid="webhooks.outbox")
def write_outbox_rows(sender, event, instance, **kwargs):
    from .services import deliveries_for_event

    deliveries_for_event(event)


@receiver(event_emitted, dispatch_uid="webhooks.customer_updates")
def email_opted_in_customers(sender, event, instance, **kwargs):
    if event.type != STATUS_UPDATE_POSTED:
        return
    from .customer_updates import emails_for_status_update

    emails_for_status_update(instance)
