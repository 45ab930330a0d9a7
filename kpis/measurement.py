"""The contact-center metrics a vendor SLA objective can be measured with
(``vendors/measurement_sources.py``), registered from ``kpis/contributions.py``.

Each source sums the intervals of ``request.queue_ids`` that start in
``[request.start, request.end)`` and applies the formula once. Options the objective
sets (``threshold_seconds``, ``abandon_treatment``, ``short_abandon_seconds``,
``min_presented_seconds``) override the queues' own settings where the counts allow:
the counts were taken with the queues' threshold and short-abandon timer, so an
objective asking for another threshold or timer cannot be measured from them, and the
source answers ``None`` (not measured) rather than a figure computed with the wrong one.

With ``interval_target`` (service level or abandon rate), the objective is judged per
interval, as some BPO contracts are ("80/20 in 90 % of half-hours"): each interval's
figure is computed from its own counts, and the value is the share of intervals with
contacts that reached the target.
"""

from decimal import Decimal
from fractions import Fraction

from . import formulas
from .models import Queue
from .selectors import has_data, intervals_in, sum_expressions, sums_for

METRICS = ("service_level", "abandon_rate", "aht", "asa", "fcr", "csat")


def _common(queues, attribute):
    values = {getattr(q, attribute) for q in queues}
    return values.pop() if len(values) == 1 else None


def measure(request):
    from vendors.measurement_sources import MeasuredValue

    queues = list(Queue.objects.filter(pk__in=request.queue_ids))
    if not queues:
        return None
    options = request.options or {}
    threshold = _common(queues, "threshold_seconds")
    short_timer = _common(queues, "short_abandon_seconds")
    wanted_threshold = options.get("threshold_seconds")
    if wanted_threshold is not None and int(wanted_threshold) != threshold:
        return None
    wanted_short = options.get("short_abandon_seconds")
    if wanted_short is not None and int(wanted_short) != short_timer:
        return None
    rows = intervals_in(request.start, request.end, queue_ids=request.queue_ids)
    interval_target = options.get("interval_target")
    if interval_target is not None:
        return _share_of_intervals(request.metric, rows, queues, options, threshold,
                                   short_timer, Decimal(str(interval_target)))
    sums = sums_for(rows)
    if not has_data(sums):
        return None
    figure = _figure(request.metric, sums, queues, options, threshold, short_timer)
    if figure is None:
        return None
    value, detail = figure
    return MeasuredValue(value=Decimal(value), detail=detail,
                         basis={k: v for k, v in sums.items() if v})


# Per-interval objectives ("80/20 in 90 % of half-hours"): which way each interval's
# figure must go to meet the interval target.
INTERVAL_METRICS = {"service_level": "at_least", "abandon_rate": "at_most"}


def _share_of_intervals(metric, rows, queues, options, threshold, short_timer, target):
    """The % of intervals with traffic whose figure met ``target`` (the intervals of all
    covered queues summed per start); the basis lists the worst ones as evidence."""
    from vendors.measurement_sources import MeasuredValue

    if metric not in INTERVAL_METRICS:
        return None
    judged = []
    for sums in rows.values("start").annotate(**sum_expressions()).order_by("start"):
        if not has_data(sums):
            continue
        figure = _figure(metric, sums, queues, options, threshold, short_timer)
        if figure is not None:
            judged.append((sums["start"], figure[0]))
    if not judged:
        return None
    at_least = INTERVAL_METRICS[metric] == "at_least"
    met = [start for start, value in judged if (value >= target if at_least else value <= target)]
    value = formulas.rounded(Fraction(len(met) * 100, len(judged)))
    worst = sorted(judged, key=lambda item: item[1], reverse=not at_least)[:10]
    label = "service level" if metric == "service_level" else "abandon rate"
    detail = (f"{len(met):,} of {len(judged):,} intervals with contacts had a {label} "
              f"{'of at least' if at_least else 'of at most'} {target} %")
    return MeasuredValue(value=value, detail=detail, basis={
        "intervals": len(judged), "intervals_met": len(met), "interval_target": str(target),
        "worst_intervals": [{"start": start.isoformat(), "value": str(figure)}
                            for start, figure in worst]})


def _figure(metric, sums, queues, options, threshold, short_timer):
    """``(value, detail)`` of ``metric`` over summed counts, or None (not measurable)."""
    if metric == "service_level":
        treatment = options.get("abandon_treatment") or _common(queues, "abandon_treatment") \
            or "negative"
        value = formulas.service_level(sums, treatment)
        events = formulas.service_level_events(sums)
        detail = (f"{sums['answered_within_threshold']:,} of {events:,} contacts answered "
                  f"within {threshold} s (abandons {treatment})")
    elif metric == "abandon_rate":
        minimum = options.get("min_presented_seconds")
        if minimum is not None:
            if int(minimum) != short_timer:
                return None
            count_short = False  # abandons before the minimum presented time are not counted
        else:
            count_short = bool(_common(queues, "short_abandons_in_abandon_rate"))
        callbacks = _common(queues, "callbacks_in_offered")
        callbacks = True if callbacks is None else callbacks
        abandoned, queued = formulas.abandon_counts(sums, short_abandons_count=count_short,
                                                    callbacks_in_offered=callbacks)
        value = formulas.abandon_rate(sums, short_abandons_count=count_short,
                                      callbacks_in_offered=callbacks)
        detail = f"{abandoned:,} of {queued:,} queued contacts abandoned"
    elif metric == "aht":
        value = formulas.aht(sums)
        detail = (f"{formulas.handle_seconds(sums):,} s of talk, hold and after-contact work "
                  f"over {sums['handled']:,} handled contacts")
    elif metric == "asa":
        value = formulas.asa(sums)
        detail = f"{sums['answer_wait_seconds']:,} s of wait over {sums['answered']:,} answered"
    elif metric == "fcr":
        value = formulas.fcr(sums)
        detail = f"{sums['fcr_resolved']:,} of {sums['fcr_contacts']:,} resolved at first contact"
    elif metric == "csat":
        value = formulas.csat(sums)
        detail = f"{sums['csat_satisfied']:,} of {sums['csat_responses']:,} responses satisfied"
    else:
        return None
    return (value, detail) if value is not None else None
