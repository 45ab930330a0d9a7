"""Where a vendor SLA objective's self-measured value comes from, by metric.

An objective measures "service level 80/20 on the queues this BPO runs" or "uptime of
the CCaaS platform"; the data lives in other apps (contact-center intervals in
``kpis``, attributed incident downtime here). Each app that can measure a metric
registers a source from its ``contributions.py``, so this app never imports the app
that owns the data, and a metric with no registered source is simply entered or
imported by hand (vendor-reported only).

A source is called with a :class:`MeasurementRequest` and returns a
:class:`MeasuredValue`, or ``None`` when there is no data for the period (no
intervals at all: "not measured", which is not the same as 0 %).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class MeasurementRequest:
    metric: str  # "service_level", "abandon_rate", "aht", "asa", "fcr", "csat", "uptime"…
    start: datetime  # aware, inclusive
    end: datetime  # aware, exclusive
    queue_ids: tuple[int, ...] = ()  # the queues the objective covers (contact metrics)
    vendor_id: int | None = None
    # Metric options the objective sets, e.g. {"threshold_seconds": 20,
    # "abandon_treatment": "negative", "short_abandon_seconds": 5,
    # "min_presented_seconds": 5}. A source ignores what it does not know.
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MeasuredValue:
    value: Decimal  # percentages as percent (80.00), times in seconds
    detail: str  # how it was computed, in words: "9,876 of 12,345 answered within 20 s"
    basis: dict = field(default_factory=dict)  # the raw sums behind it (evidence)


Source = Callable[[MeasurementRequest], MeasuredValue | None]

_SOURCES: dict[str, Source] = {}


def register_source(metric: str, source: Source) -> None:
    """Called from an app's ``contributions.py``; one source per metric."""
    _SOURCES[metric] = source


def has_source(metric: str) -> bool:
    return metric in _SOURCES


def measure(request: MeasurementRequest) -> MeasuredValue | None:
    """The self-measured value, or None (no source for the metric, or no data)."""
    source = _SOURCES.get(request.metric)
    return source(request) if source else None
