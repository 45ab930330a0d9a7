"""The contact-center metrics a vendor SLA objective can be measured with
(``vendors/measurement_sources.py``), registered from ``kpis/contributions.py``.

Each source sums the intervals of ``request.queue_ids`` that start in
``[request.start, request.end)`` and applies the formula once. Options the objective
sets (``threshold_seconds``, ``abandon_treatment``, ``short_abandon_seconds``,
``min_presented_seconds``) override the queues' own settings where the counts allow:
the counts were taken with the queues' threshold and short-abandon timer, so an
objective asking for another threshold or timer cannot be measured from them, and the
source answers ``None`` (not measured) rather than a figure computed with the wrong one.
"""

from decimal import Decimal

from . import formulas
from .models import Queue
from .selectors import has_data, intervals_in, sums_for

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
    sums = sums_for(intervals_in(request.start, request.end, queue_ids=request.queue_ids))
    if not has_data(sums):
        return None
    metric = request.metric
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
    if value is None:
        return None
    return MeasuredValue(value=Decimal(value), detail=detail,
                         basis={k: v for k, v in sums.items() if v})
