"""Vendor SLA use cases: objectives and their credit schedules, measurements (entered,
imported, pushed, computed), compliance per period, service credits from accrual to
the money, reconciliation disputes and the claim letter.

The rules live here once; web views, API actions, admin actions, the import, the
period-close task and the demo call these functions.

* **Compliance** (:func:`compliance_compute`) takes the self-measured value when there
  is one (computed from our own data through ``vendors/measurement_sources.py``, never
  typed twice), else the vendor-reported one; compares it with the target of the
  objective version in force on the period's first day; and prices the miss with
  ``vendors/credit_rules.py`` (money rounded once). It is recomputed whenever the data
  behind it changes (a measurement entered or imported, an exclusion tagged, an
  incident attributed) and by the daily close, until the credit is claimed: a claimed
  figure is what we asked for and is not rewritten behind the claim.
* **Credits** are accrued by the same function, exactly once per objective and period
  (a one-to-one on the compliance row). Their claim window is a set of deadline rows
  (``vendors/credit_deadlines.py``).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audited, save_with_audit, system_user
from core.events import emit
from core.transitions import lock, perform_transition
from core.why_not import require_perm

from .. import events, sla
from ..choices import ClaimWindowFrom, CreditState, MeasurementOrigin, MeasurementSource
from ..credit_rules import FeeLine as RuleFeeLine
from ..credit_rules import credit_due, fee_base, fmt_number
from ..measurement_sources import MeasurementRequest, has_source, measure
from ..models import Compliance, Measurement, ServiceCredit, SlaObjective
from .base import _decimal, latest_version, version_for

# --- Measurements ------------------------------------------------------------------------


def _closed_period(objective, period_start_day):
    start = sla.period_start(period_start_day, objective.period)
    if start != period_start_day:
        raise ValidationError({"period_start": f"A {objective.get_period_display().lower()} "
                                               f"starts on {start}."})
    return start, sla.period_end(start, objective.period)


@transaction.atomic
def measurement_record(*, objective: SlaObjective, by, period_start: date, value,
                       source: str = MeasurementSource.VENDOR,
                       origin: str = MeasurementOrigin.ENTERED, detail: str = "",
                       basis: dict | None = None, refresh: bool = True) -> Measurement:
    """Record a figure for an objective's period (vendor-reported by default; a
    self-measured figure only for a metric we cannot compute). The period's compliance
    is recomputed. Recording it again replaces it (audited)."""
    require_perm(by, "vendors.record_measurement", message="Your role cannot record measurements.")
    errors = {}
    objective = version_for(objective.series, period_start) or objective
    number = _decimal(value, "value", minimum=Decimal(0),
                      maximum=Decimal(100) if objective.is_percent else None, errors=errors)
    if source not in MeasurementSource.values:
        errors["source"] = "self or vendor."
    elif source == MeasurementSource.SELF and origin != MeasurementOrigin.COMPUTED and \
            has_source(objective.metric):
        errors["source"] = ("Switchboard measures this metric itself: it is never typed "
                            "twice.")
    if period_start < objective.effective_from:
        errors["period_start"] = f"The objective applies from {objective.effective_from}."
    elif period_start > timezone.now().date():
        errors["period_start"] = "That period has not started yet."
    if "\x00" in (detail or ""):
        errors["detail"] = "Null characters are not allowed."
    if errors:
        raise ValidationError(errors)
    start, end = _closed_period(objective, period_start)
    existing = Measurement.objects.filter(objective=objective, period_start=start,
                                          source=source).first()
    row = existing or Measurement(objective=objective, period_start=start, period_end=end,
                                  source=source)
    row.value, row.origin, row.detail = number, origin, (detail or "").strip()
    row.basis, row.recorded_by, row.recorded_at = basis or {}, by, timezone.now()
    row.full_clean(exclude=["objective", "recorded_by"])
    verb = {"imported": "Imported", "pushed": "Pushed", "computed": "Computed"}.get(
        origin, "Entered")
    save_with_audit(row, by=by, reason=f"{verb}{' again' if existing else ''}")
    if refresh:
        _refresh(objective, start, by=by)
    return row


# --- Compliance and credits ---------------------------------------------------------------


def _request(objective, start, end):
    options = dict(objective.options or {})
    options.update(excluded_kinds=list(objective.excluded_kinds or []),
                   uptime_formula=objective.uptime_formula, contract_id=objective.contract_id)
    return MeasurementRequest(metric=objective.metric, start=sla.instant(start),
                              end=sla.instant(end), queue_ids=tuple(objective.queue_ids or ()),
                              vendor_id=objective.contract.vendor_id, options=options)


def _self_measure(objective, start, end, by):
    """Computed self-measured value (stored, refreshed); None when not measurable."""
    if not has_source(objective.metric):
        return Measurement.objects.filter(objective=objective, period_start=start,
                                          source=MeasurementSource.SELF).first()
    measured = measure(_request(objective, start, end))
    existing = Measurement.objects.filter(objective=objective, period_start=start,
                                          source=MeasurementSource.SELF).first()
    if measured is None:
        if existing is not None:
            with audited(existing, by=by, reason="No data any more"):
                existing.delete()
        return None
    if existing and existing.value == measured.value and existing.basis == measured.basis:
        return existing
    row = existing or Measurement(objective=objective, period_start=start, period_end=end,
                                  source=MeasurementSource.SELF)
    row.value, row.detail, row.basis = measured.value, measured.detail, measured.basis
    row.origin, row.recorded_by, row.recorded_at = MeasurementOrigin.COMPUTED, by, timezone.now()
    save_with_audit(row, by=by, reason="Recomputed" if existing else "Computed")
    return row


def fee_base_for(objective) -> tuple[Decimal, str]:
    """The period's fee base of an objective's schedule and how the explanation names it."""
    contract = objective.contract
    chosen = list(objective.schedule.fee_lines.all())
    lines = chosen or list(contract.fee_lines.all())
    rules_lines = [RuleFeeLine(line.name, sla.period_fee(line.amount, contract.billing_period,
                                                         objective.period),
                               one_time=line.kind == "one_time") for line in lines]
    if not lines and contract.value is not None:
        rules_lines = [RuleFeeLine("contract", sla.period_fee(contract.value,
                                                              contract.billing_period,
                                                              objective.period))]
    names = [line.name for line in rules_lines if not line.one_time]
    label = (" + ".join(names) if len(names) <= 3 else f"{len(names)} fee lines") + " fees" \
        if names else "fees"
    return fee_base(rules_lines), label


def _outage_minutes(measurement):
    outages = (measurement.basis or {}).get("outages", []) if measurement else []
    return tuple(Decimal(o["minutes"]) for o in outages if Decimal(o["minutes"]) > 0)


def evaluate(objective, value: Decimal, *, outage_minutes=()):
    """Met, shortfall, score and the credit (``credit_rules.CreditResult``) of a value."""
    met = sla.is_met(value, objective.comparator, objective.target)
    base, names = fee_base_for(objective)
    rules = sla.schedule_rules(objective.schedule, list(objective.schedule.bands.all()),
                               objective.unit)
    result = credit_due(rules, missed=not met, value=value, fee_base=base, fee_names=names,
                        currency=objective.contract.currency, outage_minutes=outage_minutes)
    if not met:
        target = (f"{fmt_number(value)}{objective.unit} is not "
                  f"{objective.target_text()}")
        result.explanation = f"{target}: {result.explanation}"
    return (met, sla.shortfall(value, objective.comparator, objective.target),
            sla.attainment_score(value, objective.comparator, objective.target,
                                 objective.is_percent), result)


def _claim_window_start(objective, compliance, measurement):
    if objective.schedule.claim_window_from == ClaimWindowFrom.INCIDENT and measurement:
        ends = [datetime.fromisoformat(o["end"]).date()
                for o in (measurement.basis or {}).get("outages", [])]
        if ends:
            return min(max(min(ends), compliance.period_start), compliance.period_end)
    return compliance.period_end


@transaction.atomic
def compliance_compute(*, objective: SlaObjective, period_start: date, by=None,
                       now: datetime | None = None) -> Compliance | None:
    """Compute (or refresh) an objective's compliance for a closed period, and accrue
    its credit when it is missed — exactly once per objective and period.

    Returns None for a period not over yet or not measured at all."""
    by = by or system_user()
    now = now or timezone.now()
    version = version_for(objective.series, period_start)
    if version is None:
        return None
    start, end = _closed_period(version, period_start)
    if sla.instant(end) > now:
        return None
    own = _self_measure(version, start, end, by)
    reported = Measurement.objects.filter(objective=version, period_start=start,
                                          source=MeasurementSource.VENDOR).first()
    used = own or reported
    existing = Compliance.objects.filter(objective=version, period_start=start).first()
    credit = getattr(existing, "credit", None) if existing else None
    if credit is not None and credit.state != CreditState.ACCRUED:
        return existing  # claimed: the figures asked for stay as they were
    if used is None:
        return existing
    met, short, score, result = evaluate(version, used.value,
                                         outage_minutes=_outage_minutes(own))
    compliance = existing or Compliance(objective=version, period_start=start, period_end=end)
    compliance.source = used.source
    compliance.value, compliance.met, compliance.shortfall = used.value, met, short
    compliance.band, compliance.percent = result.matched[:200], result.percent
    compliance.fee_base = result.fee_base.quantize(Decimal("0.01"))
    compliance.credit_amount, compliance.currency = result.amount, version.contract.currency
    compliance.explanation, compliance.score = result.explanation, score
    compliance.self_value = own.value if own else None
    compliance.vendor_value = reported.value if reported else None
    compliance.flagged = bool(own and reported
                              and abs(own.value - reported.value) > version.tolerance)
    compliance.computed_at = now
    save_with_audit(compliance, by=by, reason="Refreshed" if existing else "Period closed")
    _accrue(version, compliance, credit, own, by=by, now=now)
    if met:
        _earn_back(version, compliance, by=by, now=now)
    return compliance


def _accrue(objective, compliance, credit, measurement, *, by, now):
    from ..credit_deadlines import schedule_credit_deadlines

    amount = compliance.credit_amount
    if credit is None:
        if amount <= 0:
            return None
        window_start = _claim_window_start(objective, compliance, measurement)
        credit = ServiceCredit(
            compliance=compliance, objective=objective, contract=objective.contract,
            vendor=objective.contract.vendor, period_start=compliance.period_start,
            period_end=compliance.period_end, currency=compliance.currency, amount=amount,
            explanation=compliance.explanation, claim_window_start=window_start,
            claim_deadline=window_start - timedelta(days=1)
            + timedelta(days=objective.schedule.claim_window_days), created_at=now)
        try:
            with transaction.atomic():
                save_with_audit(credit, by=by, reason="Accrued: the objective was missed")
        except IntegrityError:
            return None  # accrued meanwhile by another close: once only
        schedule_credit_deadlines(credit)
        emit(events.CREDIT_ACCRUED, credit, by=by, at=now)
        return credit
    if amount <= 0:
        credit.waive_reason = f"Recomputed: {compliance.explanation}"
        perform_transition(credit, "waive", by=by, reason="Waived: no credit due any more",
                           at=now)
        schedule_credit_deadlines(credit)
        return credit
    if credit.amount != amount or credit.explanation != compliance.explanation:
        credit.amount, credit.explanation = amount, compliance.explanation
        save_with_audit(credit, by=by, reason="Recomputed from changed data")
    return credit


def _earn_back(objective, compliance, *, by, now):
    """A credit still accrued is forgiven when the next N periods were all met and
    its schedule says so (earn-back)."""
    for credit in ServiceCredit.objects.filter(
            objective__series=objective.series, state=CreditState.ACCRUED,
            objective__schedule__earn_back_periods__isnull=False,
            period_start__lt=compliance.period_start).select_related("objective__schedule"):
        wanted = credit.objective.schedule.earn_back_periods
        following = list(Compliance.objects.filter(
            objective__series=objective.series, period_start__gte=credit.period_end)
            .order_by("period_start").values_list("met", flat=True)[:wanted])
        if len(following) == wanted and all(following):
            credit = lock(ServiceCredit, credit.pk)
            credit.waive_reason = ("Earned back: the next period was met." if wanted == 1
                                   else f"Earned back: the next {wanted} periods were met.")
            perform_transition(credit, "waive", by=by, reason="Earned back", at=now)
            from ..credit_deadlines import schedule_credit_deadlines

            schedule_credit_deadlines(credit)


def _refresh(objective, start, *, by):
    """Recompute a period's compliance if the period is over (data changed)."""
    return compliance_compute(objective=objective, period_start=start, by=by)


def refresh_vendor_periods(vendor_id, start: datetime, end: datetime, *, by=None) -> int:
    """Recompute the closed periods of a vendor's objectives that ``[start, end)`` touches
    (an exclusion tagged or removed, an incident attributed): never typed twice."""
    series = set(SlaObjective.objects.filter(contract__vendor_id=vendor_id)
                 .values_list("series", flat=True))
    return refresh_series_periods(series, start, end, by=by)


def refresh_series_periods(series, start: datetime, end: datetime, *, by=None) -> int:
    """Recompute the closed periods of these objective series that ``[start, end)``
    touches, each under its latest version's period length."""
    count = 0
    first = start.date()
    last = min(end, timezone.now()).date()
    for key in series:
        objective = latest_version(key)
        day = sla.period_start(first, objective.period)
        while day <= last:
            if compliance_compute(objective=objective, period_start=day, by=by) is not None:
                count += 1
            day = sla.period_end(day, objective.period)
    return count


def periods_close(*, now: datetime | None = None, lookback_periods: int = 3) -> dict:
    """The daily close: every active objective's periods that ended are computed, and
    the last ``lookback_periods`` are refreshed (late data, late exclusions). Credits
    are accrued as a side effect, once each."""
    now = now or timezone.now()
    today = now.date()
    by = system_user()
    totals = {"computed": 0, "credits": 0}
    for key in set(SlaObjective.objects.filter(
            contract__state__in=("active", "renewed", "notice_given", "expired", "terminated"))
            .values_list("series", flat=True)):
        latest = latest_version(key)
        first = max(SlaObjective.objects.filter(series=key).order_by("effective_from")
                    .first().effective_from, latest.contract.start_date)
        done = set(Compliance.objects.filter(objective__series=key)
                   .values_list("period_start", flat=True))
        periods = sla.periods_between(first, min(today, latest.contract.end_date
                                                 + timedelta(days=1)), latest.period)
        recent = {start for start, _ in periods[-lookback_periods:]}
        for start, _end in periods:
            version = version_for(key, start)
            if version is None or not version.active:
                continue
            if start in done and start not in recent:
                continue
            before = ServiceCredit.objects.filter(objective__series=key).count()
            if compliance_compute(objective=version, period_start=start, by=by, now=now):
                totals["computed"] += 1
            totals["credits"] += ServiceCredit.objects.filter(
                objective__series=key).count() - before
    return totals
