"""Initiative use cases: propose, approve (with the approved cost), start, deliver,
review the benefits or cancel — the lifecycle is declared once on the model — and the
baseline and measured benefits that ROI and payback are computed from.

A derived benefit compares a month of the initiative's queues' KPI data with the
baseline (``budgets/money.py`` has the formulas) and keeps the figures it used in
``basis``, so the page can show how the amount was arrived at.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from core.audit import audited, save_with_audit
from core.notifications import notify
from core.references import allocate_reference
from core.templatetags.formatting import format_money
from core.transitions import lock, perform_transition
from kpis import formulas as kpi_formulas
from kpis.selectors import intervals_in, sums_for

from . import money
from .choices import FUNDED_INITIATIVE_STATES, BenefitKind, BenefitMethod, CostType
from .models import Baseline, BenefitRecord, Initiative
from .services import parse_money, require

INITIATIVE_FIELDS = ["title", "description", "owner", "budget", "vendor", "contract",
                     "estimated_cost", "expected_benefit", "review_after_months"]


def _money_or_none(value, field):
    return None if value in (None, "") else parse_money(value, field, allow_negative=False)


def _check_links(initiative: Initiative):
    if initiative.contract_id and initiative.vendor_id \
            and initiative.contract.vendor_id != initiative.vendor_id:
        raise ValidationError({"contract": [
            f"{initiative.contract.reference} is not a contract of {initiative.vendor}."]})
    if initiative.contract_id and not initiative.vendor_id:
        initiative.vendor_id = initiative.contract.vendor_id


@transaction.atomic
def initiative_propose(*, by, title: str, owner=None, queues=(), **fields) -> Initiative:
    """Propose an initiative (its owner defaults to whoever proposes it)."""
    require(by, "budgets.propose_initiative", "Your role does not propose initiatives.")
    for name in ("estimated_cost", "expected_benefit"):
        if name in fields:
            fields[name] = _money_or_none(fields[name], name)
    initiative = Initiative(title=title, owner=owner or by, created_by=by,
                            **{k: v for k, v in fields.items() if k in INITIATIVE_FIELDS})
    _check_links(initiative)
    initiative.reference = allocate_reference(Initiative.objects.all(), prefix="INI",
                                              year=timezone.now().year)
    initiative.full_clean(exclude=["state"])
    with audited(initiative, by=by, reason="Proposed"):
        initiative.save()
        if queues:
            initiative.queues.set(queues)
    return initiative


@transaction.atomic
def initiative_update(*, initiative: Initiative, by, queues=None,
                      reason: str = "Initiative changed", **fields) -> Initiative:
    require(by, "budgets.work_initiative", "You may not change this initiative.", initiative)
    initiative = lock(Initiative, initiative.pk)
    for name, value in fields.items():
        if name in ("estimated_cost", "expected_benefit"):
            value = _money_or_none(value, name)
        if name in INITIATIVE_FIELDS:
            setattr(initiative, name, value)
    _check_links(initiative)
    initiative.full_clean(exclude=["state"])
    with audited(initiative, by=by, reason=reason):
        initiative.save()
        if queues is not None:
            initiative.queues.set(queues)
    return initiative


@transaction.atomic
def initiative_approve(*, initiative: Initiative, by, approved_cost, expected_benefit=None,
                       note: str = "") -> Initiative:
    """Approve the initiative with the cost approved (Finance or a Manager)."""
    initiative = lock(Initiative, initiative.pk)
    initiative.approved_cost = _money_or_none(approved_cost, "approved_cost")
    if expected_benefit not in (None, ""):
        initiative.expected_benefit = _money_or_none(expected_benefit, "expected_benefit")
    perform_transition(initiative, "approve", by=by, approved_by=by, at=timezone.now(),
                       reason="Approved at "
                       f"{format_money(initiative.approved_cost, initiative.currency)}"
                       + (f": {note.strip()}" if note and note.strip() else ""))
    if initiative.owner_id != by.pk:
        notify([initiative.owner], title=f"Initiative approved: {initiative}",
               url=initiative.get_absolute_url(),
               body=f"Approved by {by.get_full_name() or by.username} at "
                    f"{initiative.approved_cost} {initiative.currency}.")
    return initiative


@transaction.atomic
def initiative_start(*, initiative: Initiative, by) -> Initiative:
    initiative = lock(Initiative, initiative.pk)
    perform_transition(initiative, "start", by=by, at=timezone.now(), reason="Started")
    return initiative


def review_moment(day: date) -> datetime:
    # The review is due from the start of its day (UTC): the sweep tells the owner then.
    return datetime.combine(day, time.min, tzinfo=UTC)


@transaction.atomic
def initiative_deliver(*, initiative: Initiative, by) -> Initiative:
    """Delivered: the benefits review falls due ``review_after_months`` later (a
    deadline the sweep acts on, ``budgets/tasks.py``)."""
    initiative = lock(Initiative, initiative.pk)
    now = timezone.now()
    due = money.add_months(timezone.localdate(now), initiative.review_after_months)
    perform_transition(initiative, "deliver", by=by, at=now, review_due_on=due,
                       review_notify_at=review_moment(due),
                       reason=f"Delivered; benefits review due {due:%d %b %Y}")
    return initiative


@transaction.atomic
def initiative_review(*, initiative: Initiative, by, realised_benefit=None,
                      notes: str = "") -> Initiative:
    """Close the loop: the realised benefit (default: the measured benefits so far)."""
    initiative = lock(Initiative, initiative.pk)
    if realised_benefit in (None, ""):
        total = initiative.benefits.aggregate(total=Sum("amount"))["total"]
        total = total.quantize(money.CENT) if total is not None else None
        initiative.realised_benefit = total
    else:
        initiative.realised_benefit = parse_money(realised_benefit, "realised_benefit")
    initiative.review_notes = (notes or "").strip()
    perform_transition(initiative, "review_benefits", by=by, at=timezone.now(),
                       reason=f"Benefits reviewed: {initiative.realised_benefit} realised")
    return initiative


@transaction.atomic
def initiative_cancel(*, initiative: Initiative, by, reason: str) -> Initiative:
    initiative = lock(Initiative, initiative.pk)
    initiative.cancel_reason = (reason or "").strip()
    perform_transition(initiative, "cancel", by=by, at=timezone.now(),
                       reason=f"Cancelled: {initiative.cancel_reason}")
    return initiative


INITIATIVE_ACTIONS = {"approve": initiative_approve, "start": initiative_start,
                      "deliver": initiative_deliver, "review_benefits": initiative_review,
                      "cancel": initiative_cancel}


def review_due(initiative: Initiative, now) -> str:
    """Sweep handler (``core.due_rows.sweep_due``): tell the owner once, clear the column."""
    notify([initiative.owner], title=f"Benefits review due: {initiative}",
           url=initiative.get_absolute_url(),
           body=f"Delivered {initiative.delivered_at:%d %b %Y}; record the realised benefit "
                f"and close the review.")
    initiative.review_notify_at = None
    initiative.save(update_fields=["review_notify_at"])
    return "notified"


# --- Baseline and benefits from KPI data ------------------------------------------------------


def _bounds(start: date, end: date):
    return (datetime.combine(start, time.min, tzinfo=UTC),
            datetime.combine(end, time.min, tzinfo=UTC))


def _months_between(start: date, end: date) -> Decimal:
    days = (end - start).days
    return Decimal(days) / Decimal("30.436875")  # the mean Gregorian month


def containment_percent(sums) -> Decimal | None:
    """Contacts handled without a transfer to an agent ÷ contacts handled."""
    handled = sums.get("handled") or 0
    if not handled:
        return None
    return money.rounded(money.to_fraction(handled - (sums.get("transfers") or 0))
                         * 100 / handled)


@dataclass
class KpiSnapshot:
    handled: int
    aht_seconds: Decimal | None
    containment_percent: Decimal | None
    sums: dict = field(default_factory=dict)


def kpi_snapshot(initiative: Initiative, start: date, end: date) -> KpiSnapshot | None:
    """The initiative's queues' handled contacts, AHT and containment over [start, end)."""
    queue_ids = list(initiative.queues.values_list("pk", flat=True))
    if not queue_ids:
        return None
    first, last = _bounds(start, end)
    sums = sums_for(intervals_in(first, last, queue_ids=queue_ids))
    if not sums.get("handled"):
        return None
    return KpiSnapshot(handled=sums["handled"], aht_seconds=kpi_formulas.aht(sums),
                       containment_percent=containment_percent(sums), sums=sums)


@transaction.atomic
def baseline_take(*, initiative: Initiative, by, method: str, period_start: date | None = None,
                  period_end: date | None = None, cost_per_minute=None, cost_per_contact=None,
                  aht_seconds=None, containment=None, contacts_per_month=None) -> Baseline:
    """Take (or retake) the baseline: from the queues' KPI data over the period when it
    has any, else from the figures given."""
    require(by, "budgets.work_initiative", "You may not change this initiative.", initiative)
    if method not in BenefitMethod.values:
        raise ValidationError({"method": [f"“{method}” is not a benefit method."]})
    if period_start and period_end and period_end <= period_start:
        raise ValidationError({"period_end": ["The period must end after it starts."]})
    baseline = Baseline.objects.filter(initiative=initiative).first() or Baseline(
        initiative=initiative)
    baseline.method, baseline.period_start, baseline.period_end = method, period_start, period_end
    baseline.cost_per_minute = _rate(cost_per_minute, "cost_per_minute")
    baseline.cost_per_contact = _rate(cost_per_contact, "cost_per_contact")
    snapshot = kpi_snapshot(initiative, period_start, period_end) \
        if period_start and period_end else None
    if snapshot is not None:
        months = _months_between(period_start, period_end)
        baseline.aht_seconds = snapshot.aht_seconds
        baseline.containment_percent = snapshot.containment_percent
        baseline.contacts_per_month = int(money.rounded(Decimal(snapshot.handled) / months, 0))
        baseline.from_kpi_data = True
    else:
        baseline.aht_seconds = _figure(aht_seconds, "aht_seconds")
        baseline.containment_percent = _figure(containment, "containment_percent")
        baseline.contacts_per_month = contacts_per_month or None
        baseline.from_kpi_data = False
    needs = {BenefitMethod.AHT_REDUCTION: ("aht_seconds", "cost_per_minute"),
             BenefitMethod.CONTAINMENT: ("containment_percent", "cost_per_contact")}
    missing = {name: ["Needed for this method (no KPI data for the period gives it)."]
               for name in needs.get(method, ()) if getattr(baseline, name) is None}
    if missing:
        raise ValidationError(missing)
    baseline.taken_by, baseline.taken_at = by, timezone.now()
    baseline.full_clean(exclude=["initiative"])
    save_with_audit(baseline, by=by, reason="Baseline taken"
                    + (" from KPI data" if baseline.from_kpi_data else ""))
    return baseline


def _rate(value, name):
    if value in (None, ""):
        return None
    try:
        rate = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({name: [f"“{value}” is not a rate."]}) from None
    if not rate.is_finite() or rate < 0 or rate > Decimal("99999999"):
        raise ValidationError({name: [f"“{value}” is not a rate."]})
    return rate.quantize(Decimal("0.0001"))


def _figure(value, name):
    if value in (None, ""):
        return None
    try:
        figure = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({name: [f"“{value}” is not a number."]}) from None
    if not figure.is_finite() or figure < 0 or figure > Decimal("99999999"):
        raise ValidationError({name: [f"“{value}” is not a number."]})
    return figure.quantize(Decimal("0.01"))


def _month(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, money.add_months(first, 1)


def _save_benefit(record: BenefitRecord, *, by, reason):
    record.full_clean(exclude=["initiative", "recorded_by"])
    try:
        with transaction.atomic():
            save_with_audit(record, by=by, reason=reason)
    except IntegrityError:
        raise ValidationError({"period_start": [
            f"A {record.get_kind_display().lower()} benefit is already recorded this way for "
            f"{record.period_start:%B %Y}."]}) from None
    return record


def benefit_not_yet(initiative) -> str | None:
    """Why no benefit can be recorded now (None: it can) — the page hides the forms and
    the service refuses with these same words."""
    if initiative.state not in FUNDED_INITIATIVE_STATES:
        return (f"Benefits are recorded once the initiative is approved; it is "
                f"{initiative.get_state_display().lower()}.")
    return None


def _check_benefit_allowed(initiative, by) -> Initiative:
    initiative = Initiative.objects.get(pk=initiative.pk)  # the state as it is now
    require(by, "budgets.record_benefit", "You may not record this initiative's benefits.",
            initiative)
    if (why := benefit_not_yet(initiative)) is not None:
        raise ValidationError({"initiative": [why]})
    return initiative


@transaction.atomic
def benefit_record(*, initiative: Initiative, by, period_start: date, amount,
                   kind: str = BenefitKind.COST_SAVED, note: str = "") -> BenefitRecord:
    """Record a measured benefit for a month, as figured by the owner."""
    initiative = _check_benefit_allowed(initiative, by)
    first, end = _month(period_start)
    record = BenefitRecord(initiative=initiative, period_start=first, period_end=end, kind=kind,
                           method=BenefitMethod.ENTERED, amount=parse_money(amount, "amount"),
                           note=(note or "").strip(), recorded_by=by,
                           recorded_at=timezone.now())
    return _save_benefit(record, by=by, reason="Benefit recorded")


class NoKpiData(ValidationError):
    pass


@transaction.atomic
def benefit_derive(*, initiative: Initiative, by, period_start: date,
                   note: str = "") -> BenefitRecord:
    """Derive the month's benefit from the KPI change against the baseline:

    * AHT reduction: (baseline AHT − month's AHT) ÷ 60 × month's contacts handled ×
      cost per agent-minute;
    * containment: (month's containment − baseline containment) × month's contacts
      handled × cost per contact.
    """
    initiative = _check_benefit_allowed(initiative, by)
    baseline = Baseline.objects.filter(initiative=initiative).first()
    if baseline is None or baseline.method == BenefitMethod.ENTERED:
        raise ValidationError({"baseline": ["Take a KPI baseline (AHT or containment) first."]})
    first, end = _month(period_start)
    snapshot = kpi_snapshot(initiative, first, end)
    if snapshot is None:
        raise NoKpiData({"period_start": [
            f"The initiative's queues have no KPI data for {first:%B %Y}."]})
    if baseline.method == BenefitMethod.AHT_REDUCTION:
        amount = money.aht_reduction_benefit(
            baseline_aht_seconds=baseline.aht_seconds, measured_aht_seconds=snapshot.aht_seconds,
            contacts=snapshot.handled, cost_per_minute=baseline.cost_per_minute)
        basis = {"formula": "(baseline AHT − AHT) ÷ 60 × contacts × cost per minute",
                 "baseline_aht_seconds": str(baseline.aht_seconds),
                 "aht_seconds": str(snapshot.aht_seconds), "contacts": snapshot.handled,
                 "cost_per_minute": str(baseline.cost_per_minute)}
    else:
        amount = money.containment_benefit(
            baseline_percent=baseline.containment_percent,
            measured_percent=snapshot.containment_percent, contacts=snapshot.handled,
            cost_per_contact=baseline.cost_per_contact)
        basis = {"formula": "(containment − baseline containment) × contacts × cost per contact",
                 "baseline_containment_percent": str(baseline.containment_percent),
                 "containment_percent": str(snapshot.containment_percent),
                 "contacts": snapshot.handled, "cost_per_contact": str(baseline.cost_per_contact)}
    record = BenefitRecord(initiative=initiative, period_start=first, period_end=end,
                           kind=BenefitKind.COST_SAVED, method=baseline.method, amount=amount,
                           basis=basis, note=(note or "").strip(), recorded_by=by,
                           recorded_at=timezone.now())
    return _save_benefit(record, by=by, reason="Benefit derived from KPI data")


# --- Figures ----------------------------------------------------------------------------------


@dataclass
class InitiativeFigures:
    cost: Decimal  # what ROI divides by
    cost_source: str  # "spend" (actual entries) or "approved" / "estimated"
    one_time_cost: Decimal
    recurring_cost: Decimal
    benefit: Decimal
    months_measured: int
    roi_percent: Decimal | None
    payback_months: Decimal | None
    expected_roi_percent: Decimal | None
    expected_payback_months: Decimal | None
    series: list  # [{month, cost, benefit}] cumulative, for the chart


SPEND_FIELDS = ("date", "amount", "cost_type")
BENEFIT_FIELDS = ("period_start", "amount")


def initiative_figures(initiative: Initiative, *, spend: list | None = None,
                       benefits: list | None = None) -> InitiativeFigures:
    """Cost, benefit, ROI = (benefit − cost) ÷ cost and simple payback = one-time cost ÷
    (monthly benefit − monthly recurring cost), from the spend entries and benefit
    records (the approved cost stands in until spend is booked).

    ``spend`` and ``benefits`` (dicts of ``SPEND_FIELDS`` / ``BENEFIT_FIELDS``) are
    read here when not given: ``budgets.selectors.initiatives_roi`` reads them for
    many initiatives at once and passes each its own."""
    if spend is None:
        spend = list(initiative.spend.values(*SPEND_FIELDS))
    if benefits is None:
        benefits = list(initiative.benefits.values(*BENEFIT_FIELDS))
    one_time = sum((s["amount"] for s in spend if s["cost_type"] == CostType.ONE_TIME),
                   Decimal("0.00"))
    recurring = sum((s["amount"] for s in spend if s["cost_type"] == CostType.RECURRING),
                    Decimal("0.00"))
    if spend:
        cost, source = one_time + recurring, "spend"
    elif initiative.approved_cost is not None:
        cost, source, one_time = initiative.approved_cost, "approved", initiative.approved_cost
    else:
        cost, source = initiative.estimated_cost or Decimal("0.00"), "estimated"
        one_time = cost
    benefit = sum((b["amount"] for b in benefits), Decimal("0.00"))
    months = sorted({b["period_start"] for b in benefits})
    recurring_months = sorted({s["date"].replace(day=1) for s in spend
                               if s["cost_type"] == CostType.RECURRING})
    payback = None
    if months:
        monthly_benefit = money.to_fraction(benefit) / len(months)
        monthly_recurring = (money.to_fraction(recurring) / len(recurring_months)
                             if recurring_months else 0)
        payback = money.payback_months(one_time, monthly_benefit, monthly_recurring)
    expected_roi = expected_payback = None
    if initiative.expected_benefit is not None:
        base = initiative.approved_cost if initiative.approved_cost is not None \
            else initiative.estimated_cost
        if base is not None:
            expected_roi = money.roi(initiative.expected_benefit, base)
            expected_payback = money.payback_months(
                base, money.to_fraction(initiative.expected_benefit) / 12)
    return InitiativeFigures(
        cost=cost, cost_source=source, one_time_cost=one_time, recurring_cost=recurring,
        benefit=benefit, months_measured=len(months), roi_percent=money.roi(benefit, cost),
        payback_months=payback, expected_roi_percent=expected_roi,
        expected_payback_months=expected_payback,
        series=_cumulative(spend, benefits, initiative))


def _cumulative(spend, benefits, initiative) -> list[dict]:
    by_month: dict[date, list[Decimal]] = {}
    for s in spend:
        by_month.setdefault(s["date"].replace(day=1), [Decimal(0), Decimal(0)])[0] += s["amount"]
    for b in benefits:
        by_month.setdefault(b["period_start"], [Decimal(0), Decimal(0)])[1] += b["amount"]
    if not spend and initiative.approved_at and by_month:
        first = min([*by_month, timezone.localdate(initiative.approved_at).replace(day=1)])
        by_month.setdefault(first, [Decimal(0), Decimal(0)])[0] += initiative.approved_cost
    series, cost, benefit = [], Decimal(0), Decimal(0)
    for month in sorted(by_month):
        cost += by_month[month][0]
        benefit += by_month[month][1]
        series.append({"month": month, "cost": cost, "benefit": benefit})
    return series
