"""Reads for the integrations pages and API."""

from django.db.models import Count, Q, Sum

from .choices import EventStatus
from .filters import AlertFilter
from .models import Alert, AlertGroup, InboundEvent, Integration


def integrations_with_stats():
    """Every integration with what it received, how much was duplicate, the incidents
    it opened and what failed — in a fixed number of queries."""
    integrations = list(Integration.objects.select_related("channel", "team", "vendor"))
    received = dict(InboundEvent.objects.values("integration").annotate(n=Count("id"))
                    .values_list("integration", "n"))
    failed = dict(InboundEvent.objects.filter(status=EventStatus.FAILED).values("integration")
                  .annotate(n=Count("id")).values_list("integration", "n"))
    pending = dict(InboundEvent.objects.filter(status=EventStatus.PENDING)
                   .values("integration").annotate(n=Count("id"))
                   .values_list("integration", "n"))
    alerts = {row["integration"]: row for row in Alert.objects.values("integration").annotate(
        alerts=Count("id"), seen=Sum("occurrences"),
        firing=Count("id", filter=~Q(status="resolved")))}
    incidents = dict(AlertGroup.objects.filter(incident__isnull=False).values("integration")
                     .annotate(n=Count("incident", distinct=True))
                     .values_list("integration", "n"))
    for integration in integrations:
        row = alerts.get(integration.pk, {})
        integration.stats = {
            "received": received.get(integration.pk, 0),
            "alerts": row.get("alerts", 0), "firing": row.get("firing", 0),
            "deduplicated": (row.get("seen") or 0) - row.get("alerts", 0),
            "incidents": incidents.get(integration.pk, 0),
            "failed": failed.get(integration.pk, 0), "pending": pending.get(integration.pk, 0),
        }
    return integrations


def alerts_filtered(params):
    queryset = Alert.objects.select_related("integration", "group__incident").order_by(
        "-last_seen_at", "-pk")
    return AlertFilter(params, queryset=queryset)


def alert_events(alert, limit=20):
    return list(alert.events.order_by("-received_at", "-pk")[:limit])


def integration_recent_alerts(integration, limit=10):
    return list(integration.alerts.select_related("group__incident")
                .order_by("-last_seen_at", "-pk")[:limit])
