"""Spend for the KPI pages' cost per contact (``kpis/spend.py``).

``spend(queue_ids, start, end)``: the spend entries of the vendors that run those queues
(``kpis.Queue.vendor``) dated in ``[start, end)``, each vendor's spend allocated to its
queues by their share of the vendor's handled contacts in the period; None when those
vendors have no spend then. Received credits (negative entries) lower it. Three
queries whatever the number of queues.
"""

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from django.db.models import Sum
from django.utils import timezone

from . import money
from .models import SpendEntry


def _day(value) -> date:
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def spend(queue_ids, start, end) -> Decimal | None:
    from kpis.choices import GroupBy
    from kpis.models import Queue
    from kpis.selectors import grouped_sums, intervals_in

    wanted = set(queue_ids)
    vendor_of = dict(Queue.objects.filter(pk__in=list(wanted), vendor__isnull=False)
                     .values_list("pk", "vendor_id"))
    if not vendor_of:
        return None
    vendor_ids = set(vendor_of.values())
    spent = dict(SpendEntry.objects.filter(vendor_id__in=vendor_ids, date__gte=_day(start),
                                           date__lt=_day(end)).order_by().values_list("vendor_id")
                 .annotate(total=Sum("amount")))
    if not spent:
        return None
    # Every queue of those vendors, the requested ones and the others, shares the spend.
    handled = {key: sums["handled"] for key, sums in grouped_sums(
        intervals_in(start, end).filter(queue__vendor_id__in=vendor_ids), GroupBy.QUEUE)}
    vendor_queues = {}
    for queue_id, vendor_id in Queue.objects.filter(vendor_id__in=vendor_ids).values_list(
            "pk", "vendor_id"):
        vendor_queues.setdefault(vendor_id, []).append(queue_id)
    total = Fraction(0)
    for vendor_id, amount in spent.items():
        queues = vendor_queues.get(vendor_id, [])
        mine = [q for q in queues if q in wanted]
        all_handled = sum(handled.get(q, 0) for q in queues)
        if all_handled:
            share = Fraction(sum(handled.get(q, 0) for q in mine), all_handled)
        else:  # nothing handled anywhere: evenly by queue (cost per contact shows none)
            share = Fraction(len(mine), len(queues)) if queues else Fraction(0)
        total += money.to_fraction(amount) * share
    return money.cents(total)
