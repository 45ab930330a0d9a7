"""Self-measured SLA figures follow the data they are measured from.

A vendor's uptime is measured from the incidents attributed to it, a BPO's service
level from the interval data of the queues it runs. When either changes after a period
closed — a stage time corrected, an incident resolved that began last month, a late
interval file — the closed periods it touches are measured again (and a credit still
only accrued moves with them), so nobody types a figure twice or waits for the nightly
close. The work runs in a task after the change commits; if the task is lost, the daily
close (``sla_services.periods_close``) refreshes the recent periods anyway.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

# Metrics measured from attributed incidents (vendors/contributions.py registers them).
INCIDENT_METRICS = ("uptime", "downtime_minutes")


def on_incident_changed(sender, instance, by, previous=None, **kwargs):
    """``core.hooks.object_changed`` receiver: an attributed incident's window may have
    moved (declared, contained, resolved, reopened, a stage time corrected)."""
    if sender._meta.label_lower != "incidents.incident":
        return
    vendor_ids = sorted(set(instance.vendor_attributions.values_list("vendor_id", flat=True)))
    if not vendor_ids:
        return
    moments = [instance.declared_at, *[value for value in (previous or {}).values()
                                       if isinstance(value, datetime)]]
    start = min(moments)
    if not _touches_closed_period(start):
        return
    from .tasks import refresh_sla_periods

    transaction.on_commit(lambda: refresh_sla_periods.delay(
        vendor_ids=vendor_ids, start=start.isoformat(), metrics=list(INCIDENT_METRICS),
        by_id=getattr(by, "pk", None)))


def on_interval_data_changed(sender, queue_ids, start, end, by, **kwargs):
    """``core.hooks.interval_data_changed`` receiver: interval figures were written."""
    if not _touches_closed_period(start):
        return
    from .tasks import refresh_sla_periods

    queue_ids = sorted(queue_ids)
    transaction.on_commit(lambda: refresh_sla_periods.delay(
        queue_ids=queue_ids, start=start.isoformat(), end=end.isoformat(),
        by_id=getattr(by, "pk", None)))


def _touches_closed_period(start: datetime) -> bool:
    """Periods are weeks at the shortest: anything since this week's Monday touches only
    a period still open, which the close will measure when it ends."""
    today = timezone.now().date()
    return start.date() < today.fromordinal(today.toordinal() - today.weekday())


def refresh_periods(*, vendor_ids=(), queue_ids=(), start: datetime, end: datetime | None = None,
                    metrics=None, by=None) -> int:
    """Recompute the closed periods in ``[start, end)`` of the objectives of these vendors
    (only ``metrics`` when given) and of the objectives covering these queues, recorded
    as done by ``by`` (who changed the data)."""
    from .models import SlaObjective
    from .sla_services import refresh_series_periods

    end = end or timezone.now()
    objectives = SlaObjective.objects.none()
    if vendor_ids:
        objectives = SlaObjective.objects.filter(contract__vendor_id__in=vendor_ids)
        if metrics:
            objectives = objectives.filter(metric__in=metrics)
    series = set(objectives.values_list("series", flat=True))
    if queue_ids:
        wanted = set(queue_ids)
        series |= {key for key, covered in SlaObjective.objects.exclude(queue_ids=[])
                   .values_list("series", "queue_ids") if wanted & set(covered or ())}
    return refresh_series_periods(series, start, end, by=by)
