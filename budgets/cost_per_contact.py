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


def _shares(queue_ids, start, end) -> dict:
    """``{queue id: Fraction of its vendor's spend}`` for the queues whose vendor spent
    in the period (three queries whatever the number of queues)."""
    from kpis.choices import GroupBy
    from kpis.models import Queue
    from kpis.selectors import grouped_sums, intervals_in

    wanted = set(queue_ids)
    vendor_of = dict(Queue.objects.filter(pk__in=list(wanted), vendor__isnull=False)
                     .values_list("pk", "vendor_id"))
    if not vendor_of:
        return {}
    vendor_ids = set(vendor_of.values())
    spent = dict(SpendEntry.objects.filter(vendor_id__in=vendor_ids, date__gte=_day(start),
                                           date__lt=_day(end)).order_by().values_list("vendor_id")
                 .annotate(total=Sum("amount")))
    if not spent:
        return {}
    # Every queue of those vendors, the requested ones and the others, shares the spend.
    handled = {key: sums["handled"] for key, sums in grouped_sums(
        intervals_in(start, end).filter(queue__vendor_id__in=vendor_ids), GroupBy.QUEUE)}
    vendor_queues = {}
    for queue_id, vendor_id in Queue.objects.filter(vendor_id__in=vendor_ids).values_list(
            "pk", "vendor_id"):
        vendor_queues.setdefault(vendor_id, []).append(queue_id)
    shares = {}
    for vendor_id, amount in spent.items():
        queues = vendor_queues.get(vendor_id, [])
        all_handled = sum(handled.get(q, 0) for q in queues)
        for queue_id in (q for q in queues if q in wanted):
            if all_handled:
                share = Fraction(handled.get(queue_id, 0), all_handled)
            else:  # nothing handled anywhere: evenly by queue (cost per contact shows none)
                share = Fraction(1, len(queues))
            shares[queue_id] = money.to_fraction(amount) * share
    return shares


def spend(queue_ids, start, end) -> Decimal | None:
    """The spend of ``queue_ids`` together, rounded once."""
    shares = _shares(queue_ids, start, end)
    return money.cents(sum(shares.values(), Fraction(0))) if shares else None


def spend_by_queue(queue_ids, start, end) -> dict:
    """``{queue id: spend or None}`` for many queues at once (a page of KPI rows)."""
    shares = _shares(queue_ids, start, end)
    return {queue_id: money.cents(shares[queue_id]) if queue_id in shares else None
            for queue_id in queue_ids}


# kpis.spend asks a source for a whole page at once when it can.
spend.by_queue = spend_by_queue
