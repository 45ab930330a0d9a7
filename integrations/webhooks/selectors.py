"""Reads for the Webhooks pages and API."""

from django.db.models import Count, Max, Q

from core.events import event_types

from .choices import DeliveryStatus
from .models import CustomerUpdateEmail, WebhookDelivery, WebhookSubscription


def subscriptions_with_stats():
    """Every subscription with its delivery counts and last delivery, in one query."""
    return (WebhookSubscription.objects.select_related("owner").annotate(
        delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED)),
        failing=Count("deliveries", filter=Q(deliveries__status__in=[
            DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP])),
        waiting=Count("deliveries", filter=Q(deliveries__next_attempt_at__isnull=False)),
        last_delivery_at=Max("deliveries__created_at"),
    ).order_by("name", "pk"))


def deliveries(*, subscription=None, status="", event_type="", **_):
    """The delivery log, newest first, filtered as the page and the API ask."""
    rows = WebhookDelivery.objects.select_related("subscription")
    if subscription is not None:
        rows = rows.filter(subscription=subscription)
    if status:
        rows = rows.filter(status=status)
    if event_type:
        rows = rows.filter(event_type=event_type)
    return rows.order_by("-created_at", "-pk")


def delivery_counts(subscription) -> dict:
    found = dict(subscription.deliveries.values_list("status").annotate(n=Count("pk")))
    return {label: found.get(value, 0) for value, label in DeliveryStatus.choices}


def event_catalogue():
    return event_types()


def recent_customer_emails(limit=20):
    return list(CustomerUpdateEmail.objects.select_related("customer",
                                                           "status_update__incident")[:limit])
