"""Reads of vendor SLAs: the credit ledger, the weighted scorecard with its 12-period
trend, the vendors ranked by score, and the money lost to missed claim windows.

The scorecard is monthly: a month's score is the weighted mean of the scores of the
compliance rows whose period starts in that month (``vendors.sla.attainment_score``:
met = 100, missed scored by distance), ``Σ weight × score ÷ Σ weight``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from . import sla
from .choices import CreditLedgerFilter, CreditState, MeasurementPeriod
from .models import Compliance, ServiceCredit
from .selectors import downtime_by_vendor

MONTH = MeasurementPeriod.MONTH
CENT = Decimal("0.01")


def last_closed_month(today: date | None = None) -> date:
    today = today or timezone.now().date()
    return sla.previous_period(sla.period_start(today, MONTH), MONTH)


def ledger_filter(name: str, today: date) -> Q:
    """The ledger's filters: due to claim (accrued, window open), claimed, disputed,
    overdue (accrued, window passed)."""
    if name == CreditLedgerFilter.DUE:
        return Q(state=CreditState.ACCRUED, claim_deadline__gte=today)
    if name == CreditLedgerFilter.CLAIMED:
        return Q(state=CreditState.CLAIMED)
    if name == CreditLedgerFilter.DISPUTED:
        return Q(state=CreditState.DISPUTED)
    if name == CreditLedgerFilter.OVERDUE:
        return Q(state=CreditState.ACCRUED, claim_deadline__lt=today)
    return Q()


def credits_for_ledger(queryset=None):
    queryset = ServiceCredit.objects.all() if queryset is None else queryset
    return queryset.select_related("vendor", "contract", "objective", "compliance")


@dataclass
class Lost:
    count: int = 0
    total: Decimal = Decimal(0)
    currency: str = ""
    credits: list = field(default_factory=list)


def credits_lost(limit: int = 10) -> Lost:
    """Credits whose claim window passed unclaimed: money lost (the dashboard)."""
    rows = ServiceCredit.objects.filter(state=CreditState.ACCRUED,
                                        window_missed_at__isnull=False)
    summary = rows.aggregate(total=Sum("amount"))
    found = list(credits_for_ledger(rows).order_by("-claim_deadline")[:limit])
    return Lost(rows.count(), Decimal(summary["total"] or 0).quantize(CENT),
                found[0].currency if found else "", found)


def credits_closing(today: date, days: int = 7, limit: int = 10) -> list:
    """Accrued credits whose claim window closes within ``days``."""
    return list(credits_for_ledger(ServiceCredit.objects.filter(
        state=CreditState.ACCRUED, claim_deadline__gte=today,
        claim_deadline__lte=today + timedelta(days=days)))
        .order_by("claim_deadline")[:limit])


def month_scores(rows) -> dict:
    """``{(vendor id, month): weighted score}`` of compliance rows (as read by
    :func:`compliance_between`, their objective and contract selected)."""
    pairs = defaultdict(list)
    for row in rows:
        month = sla.period_start(row.period_start, MONTH)
        pairs[(row.objective.contract.vendor_id, month)].append((row.objective.weight, row.score))
    return {key: sla.weighted_score(values) for key, values in pairs.items()}


def compliance_between(vendor_ids, first: date, end: date) -> list:
    """The compliance rows of periods starting in ``[first, end)`` for ``vendor_ids``
    (every vendor when ``None``), in one query, objective and contract selected."""
    query = Compliance.objects.filter(period_start__gte=first, period_start__lt=end)
    if vendor_ids is not None:
        query = query.filter(objective__contract__vendor_id__in=vendor_ids)
    return list(query.select_related("objective__contract").order_by("period_start", "pk"))


def scores_by_month(vendor_ids, *, first: date, month: date) -> dict:
    """``{(vendor id, month): score}`` for the months ``first`` … ``month`` of several
    vendors in one query (``score_trend`` is the one-vendor list of it)."""
    return month_scores(compliance_between(vendor_ids, first, sla.period_end(month, MONTH)))


def score_trend(vendor, *, month: date | None = None, periods: int = 12) -> list[dict]:
    """The vendor's monthly score over the ``periods`` months ending with ``month``."""
    month = month or last_closed_month()
    months = [month]
    for _ in range(periods - 1):
        months.insert(0, sla.previous_period(months[0], MONTH))
    scores = scores_by_month([vendor.pk], first=months[0], month=month)
    return [{"month": m, "label": f"{m:%b %y}", "score": scores.get((vendor.pk, m))}
            for m in months]


@dataclass
class Scorecard:
    vendor: object
    month: date
    score: Decimal | None
    rows: list
    trend: list
    owed: Decimal
    received: Decimal
    lost: Decimal
    flags: int
    incidents: int
    downtime_minutes: int
    currency: str

    @property
    def label(self):
        return f"{self.month:%B %Y}"


def vendor_scorecard(vendor, *, month: date | None = None) -> Scorecard:
    """One vendor's month: each objective's result and score, the weighted score, the
    trend, credits owed and received, incidents and downtime, reconciliation flags."""
    month = month or last_closed_month()
    end = sla.period_end(month, MONTH)
    rows = compliance_between([vendor.pk], month, end)
    score = sla.weighted_score((row.objective.weight, row.score) for row in rows)
    credits = ServiceCredit.objects.filter(vendor=vendor)
    open_states = (CreditState.ACCRUED, CreditState.CLAIMED, CreditState.ACCEPTED,
                   CreditState.DISPUTED)
    owed = sum((c.expected_amount for c in credits.filter(state__in=open_states,
                                                          window_missed_at__isnull=True)),
               Decimal(0))
    received = credits.filter(state=CreditState.RECEIVED).aggregate(
        total=Sum("received_amount"))["total"] or Decimal(0)
    lost = credits.filter(state=CreditState.ACCRUED, window_missed_at__isnull=False).aggregate(
        total=Sum("amount"))["total"] or Decimal(0)
    # SQLite sums decimals as floats without their scale: money is shown in cents.
    owed, received, lost = (amount.quantize(CENT) for amount in (owed, received, lost))
    downtime = downtime_by_vendor([vendor.pk], start=sla.instant(month),
                                  end=sla.instant(end))[vendor.pk]
    currency = rows[0].currency if rows else ""
    return Scorecard(vendor, month, score, rows, score_trend(vendor, month=month), owed,
                     received, lost, sum(1 for r in rows if r.flagged),
                     len({d.attribution.incident_id for d in downtime.incidents}),
                     downtime.minutes, currency)


def vendors_ranked(*, month: date | None = None) -> list[dict]:
    """Every vendor with a score for ``month`` (the last closed month), best first, with
    the month before for the movement."""
    month = month or last_closed_month()
    before = sla.previous_period(month, MONTH)
    rows = compliance_between(None, before, sla.period_end(month, MONTH))
    scores = month_scores(rows)
    vendors = {row.objective.contract.vendor_id for row in rows}
    from .models import Vendor

    names = dict(Vendor.objects.filter(pk__in=vendors).values_list("pk", "name"))
    ranked = []
    for vendor_id in vendors:
        score = scores.get((vendor_id, month))
        if score is None:
            continue
        previous = scores.get((vendor_id, before))
        missed = sum(1 for r in rows if r.objective.contract.vendor_id == vendor_id
                     and sla.period_start(r.period_start, MONTH) == month and not r.met)
        ranked.append({"vendor_id": vendor_id, "name": names.get(vendor_id, ""),
                       "score": score, "previous": previous, "missed": missed,
                       "change": None if previous is None else score - previous})
    ranked.sort(key=lambda r: (-r["score"], r["name"]))
    return ranked
