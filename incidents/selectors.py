"""Reads of incidents: response metrics and the dashboard's open incidents.

Metrics are computed in the database (``AVG`` over ``ended - started`` durations), in
a constant number of queries whatever the number of incidents: one for the overall
figures and one per grouping (severity, channel, month).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    Avg,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.clocks import format_duration

from .choices import IMPACT_STATES, IncidentState
from .models import Channel, Incident, Severity

# metric name → (start field, end field), both on Incident (post-mortem through the join).
STAGE_DURATIONS = {
    "time_to_triage": ("declared_at", "triaged_at"),
    "time_to_contain": ("declared_at", "contained_at"),
    "time_to_resolve": ("declared_at", "resolved_at"),
    "postmortem_lead_time": ("resolved_at", "postmortem__published_at"),
}
# How many incidents each mean is taken over, by metric.
SAMPLE_COUNTS = {
    "time_to_triage": "triaged",
    "time_to_contain": "contained",
    "time_to_resolve": "resolved",
    "postmortem_lead_time": "postmortems",
}
METRIC_GROUPS = ("severity", "channel", "month")
# A cancelled incident (false alarm, duplicate) says nothing about how fast we respond.
COUNTED_STATES = [state for state in IncidentState.values if state != IncidentState.CANCELLED]
ANNOTATION = "metric_"


@dataclass(frozen=True)
class StageMetrics:
    """Mean stage durations of one group of incidents (``None``: nothing to average)."""

    key: str | date | None
    label: str
    colour: str = ""
    incidents: int = 0
    time_to_triage: timedelta | None = None
    time_to_contain: timedelta | None = None
    time_to_resolve: timedelta | None = None
    postmortem_lead_time: timedelta | None = None
    triaged: int = 0
    contained: int = 0
    resolved: int = 0
    postmortems: int = 0

    @property
    def formatted(self):
        """``{"time_to_triage": "1h 25m", …}`` with "—" where there is no figure."""
        return {name: format_duration(value) if value is not None else "—"
                for name in STAGE_DURATIONS
                for value in [getattr(self, name)]}


@dataclass(frozen=True)
class IncidentMetrics:
    since: datetime | None
    until: datetime | None
    overall: StageMetrics
    by_severity: list[StageMetrics] = field(default_factory=list)
    by_channel: list[StageMetrics] = field(default_factory=list)
    by_month: list[StageMetrics] = field(default_factory=list)


def _aggregates(prefix, window: Q):
    """``AVG`` and ``COUNT`` per stage over the incidents reached through ``prefix``.

    ``window`` selects the incidents counted (declared in the period, not cancelled).
    A duration is only averaged when its end is not before its start: a post-mortem
    published before the incident was reopened and resolved again has no lead time.
    """
    # Prefixed: "incidents" is also the name of the relation on Severity and Channel.
    aggregates = {f"{ANNOTATION}incidents": Count(f"{prefix}pk", filter=window)}
    for name, (start, end) in STAGE_DURATIONS.items():
        start, end = f"{prefix}{start}", f"{prefix}{end}"
        measured = window & Q(**{f"{end}__isnull": False, f"{start}__isnull": False,
                                 f"{end}__gte": F(start)})
        duration = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
        aggregates[f"{ANNOTATION}{name}"] = Avg(duration, filter=measured)
        aggregates[f"{ANNOTATION}{SAMPLE_COUNTS[name]}"] = Count(f"{prefix}pk", filter=measured)
    return aggregates


def _window(prefix, since, until):
    window = Q(**{f"{prefix}state__in": COUNTED_STATES})
    if since is not None:
        window &= Q(**{f"{prefix}declared_at__gte": since})
    if until is not None:
        window &= Q(**{f"{prefix}declared_at__lt": until})
    return window


def _row(values, *, key, label, colour=""):
    # A mean of zero is a figure (triaged the instant it was declared), not "none".
    counts = {name: values.get(f"{ANNOTATION}{name}") or 0
              for name in ["incidents", *SAMPLE_COUNTS.values()]}
    means = {name: values.get(f"{ANNOTATION}{name}") for name in STAGE_DURATIONS}
    return StageMetrics(key=key, label=label, colour=colour, **counts, **means)


def _months_between(first: date, last: date):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


def incident_metrics(*, since: datetime | None = None, until: datetime | None = None,
                     groups=METRIC_GROUPS) -> IncidentMetrics:
    """Mean time to triage, to contain, to resolve (from declaration) and post-mortem
    lead time (resolution → post-mortem published) of the incidents declared in
    ``[since, until)``, overall and by severity, channel and month of declaration.

    Cancelled incidents are left out. An incident affecting several channels counts
    in each of them. Every severity and every active channel gets a row (empty ones
    have ``None`` means); months run without gaps from the first to the last one with
    incidents (or the window's bounds). One query for the overall figures plus one
    per grouping asked for in ``groups``.
    """
    unknown = set(groups) - set(METRIC_GROUPS)
    if unknown:
        raise ValueError(f"Unknown metric groupings: {', '.join(sorted(unknown))}.")
    overall = Incident.objects.aggregate(**_aggregates("", _window("", since, until)))
    result = IncidentMetrics(since=since, until=until,
                             overall=_row(overall, key=None, label="All incidents"))

    if "severity" in groups:
        rows = Severity.objects.annotate(
            **_aggregates("incidents__", _window("incidents__", since, until))
        ).order_by("rank")
        result.by_severity.extend(
            _row(vars(sev), key=sev.key, label=sev.name, colour=sev.colour) for sev in rows
        )

    if "channel" in groups:
        rows = Channel.objects.annotate(
            **_aggregates("incidents__", _window("incidents__", since, until))
        ).order_by("order", "name")
        result.by_channel.extend(
            _row(vars(channel), key=channel.key, label=channel.name)
            for channel in rows if channel.active or channel.metric_incidents
        )

    if "month" in groups:
        rows = {
            row["month"]: row
            for row in Incident.objects.filter(_window("", since, until))
            # The month in the site's time zone, as people read the dates.
            .annotate(month=TruncMonth("declared_at", output_field=DateField()))
            .values("month").annotate(**_aggregates("", _window("", since, until)))
            .order_by("month")
        }
        bounds = list(rows)
        if since is not None:
            bounds.append(_local_date(since))
        if until is not None:
            bounds.append(_local_date(until - timedelta(microseconds=1)))
        if bounds:
            result.by_month.extend(
                _row(rows.get(month, {}), key=month, label=f"{month:%b %Y}")
                for month in _months_between(min(bounds), max(bounds))
            )
    return result


def _local_date(instant: datetime) -> date:
    return timezone.localtime(instant).date()


@dataclass(frozen=True)
class OpenCount:
    severity: Severity | None  # None: declared without a severity yet
    count: int


def open_incidents_by_severity() -> list[OpenCount]:
    """How many incidents are open (declared, triaged, contained) per severity, most
    severe first; every severity is listed, and incidents not yet given a severity
    come last when there are any. Two queries."""
    severities = Severity.objects.annotate(
        open_incidents=Count("incidents", filter=Q(incidents__state__in=IMPACT_STATES))
    ).order_by("rank")
    counts = [OpenCount(severity=sev, count=sev.open_incidents) for sev in severities]
    unassessed = Incident.objects.impacting().filter(severity__isnull=True).count()
    if unassessed:
        counts.append(OpenCount(severity=None, count=unassessed))
    return counts


def incidents_for_dashboard(limit=10) -> list[Incident]:
    """The open incidents, newest first, with what the dashboard shows of them."""
    return list(
        Incident.objects.impacting()
        .select_related("severity", "commander")
        .prefetch_related("channels")
        .order_by("-declared_at", "-pk")[:limit]
    )


def incident_list(*, filters, user, queryset=None):
    """The incident list's filters applied, for the page and the API alike.

    ``filters`` is the query (``request.GET``); ``user`` is whom ``commander=me``
    means. Returns the bound :class:`incidents.filters.IncidentFilter`: its ``qs``
    holds the matching incidents with any invalid filter left out, its ``errors``
    say which were — the page shows them next to the fields, the API answers 400.
    ``queryset`` is what to filter (the caller's joins and prefetches); every
    incident by default.
    """
    from .filters import IncidentFilter

    return IncidentFilter(filters, queryset if queryset is not None else Incident.objects.all(),
                          user=user)


def timelines_of(incident_ids, *, per_incident: int = 20) -> dict:
    """``{incident id: [TimelineEvent]}``: the typed entries (``core.timeline`` events,
    worded by ``entry.render()``) of several incidents in one query, the first
    ``per_incident`` of each in time order. Free notes are left out: they are our
    responders' working text, not the record shared in reports."""
    from .models import TimelineEvent

    result = {pk: [] for pk in incident_ids}
    for entry in (TimelineEvent.objects.filter(incident_id__in=list(result))
                  .exclude(event="").order_by("incident_id", "at", "pk")):
        entries = result[entry.incident_id]
        if len(entries) < per_incident:
            entries.append(entry)
    return result
