"""Reads: KPI figures for any period and grouping, a vendor's queues, an incident's
impact against its baseline.

The rule everywhere: **sum the raw counts in SQL, then apply the formula once** to
each group's sums (``kpis/formulas.py``) — never an average of percentages. Each
function below is one aggregate query (two for an incident: its window and its
four-week baseline), whatever the number of queues or intervals.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractHour,
    ExtractMinute,
    NullIf,
    TruncDay,
    TruncMonth,
    TruncWeek,
)
from django.utils import timezone

from . import formulas
from .choices import AbandonTreatment, GroupBy
from .models import COUNT_FIELDS, IntervalStat, Queue, QueueDay

INTERVAL = timedelta(minutes=15)
BASELINE_WEEKS = 4

# Incident channels (incidents.Channel keys) → the queue channels they carry. A CRM
# or WFM outage hits every queue; channels with no queue (none here) hit none.
INCIDENT_CHANNEL_QUEUES = {
    "voice": ("voice",), "ivr": ("voice",), "chat": ("chat",), "bot": ("chat", "messaging"),
    "email": ("email",), "sms": ("sms",), "social": ("social",), "messaging": ("messaging",),
    "crm": None, "wfm": None,
}


def sum_expressions() -> dict:
    return {name: Coalesce(Sum(name), Value(0)) for name in COUNT_FIELDS}


def empty_sums() -> dict:
    return dict.fromkeys(COUNT_FIELDS, 0)


def intervals_in(start: datetime, end: datetime, *, queue_ids=None, vendor_id=None,
                 channel=None, site=None):
    """The intervals starting in ``[start, end)`` of the chosen queues."""
    rows = IntervalStat.objects.filter(start__gte=start, start__lt=end)
    if queue_ids is not None:
        rows = rows.filter(queue_id__in=list(queue_ids))
    if vendor_id is not None:
        rows = rows.filter(queue__vendor_id=vendor_id)
    if channel:
        rows = rows.filter(queue__channel=channel)
    if site:
        rows = rows.filter(queue__site=site)
    return rows


def rows_for(start: datetime, end: datetime, *, group_by: str, zone=None, queue_ids=None,
             vendor_id=None, channel=None, site=None):
    """What to sum for ``[start, end)`` grouped by ``group_by``: the daily rollup when
    the range is whole days in a rolled-up zone and the grouping is not by interval
    of day (``kpis/rollup.py``), the intervals otherwise. Same figures either way."""
    from . import rollup

    zone = zone or timezone.get_current_timezone()
    days = rollup.days_covering(start, end, zone) if group_by != GroupBy.INTERVAL else None
    if days is None:
        return intervals_in(start, end, queue_ids=queue_ids, vendor_id=vendor_id,
                            channel=channel, site=site)
    name, first, last = days
    rows = QueueDay.objects.filter(zone=name, day__gte=first, day__lte=last)
    if queue_ids is not None:
        rows = rows.filter(queue_id__in=list(queue_ids))
    if vendor_id is not None:
        rows = rows.filter(queue__vendor_id=vendor_id)
    if channel:
        rows = rows.filter(queue__channel=channel)
    if site:
        rows = rows.filter(queue__site=site)
    return rows


def sums_for(rows) -> dict:
    """One dict of summed counts (zeros when no row)."""
    return rows.aggregate(**sum_expressions())


def has_data(sums: dict) -> bool:
    return any(sums[name] for name in ("offered", "answered", "abandoned", "handled"))


def _day_key(group_by: str):
    """The group key of rollup rows (already days in the zone asked)."""
    if group_by == GroupBy.DAY:
        return {"key": F("day")}
    if group_by == GroupBy.WEEK:
        return {"key": TruncWeek("day")}
    if group_by == GroupBy.MONTH:
        return {"key": TruncMonth("day")}
    raise ValueError(f"The daily rollup has no {group_by!r}.")


def _group_key(group_by: str, zone, *, daily=False):
    if daily and group_by in (GroupBy.DAY, GroupBy.WEEK, GroupBy.MONTH):
        return _day_key(group_by)
    if group_by == GroupBy.QUEUE:
        return {"key": Coalesce("queue_id", Value(0))}
    if group_by == GroupBy.CHANNEL:
        return {"key": Coalesce("queue__channel", Value(""))}
    if group_by == GroupBy.SITE:
        return {"key": Coalesce("queue__site", Value(""))}
    if group_by == GroupBy.VENDOR:
        return {"key": Coalesce("queue__vendor_id", Value(0))}
    if group_by == GroupBy.DAY:
        return {"key": TruncDay("start", tzinfo=zone)}
    if group_by == GroupBy.WEEK:
        return {"key": TruncWeek("start", tzinfo=zone)}
    if group_by == GroupBy.MONTH:
        return {"key": TruncMonth("start", tzinfo=zone)}
    if group_by == GroupBy.INTERVAL:
        return {"hour": ExtractHour("start", tzinfo=zone),
                "minute": ExtractMinute("start", tzinfo=zone)}
    raise ValueError(f"Unknown grouping: {group_by!r}")


@dataclass
class Row:
    key: object  # a queue id, channel, site, vendor id, date/datetime or "HH:MM"
    sums: dict
    figures: dict


def grouped_sums(rows, group_by: str, *, zone=None) -> list[tuple[object, dict]]:
    """``[(key, sums)]`` of ``rows`` grouped in SQL, in key order."""
    zone = zone or timezone.get_current_timezone()
    daily = rows.model is QueueDay
    keys = _group_key(group_by, zone, daily=daily)
    result = []
    for values in rows.order_by().annotate(**keys).values(*keys).annotate(**sum_expressions()) \
            .order_by(*keys):
        if group_by == GroupBy.INTERVAL:
            key = f"{values['hour']:02d}:{values['minute']:02d}"
        elif daily and group_by in (GroupBy.DAY, GroupBy.WEEK, GroupBy.MONTH):
            # The intervals' keys are the zone's midnights: the rollup's say the same.
            key = datetime.combine(values["key"], time(), tzinfo=zone)
        else:
            key = values["key"]
        result.append((key, {name: values[name] for name in COUNT_FIELDS}))
    return result


def monthly_figures_by_queue(start: datetime, end: datetime, *, queues, zone=None) -> dict:
    """``{queue id: [(month, figures)]}`` of ``queues`` in ``[start, end)``, each month's
    sums judged by its queue's own settings — one aggregate query whatever the number
    of queues, months or intervals (the vendor pack's per-queue trend charts)."""
    zone = zone or timezone.get_current_timezone()
    queues = {queue.pk: queue for queue in queues}
    result = {pk: [] for pk in queues}
    rows = (intervals_in(start, end, queue_ids=list(queues)).order_by()
            .annotate(month=TruncMonth("start", tzinfo=zone)).values("queue_id", "month")
            .annotate(**sum_expressions()).order_by("queue_id", "month"))
    for values in rows:
        queue = queues[values["queue_id"]]
        sums = {name: values[name] for name in COUNT_FIELDS}
        month = values["month"]
        month = month.date() if isinstance(month, datetime) else month
        result[queue.pk].append((month, formulas.figures(sums, **figure_options(queue))))
    return result


def figure_options(queue: Queue | None = None, *, treatment=None) -> dict:
    """``formulas.figures`` options: the queue's own settings, or the given treatment."""
    if queue is not None and treatment is None:
        return {"treatment": queue.abandon_treatment,
                "short_abandons_in_abandon_rate": queue.short_abandons_in_abandon_rate,
                "callbacks_in_offered": queue.callbacks_in_offered}
    return {"treatment": treatment or AbandonTreatment.NEGATIVE}


def metrics(rows, group_by: str, *, zone=None, treatment=None, spend_for=None) -> list[Row]:
    """Figures per group. Grouped by queue, each queue is judged by its own settings
    (unless a treatment is given); other groupings use ``treatment`` (negative by
    default). ``spend_for(key)`` gives the group's spend for cost per contact."""
    grouped = grouped_sums(rows, group_by, zone=zone)
    queues = Queue.objects.in_bulk([k for k, _ in grouped]) if group_by == GroupBy.QUEUE else {}
    result = []
    for key, sums in grouped:
        options = figure_options(queues.get(key), treatment=treatment)
        spend = spend_for(key) if spend_for else None
        result.append(Row(key, sums, formulas.figures(sums, spend=spend, **options)))
    return result


def queue_overview(start: datetime, end: datetime, *, queues=None, treatment=None) -> list[dict]:
    """Each active queue (or the given queryset) with its figures for ``[start, end)``
    and how it stands against its target: two queries whatever the number of queues."""
    queues = list((queues if queues is not None else Queue.objects.filter(active=True))
                  .select_related("vendor"))
    grouped = dict(grouped_sums(rows_for(start, end, group_by=GroupBy.QUEUE,
                                         queue_ids=[q.pk for q in queues]), GroupBy.QUEUE))
    result = []
    for queue in queues:
        sums = grouped.get(queue.pk, empty_sums())
        figures = formulas.figures(sums, **figure_options(queue, treatment=treatment))
        result.append({"queue": queue, "sums": sums, "figures": figures,
                       "status": target_status(figures["service_level"], queue.target_percent)})
    return result


AMBER_MARGIN = 5  # points below target that are "amber" rather than "red"


def target_status(value, target) -> str:
    """green at or above target, amber within 5 points below, red further, none without data."""
    if value is None:
        return "none"
    if value >= target:
        return "green"
    return "amber" if value >= target - AMBER_MARGIN else "red"


def service_level_ratio():
    """An interval's answered within ÷ events (negative treatment), in floating point
    (numeric division made the month's scan twice as slow); null without events."""
    events = F("answered") + F("abandoned") - F("short_abandons")
    return ExpressionWrapper(
        Cast("answered_within_threshold", FloatField())
        / NullIf(Cast(events, FloatField()), Value(0.0)), output_field=FloatField())


MAX_WORST_DAYS = 100


def _worst_days(start, end, queue_ids, limit, zone=None):
    """``Q`` of the (queue, day) pairs that can hold the ``limit`` worst intervals, from
    the rollup's lowest interval of each day: the ``limit``-th lowest day minimum is at
    least the ``limit``-th lowest interval, so no worse interval lies in a day whose
    minimum is above it. None when the rollup does not cover the range."""
    from . import rollup

    zone = zone or timezone.get_current_timezone()
    days = rollup.days_covering(start, end, zone)
    if days is None:
        return None
    name, first, last = days
    in_range = QueueDay.objects.filter(zone=name, day__gte=first, day__lte=last,
                                       queue_id__in=queue_ids, worst_ratio__isnull=False)
    lowest = list(in_range.order_by("worst_ratio").values_list("worst_ratio", flat=True)
                  [:limit])
    if not lowest:
        return Q(pk__in=[])
    candidates = list(in_range.filter(worst_ratio__lte=lowest[-1])
                      .values_list("queue_id", "day")[:MAX_WORST_DAYS + 1])
    if len(candidates) > MAX_WORST_DAYS:
        return None  # many days tie at the bottom (say 0 %): scan the range instead
    which = Q()
    for queue_id, day in candidates:
        midnight = datetime.combine(day, time(), tzinfo=zone)
        which |= Q(queue_id=queue_id, start__gte=midnight,
                   start__lt=datetime.combine(day + timedelta(days=1), time(), tzinfo=zone))
    return which


def worst_intervals(start: datetime, end: datetime, *, queues, limit=10) -> list[dict]:
    """The intervals with the lowest service level (negative treatment) in the range."""
    queue_ids = [q.pk for q in queues]
    rows = intervals_in(start, end, queue_ids=queue_ids).filter(
        answered__gt=0).select_related("queue")
    days = _worst_days(start, end, queue_ids, limit)
    if days is not None:
        rows = rows.filter(days)
    # In SQL: answered within ÷ events, lowest first (ties: more contacts first).
    rows = rows.annotate(ratio=service_level_ratio())
    result = []
    for row in rows.order_by("ratio", "-offered", "start")[:limit]:
        sums = {name: getattr(row, name) for name in COUNT_FIELDS}
        result.append({"interval": row, "figures": formulas.figures(
            sums, **figure_options(row.queue))})
    return result


# --- Vendors --------------------------------------------------------------------------


def vendor_queues(vendor) -> list[Queue]:
    return list(Queue.objects.filter(vendor=vendor).order_by("name"))


# --- Incidents ------------------------------------------------------------------------


def incident_queue_ids(incident) -> list[int]:
    """The queues of the incident's affected channels."""
    channels = set()
    for key in incident.channels.values_list("key", flat=True):
        mapped = INCIDENT_CHANNEL_QUEUES.get(key, ())
        if mapped is None:
            return list(Queue.objects.values_list("pk", flat=True))
        channels.update(mapped)
    return list(Queue.objects.filter(channel__in=channels).values_list("pk", flat=True))


def incident_window(incident, now=None) -> tuple[datetime, datetime] | None:
    start = incident.declared_at
    end = incident.resolved_at or incident.cancelled_at or now or timezone.now()
    if start is None or end <= start:
        return None
    # From the interval the incident began in.
    floor = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
    return floor, end


@dataclass
class Impact:
    start: datetime
    end: datetime
    queue_ids: list
    during: dict  # sums during the window
    baseline: dict  # expected sums (mean of the weeks with data), Fractions
    baseline_weeks: int
    figures: dict
    baseline_figures: dict

    @property
    def lost_contacts(self) -> int:
        """Contacts answered below the baseline: the ones the incident cost."""
        if not self.baseline_weeks:
            return 0
        return max(0, round(self.baseline["answered"] - self.during["answered"]))

    @property
    def extra_abandons(self) -> int:
        if not self.baseline_weeks:
            return 0
        return max(0, round(self.during["abandoned"] - self.baseline["abandoned"]))

    @property
    def expected_offered(self) -> int:
        return round(self.baseline["offered"])

    @property
    def expected_answered(self) -> int:
        return round(self.baseline["answered"])

    @property
    def expected_abandoned(self) -> int:
        return round(self.baseline["abandoned"])


def incident_impact(incident, *, now=None) -> Impact | None:
    """Offered, abandoned and service level of the incident's queues during its window,
    against the same weekday and intervals over the previous four weeks (their mean over
    the weeks that have data). None when no affected queue or no data at all."""
    window = incident_window(incident, now)
    queue_ids = incident_queue_ids(incident)
    if window is None or not queue_ids:
        return None
    start, end = window
    during = sums_for(intervals_in(start, end, queue_ids=queue_ids))
    week = timedelta(days=7)
    ranges = [(start - n * week, end - n * week) for n in range(1, BASELINE_WEEKS + 1)]
    which = Case(*[When(start__gte=s, start__lt=e, then=Value(n))
                   for n, (s, e) in enumerate(ranges, 1)], output_field=IntegerField())
    span = Q()
    for s, e in ranges:
        span |= Q(start__gte=s, start__lt=e)
    weeks = list(IntervalStat.objects.filter(span, queue_id__in=queue_ids).order_by()
                 .annotate(week=which).values("week").annotate(**sum_expressions()))
    weeks = [w for w in weeks if w["week"] and has_data(w)]
    if not has_data(during) and not weeks:
        return None
    count = len(weeks)
    baseline = {name: Fraction(sum(w[name] for w in weeks), count) if count else Fraction(0)
                for name in COUNT_FIELDS}
    baseline_total = {name: sum(w[name] for w in weeks) for name in COUNT_FIELDS}
    return Impact(start=start, end=end, queue_ids=queue_ids, during=during, baseline=baseline,
                  baseline_weeks=count, figures=formulas.figures(during),
                  baseline_figures=formulas.figures(baseline_total))


def zone_of(name: str | None):
    return ZoneInfo(name) if name else timezone.get_current_timezone()
