"""The incident cost page: the costliest incidents of a period (money roles only).

Its URLs are in ``budgets/incident_cost_urls.py``, included by ``budgets/urls.py``.
"""

from datetime import date

from django.shortcuts import render
from django.utils import timezone

from core.web_forms import page_reader

from . import money
from .incident_cost import costliest, months_back


def _month(value: str | None) -> date | None:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


@page_reader("budgets.read_incident_cost")
def incident_costs(request):
    """``?from=2026-03&to=2026-05`` (months, both included); the last three by default."""
    this_month = timezone.localdate().replace(day=1)
    last = _month(request.GET.get("to")) or this_month
    first = _month(request.GET.get("from")) or months_back(last, 3)[0]
    if first > last:
        first, last = last, first
    rows = list(costliest(first, last))
    return render(request, "budgets/incident_costs.html", {
        "rows": rows, "first": first, "last": last, "until": money.add_months(last, 1),
    })
