"""Outbound webhook and customer email work (Celery). Tasks take ids; the database
rows are the truth, and the beat sweeps find whatever a lost task left due."""

from celery import shared_task


@shared_task(name="webhooks.tasks.send_webhook_deliveries", acks_late=True)
def send_webhook_deliveries(ids=None):
    """Send the due deliveries among ``ids`` (all due ones when None: the sweep)."""
    from .delivery import deliveries_send

    return deliveries_send(ids)


@shared_task(name="webhooks.tasks.send_customer_update_emails", acks_late=True)
def send_customer_update_emails():
    from .customer_updates import customer_emails_send

    return customer_emails_send()
