"""Daily sums per queue (:class:`~kpis.models.QueueDay`): what the KPI page and the
metrics endpoint read for whole days, so a month across 50 queues reads 1,500 rows
and a year by month 18,000, not 144,000 and 1.75 million intervals.

* **Which zones.** A day starts at midnight somewhere: days are kept for each zone
  of ``settings.KPI_ROLLUP_ZONES`` (UTC and the site's TIME_ZONE by default). A
  question asked in another zone, or over a range that does not start and end at
  midnight there, reads the intervals themselves — the same answer, slower.
* **Always derived.** Every write of intervals rebuilds the days it touched from
  the intervals, in the same transaction (imports and pushes call :func:`refresh`,
  a single save or delete goes through the signal in ``kpis/apps.py``); a write that
  bypasses both (raw SQL: the benchmark's load) calls :func:`rebuild`. Sums of
  counts add up exactly, so the figures are the same as from the intervals —
  ``tests/kpis/test_rollup.py`` compares them.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Min, Q
from django.db.models.functions import TruncDate

from .models import COUNT_FIELDS, IntervalStat, QueueDay


def zones() -> list[str]:
    return list(dict.fromkeys(settings.KPI_ROLLUP_ZONES))


def _midnight(day, zone) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def refresh(queue_ids, first: datetime, last: datetime) -> None:
    """Rebuild the days of ``queue_ids`` holding any interval start in ``[first, last]``,
    in every rolled-up zone. Call inside the transaction that wrote the intervals."""
    from .selectors import service_level_ratio, sum_expressions

    queue_ids = sorted(set(queue_ids))
    if not queue_ids:
        return
    for name in zones():
        zone = ZoneInfo(name)
        day0, day1 = first.astimezone(zone).date(), last.astimezone(zone).date()
        start, end = _midnight(day0, zone), _midnight(day1 + timedelta(days=1), zone)
        sums = (IntervalStat.objects.filter(queue_id__in=queue_ids, start__gte=start,
                                            start__lt=end)
                .order_by().annotate(day=TruncDate("start", tzinfo=zone),
                                     interval_ratio=service_level_ratio())
                .values("queue_id", "day")
                # Before the sums: they are named as the fields this reads.
                .annotate(worst_ratio=Min("interval_ratio", filter=Q(answered__gt=0)))
                .annotate(**sum_expressions()))
        QueueDay.objects.filter(zone=name, queue_id__in=queue_ids, day__gte=day0,
                                day__lte=day1).delete()
        QueueDay.objects.bulk_create(
            [QueueDay(zone=name, queue_id=row["queue_id"], day=row["day"],
                      worst_ratio=row["worst_ratio"],
                      **{field: row[field] for field in COUNT_FIELDS}) for row in sums],
            batch_size=2_000)


def rebuild() -> None:
    """Every day of every queue again (after intervals were written around the ORM)."""
    from django.db.models import Max, Min

    span = IntervalStat.objects.aggregate(first=Min("start"), last=Max("start"))
    QueueDay.objects.all().delete()
    if span["first"] is None:
        return
    queue_ids = IntervalStat.objects.order_by().values_list("queue_id", flat=True).distinct()
    refresh(list(queue_ids), span["first"], span["last"])


def days_covering(start: datetime, end: datetime, zone) -> tuple[str, object, object] | None:
    """``(zone name, first day, last day)`` when ``[start, end)`` is whole days in a
    rolled-up ``zone``; None otherwise (read the intervals)."""
    name = getattr(zone, "key", None) or str(zone)
    if name not in zones():
        return None
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.timetz().replace(tzinfo=None) != time() \
            or local_end.timetz().replace(tzinfo=None) != time():
        return None
    return name, local_start.date(), local_end.date() - timedelta(days=1)
