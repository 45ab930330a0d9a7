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
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audited, save_with_audit, system_user
from core.events import emit
from core.hooks import announce_change
from core.transitions import lock, perform_transition

from .. import events, sla
from ..choices import (
    PERCENT_METRICS,
    BandKind,
    ClaimWindowFrom,
    Comparator,
    CreditState,
    ExclusionKind,
    MeasurementOrigin,
    MeasurementPeriod,
    MeasurementSource,
    MinimumRule,
    SlaMetric,
    UptimeFormula,
)
from ..credit_rules import FeeLine as RuleFeeLine
from ..credit_rules import credit_due, fee_base, fmt_money, fmt_number
from ..measurement_sources import MeasurementRequest, has_source, measure
from ..models import (
    Compliance,
    Contract,
    CreditBand,
    CreditSchedule,
    Measurement,
    ReconciliationDispute,
    ServiceCredit,
    SlaObjective,
)

OBJECTIVE_FIELDS = ["name", "metric", "comparator", "target", "period", "queue_ids", "options",
                    "uptime_formula", "excluded_kinds", "tolerance", "weight", "active"]
SCHEDULE_FIELDS = ["duration_per_outage", "minimum_amount", "minimum_rule", "cap_percent",
                   "cap_amount", "claim_window_days", "claim_window_from", "payment",
                   "earn_back_periods"]
OPTION_KEYS = {"threshold_seconds", "abandon_treatment", "short_abandon_seconds",
               "min_presented_seconds", "priority", "maintenance_notice_days",
               "repeat_days", "custom_unit", "interval_target"}
# Metrics an objective may judge interval by interval (kpis/measurement.py).
INTERVAL_TARGET_METRICS = ("service_level", "abandon_rate")


def _require(by, perm, obj=None, message="Your role does not allow this."):
    allowed = by.has_perm(perm, obj) if obj is not None else by.has_perm(perm)
    if not allowed:
        raise PermissionDenied(message)


def _decimal(value, field, *, allow_none=False, minimum=None, maximum=None, errors=None):
    """Parse a figure; record a message naming ``field`` in ``errors`` when it is bad."""
    if value is None or value == "":
        if allow_none:
            return None
        errors[field] = "Give a number."
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = "Give a number."
        return None
    if not number.is_finite():
        errors[field] = "Give a finite number."
        return None
    if minimum is not None and number < minimum:
        errors[field] = f"At least {fmt_number(minimum)}."
    elif maximum is not None and number > maximum:
        errors[field] = f"At most {fmt_number(maximum)}."
    elif abs(number) >= Decimal("1e11") or number != number.quantize(Decimal("0.0001")):
        errors[field] = "Too many digits (four decimals at most)."
    return number


# --- Objectives and schedules --------------------------------------------------------------


def _clean_objective(fields, errors):
    metric = fields.get("metric")
    if metric not in SlaMetric.values:
        errors["metric"] = "Choose a metric."
    if fields.get("comparator") not in Comparator.values:
        errors["comparator"] = "Choose at least or at most."
    if fields.get("period") not in MeasurementPeriod.values:
        errors["period"] = "Choose a week, a month or a quarter."
    if fields.get("uptime_formula") not in UptimeFormula.values:
        errors["uptime_formula"] = "Choose an uptime formula."
    percent = metric in PERCENT_METRICS
    fields["target"] = _decimal(fields.get("target"), "target", minimum=Decimal(0),
                                maximum=Decimal(100) if percent else None, errors=errors)
    fields["tolerance"] = _decimal(fields.get("tolerance", 0), "tolerance", minimum=Decimal(0),
                                   errors=errors)
    fields["weight"] = _decimal(fields.get("weight", 1), "weight", minimum=Decimal(0),
                                maximum=Decimal(1000), errors=errors)
    if not (fields.get("name") or "").strip():
        errors["name"] = "Name the objective."
    fields["name"] = (fields.get("name") or "").strip()
    kinds = fields.get("excluded_kinds")
    if not isinstance(kinds, list) or any(k not in ExclusionKind.values for k in kinds):
        errors["excluded_kinds"] = "Choose among: " + ", ".join(ExclusionKind.values) + "."
    queues = fields.get("queue_ids")
    if not isinstance(queues, list) or any(not isinstance(q, int) or isinstance(q, bool)
                                           or q <= 0 for q in queues):
        errors["queue_ids"] = "A list of queue ids."
    options = fields.get("options")
    if not isinstance(options, dict):
        errors["options"] = "An object of metric options."
    else:
        unknown = sorted(set(options) - OPTION_KEYS)
        if unknown:
            errors["options"] = f"Unknown options: {', '.join(unknown)}."
        for key in ("threshold_seconds", "short_abandon_seconds", "min_presented_seconds",
                    "maintenance_notice_days", "repeat_days"):
            value = options.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or not 0 <= value <= 100000):
                errors["options"] = f"{key} is a whole number of seconds or days."
        for key in ("priority", "custom_unit"):
            value = options.get(key)
            if value is not None and (not isinstance(value, str) or len(value) > 20
                                      or not value.isprintable()):
                errors["options"] = f"{key} is a short label (20 characters at most)."
        treatment = options.get("abandon_treatment")
        if treatment is not None and treatment not in ("ignored", "negative", "positive"):
            errors["options"] = "abandon_treatment is ignored, negative or positive."
        interval_target = options.get("interval_target")
        if interval_target is not None:
            if fields.get("metric") not in INTERVAL_TARGET_METRICS:
                errors["options"] = ("interval_target applies to service level and abandon "
                                     "rate objectives only.")
            else:
                try:
                    number = Decimal(str(interval_target))
                except ArithmeticError:
                    number = None
                if isinstance(interval_target, bool) or number is None \
                        or not number.is_finite() or not 0 <= number <= 100:
                    errors["options"] = "interval_target is a percentage from 0 to 100."


def _clean_schedule(data, contract, errors):
    """Validate a schedule's fields and bands (dicts); returns (fields, bands, fee lines)."""
    fields = {name: data[name] for name in SCHEDULE_FIELDS if name in data}
    fields["minimum_amount"] = _decimal(data.get("minimum_amount", 0), "minimum_amount",
                                        minimum=Decimal(0), errors=errors)
    fields["cap_percent"] = _decimal(data.get("cap_percent"), "cap_percent", allow_none=True,
                                     minimum=Decimal(0), maximum=Decimal(100), errors=errors)
    fields["cap_amount"] = _decimal(data.get("cap_amount"), "cap_amount", allow_none=True,
                                    minimum=Decimal(0), errors=errors)
    if fields.get("minimum_rule", MinimumRule.AT_LEAST) not in MinimumRule.values:
        errors["minimum_rule"] = "at_least or more_than."
    if fields.get("claim_window_from", ClaimWindowFrom.PERIOD_END) not in \
            ClaimWindowFrom.values:
        errors["claim_window_from"] = "period_end or incident."
    days = data.get("claim_window_days", 30)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
        errors["claim_window_days"] = "Between 1 and 365 days."
    earn = data.get("earn_back_periods")
    if earn is not None and (not isinstance(earn, int) or isinstance(earn, bool)
                             or not 1 <= earn <= 12):
        errors["earn_back_periods"] = "Between 1 and 12 periods, or none."
    bands = []
    raw_bands = data.get("bands", [])
    if not isinstance(raw_bands, list):
        errors["bands"] = "A list of bands."
        raw_bands = []
    for number, band in enumerate(raw_bands, start=1):
        problems = {}
        if not isinstance(band, dict):
            errors["bands"] = f"Band {number}: an object with kind, lower, upper, percent."
            continue
        kind = band.get("kind", BandKind.VALUE)
        if kind not in BandKind.values:
            problems["kind"] = "value, duration or floor"
        lower = _decimal(band.get("lower"), "lower", allow_none=True, errors=problems)
        upper = _decimal(band.get("upper"), "upper", allow_none=True, errors=problems)
        percent = _decimal(band.get("percent"), "percent", minimum=Decimal(0),
                           maximum=Decimal(100), errors=problems)
        if lower is not None and upper is not None and lower >= upper and not problems:
            problems["upper"] = "must be above the lower bound"
        if lower is None and upper is None and not problems:
            problems["lower"] = "give a lower or an upper bound"
        if problems:
            errors["bands"] = f"Band {number}: " + "; ".join(
                f"{key} {message[0].lower()}{message[1:]}".rstrip(".")
                for key, message in problems.items()) + "."
            continue
        bands.append({"kind": kind, "lower": lower, "upper": upper, "percent": percent,
                      "position": number})
    lines = []
    names = data.get("fee_lines") or []
    if not isinstance(names, list):
        errors["fee_lines"] = "A list of fee line ids."
    else:
        known = {line.pk: line for line in contract.fee_lines.all()} if contract else {}
        for pk in names:
            line = known.get(pk) if isinstance(pk, int) and not isinstance(pk, bool) else None
            if line is None:
                errors["fee_lines"] = f"{pk!r} is not a fee line of this contract."
            elif line.kind == "one_time":
                errors["fee_lines"] = f"{line.name} is a one-time fee: never a credit base."
            else:
                lines.append(line)
    return fields, bands, lines


def _objective_defaults(fields):
    values = {"comparator": Comparator.AT_LEAST, "period": MeasurementPeriod.MONTH,
              "queue_ids": [], "options": {}, "uptime_formula": UptimeFormula.EXCLUDED_ADDED_BACK,
              "excluded_kinds": list(ExclusionKind.values), "tolerance": 0, "weight": 1,
              "active": True}
    values.update(fields)
    return values


def _save_schedule(objective, data, *, by, reason):
    errors = {}
    fields, bands, lines = _clean_schedule(data, objective.contract, errors)
    if errors:
        raise ValidationError(errors)
    schedule = CreditSchedule(objective=objective, **fields)
    schedule.full_clean(exclude=["objective"])
    save_with_audit(schedule, by=by, reason=reason)
    with audited(schedule, by=by, reason=reason):
        schedule.fee_lines.set(lines)
    for band in bands:
        save_with_audit(CreditBand(schedule=schedule, **band), by=by, reason=reason)
    return schedule


@transaction.atomic
def objective_create(*, contract: Contract, by, effective_from: date | None = None,
                     schedule: dict | None = None, **fields) -> SlaObjective:
    """Add an SLA objective to a contract, with its credit schedule (``schedule``: the
    schedule's fields, ``bands`` as dicts and ``fee_lines`` as ids). It applies from
    ``effective_from`` (the contract's start by default)."""
    _require(by, "vendors.manage_objective", message="Your role cannot define SLA objectives.")
    unknown = sorted(set(fields) - set(OBJECTIVE_FIELDS))
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})
    values = _objective_defaults(fields)
    errors = {}
    _clean_objective(values, errors)
    if schedule is not None and not isinstance(schedule, dict):
        errors["schedule"] = "An object with the schedule's fields and bands."
    elif schedule is not None:
        _clean_schedule(schedule, contract, errors)
    effective_from = effective_from or contract.start_date
    if not contract.start_date <= effective_from <= contract.end_date:
        errors["effective_from"] = (f"Within the contract: {contract.start_date} to "
                                    f"{contract.end_date}.")
    if errors:
        raise ValidationError(errors)
    objective = SlaObjective(contract=contract, created_by=by,
                             effective_from=effective_from, **values)
    objective.full_clean(exclude=["contract", "created_by"])
    save_with_audit(objective, by=by, reason="Objective defined")
    _save_schedule(objective, schedule or {}, by=by, reason="Credit schedule defined")
    # Periods already over are measured at once (the data is there), not at the next close.
    last = min(timezone.now().date(), contract.end_date + timedelta(days=1))
    for start, _ in sla.periods_between(objective.effective_from, last, objective.period):
        _refresh(objective, start, by=by)
    return objective


@transaction.atomic
def objective_revise(*, objective: SlaObjective, by, effective_from: date,
                     schedule: dict | None = None, **fields) -> SlaObjective:
    """New terms for an objective from ``effective_from``: a new version. Periods that
    start before it keep the version they were measured under; closed periods from
    that day on are measured again under the new one (unless already claimed)."""
    _require(by, "vendors.manage_objective", message="Your role cannot change SLA objectives.")
    current = latest_version(objective.series)
    if effective_from is None or effective_from <= current.effective_from:
        raise ValidationError({"effective_from": "A new version starts after the current one "
                                                 f"({current.effective_from})."})
    if effective_from > current.contract.end_date:
        raise ValidationError({"effective_from": "A new version starts before the contract "
                                                 f"ends ({current.contract.end_date})."})
    unknown = sorted(set(fields) - set(OBJECTIVE_FIELDS))
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})
    values = {name: getattr(current, name) for name in OBJECTIVE_FIELDS}
    values.update(fields)
    errors = {}
    _clean_objective(values, errors)
    if schedule is None:
        schedule = schedule_as_dict(current.schedule)
    elif not isinstance(schedule, dict):
        errors["schedule"] = "An object with the schedule's fields and bands."
    else:
        _clean_schedule(schedule, current.contract, errors)
    if errors:
        raise ValidationError(errors)
    _take_over_periods(current, effective_from, by=by)
    version = SlaObjective(series=current.series, version=current.version + 1,
                           effective_from=effective_from, contract=current.contract,
                           created_by=by, **values)
    version.full_clean(exclude=["contract", "created_by"])
    save_with_audit(version, by=by, reason=f"New terms from {effective_from}")
    _save_schedule(version, schedule, by=by, reason=f"Credit schedule from {effective_from}")
    _move_reported(current.series, version, by=by)
    for start, _ in sla.periods_between(effective_from, timezone.now().date(), version.period):
        _refresh(version, start, by=by)
    return version


def _take_over_periods(current, effective_from, *, by):
    """Periods from ``effective_from`` on that were measured under earlier terms move to
    the new version: their vendor-reported figures go with them, computed figures,
    compliance and credits still only accrued are dropped (the new terms recompute
    them). A credit already claimed under the old terms keeps its period: refused."""
    reason = f"Superseded by new terms from {effective_from}"
    rows = list(Compliance.objects.filter(objective__series=current.series,
                                          period_start__gte=effective_from))
    claimed = [row for row in rows if getattr(row, "credit", None) is not None
               and row.credit.state != CreditState.ACCRUED]
    if claimed:
        first = min(row.period_start for row in claimed)
        raise ValidationError({"effective_from": f"The credit of {first:%b %Y} was claimed "
                                                 "under the current terms: new terms can "
                                                 f"start after {first:%d %b %Y} at the "
                                                 "earliest."})
    for row in rows:
        credit = getattr(row, "credit", None)
        if credit is not None:
            with audited(credit, by=by, reason=reason):
                credit.delete()
        with audited(row, by=by, reason=reason):
            row.delete()
    for measurement in Measurement.objects.filter(objective__series=current.series,
                                                  period_start__gte=effective_from):
        if measurement.source == MeasurementSource.VENDOR:
            continue  # moved to the new version once it exists (objective_revise)
        with audited(measurement, by=by, reason=reason):
            measurement.delete()


def _move_reported(series, version, *, by):
    for measurement in Measurement.objects.filter(objective__series=series,
                                                  period_start__gte=version.effective_from,
                                                  source=MeasurementSource.VENDOR).exclude(
            objective=version):
        measurement.objective = version
        save_with_audit(measurement, by=by,
                        reason=f"Measured under the terms from {version.effective_from}")


def schedule_as_dict(schedule: CreditSchedule) -> dict:
    data = {name: getattr(schedule, name) for name in SCHEDULE_FIELDS}
    data["fee_lines"] = list(schedule.fee_lines.values_list("pk", flat=True))
    data["bands"] = [{"kind": b.kind, "lower": b.lower, "upper": b.upper, "percent": b.percent}
                     for b in schedule.bands.all()]
    return data


def latest_version(series) -> SlaObjective:
    return SlaObjective.objects.filter(series=series).order_by("-effective_from").first()


def version_for(series, day: date) -> SlaObjective | None:
    """The version of an objective in force on ``day`` (None before the first)."""
    return (SlaObjective.objects.filter(series=series, effective_from__lte=day)
            .select_related("contract", "contract__vendor", "schedule")
            .order_by("-effective_from").first())


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
    _require(by, "vendors.record_measurement", message="Your role cannot record measurements.")
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


# --- Credit transitions ---------------------------------------------------------------------


def _money(value, field):
    errors = {}
    number = _decimal(value, field, minimum=Decimal(0), errors=errors)
    if not errors and number != number.quantize(Decimal("0.01")):
        errors[field] = "An amount in cents (two decimals at most)."
    if errors:
        raise ValidationError(errors)
    return number


def _credit_step(credit, name, *, by, reason, prepare=None):
    from ..credit_deadlines import schedule_credit_deadlines

    credit = lock(ServiceCredit, credit.pk)
    if prepare:
        prepare(credit)
    perform_transition(credit, name, by=by, reason=reason, at=timezone.now())
    schedule_credit_deadlines(credit)
    # Other apps follow the money (budgets books a received credit against spend).
    announce_change(credit, by=by)
    return credit


@transaction.atomic
def credit_claim(*, credit: ServiceCredit, by, amount=None, note: str = "") -> ServiceCredit:
    """Claim the credit from the vendor (the amount due, or another figure)."""
    figure = None if amount in (None, "") else _money(amount, "claimed_amount")
    late = timezone.localdate() > credit.claim_deadline
    credit = lock(ServiceCredit, credit.pk)
    from ..credit_deadlines import schedule_credit_deadlines

    perform_transition(credit, "claim", by=by, at=timezone.now(), amount=figure,
                       reason="Claimed" + (" after the claim window" if late else "")
                       + (f": {note.strip()}" if note and note.strip() else ""))
    schedule_credit_deadlines(credit)
    return credit


@transaction.atomic
def credit_accept(*, credit: ServiceCredit, by, agreed_amount=None) -> ServiceCredit:
    """The vendor accepted the claim, in full or in part (the agreed amount)."""
    figure = None if agreed_amount in (None, "") else _money(agreed_amount, "agreed_amount")

    def prepare(row):
        row.agreed_amount = row.claimed_amount if figure is None else figure

    return _credit_step(credit, "accept", by=by, prepare=prepare,
                        reason="Accepted" if figure is None else
                        f"Accepted in part: {fmt_money(figure, credit.currency)}")


@transaction.atomic
def credit_dispute(*, credit: ServiceCredit, by, reason: str) -> ServiceCredit:
    """The vendor disputes the claim: record what they say."""
    def prepare(row):
        row.dispute_reason = (reason or "").strip()

    return _credit_step(credit, "dispute", by=by, prepare=prepare,
                        reason=f"Disputed by the vendor: {(reason or '').strip()}")


@transaction.atomic
def credit_reclaim(*, credit: ServiceCredit, by, counter_amount, note: str = "") -> ServiceCredit:
    """Answer a dispute with a counter-figure: the credit is claimed again."""
    figure = _money(counter_amount, "claimed_amount")

    def prepare(row):
        row.claimed_amount = figure

    return _credit_step(credit, "reclaim", by=by, prepare=prepare,
                        reason=f"Claimed again with {fmt_money(figure, credit.currency)}"
                        + (f": {note.strip()}" if note and note.strip() else ""))


@transaction.atomic
def credit_receive(*, credit: ServiceCredit, by, amount=None, reference: str = "",
                   ) -> ServiceCredit:
    """The money arrived (a credit note or a refund): the amount and its reference."""
    figure = None if amount in (None, "") else _money(amount, "received_amount")

    def prepare(row):
        row.received_amount = row.agreed_amount if figure is None else figure
        row.received_reference = (reference or "").strip()[:120]

    return _credit_step(credit, "receive", by=by, prepare=prepare, reason="Received")


@transaction.atomic
def credit_waive(*, credit: ServiceCredit, by, reason: str) -> ServiceCredit:
    """Give the credit up, with why (relationship, goodwill, claim window missed)."""
    def prepare(row):
        row.waive_reason = (reason or "").strip()

    return _credit_step(credit, "waive", by=by, prepare=prepare,
                        reason=f"Waived: {(reason or '').strip()}")


CREDIT_ACTIONS = {"claim": credit_claim, "accept": credit_accept, "dispute": credit_dispute,
                  "reclaim": credit_reclaim, "receive": credit_receive, "waive": credit_waive}


# --- Reconciliation ---------------------------------------------------------------------------


def evidence_markdown(compliance: Compliance) -> str:
    """Our figure and what it rests on, for a dispute or a claim letter."""
    objective = compliance.objective
    own = Measurement.objects.filter(objective=objective, period_start=compliance.period_start,
                                     source=MeasurementSource.SELF).first()
    reported = Measurement.objects.filter(objective=objective,
                                          period_start=compliance.period_start,
                                          source=MeasurementSource.VENDOR).first()
    lines = [f"**{objective.name}** ({objective.target_text()}), "
             f"{sla.period_label(compliance.period_start, objective.period)}", ""]
    if own:
        lines.append(f"- Our measurement: **{fmt_number(own.value)}{objective.unit}** — "
                     f"{own.detail}")
        for outage in (own.basis or {}).get("outages", []):
            lines.append(f"  - {outage['incident']} {outage.get('title', '')}: "
                         f"{outage['start'][:16].replace('T', ' ')} → "
                         f"{outage['end'][:16].replace('T', ' ')} UTC, "
                         f"{fmt_number(Decimal(outage['minutes']))} min counted")
        worst = (own.basis or {}).get("worst_intervals", [])
        if worst:
            lines.append("  - Worst intervals: " + "; ".join(
                f"{item['start'][:16].replace('T', ' ')} UTC {fmt_number(Decimal(item['value']))} %"
                for item in worst))
        for key, value in (own.basis or {}).items():
            if key != "outages" and not isinstance(value, list | dict):
                lines.append(f"  - {key.replace('_', ' ')}: {value}")
    if reported:
        lines.append(f"- Vendor-reported: **{fmt_number(reported.value)}{objective.unit}**"
                     + (f" — {reported.detail}" if reported.detail else ""))
    if own and reported:
        lines.append(f"- Difference: {fmt_number(reported.value - own.value)}{objective.unit} "
                     f"(tolerance {fmt_number(objective.tolerance)}{objective.unit})")
    return "\n".join(lines)


@transaction.atomic
def reconciliation_dispute_open(*, compliance: Compliance, by, note: str
                                ) -> ReconciliationDispute:
    """Dispute the vendor's reported figure, with the evidence behind ours attached."""
    _require(by, "vendors.dispute_measurement",
             message="Your role cannot dispute vendor figures.")
    if not (note or "").strip():
        raise ValidationError({"note": "Say what you dispute."})
    if compliance.vendor_value is None or compliance.self_value is None:
        raise ValidationError({"compliance": "There is no vendor figure beside ours to "
                                             "dispute for this period."})
    dispute = ReconciliationDispute(compliance=compliance, note=note.strip(),
                                    evidence=evidence_markdown(compliance), opened_by=by,
                                    opened_at=timezone.now())
    save_with_audit(dispute, by=by, reason="Dispute opened")
    return dispute


# --- Claim letter -------------------------------------------------------------------------------


def claim_letter(credits, *, today: date | None = None) -> str:
    """A claim letter in Markdown for one or more credits of one contract: the contract,
    the periods, the figures, the evidence and the total, ready to send."""
    credits = list(credits)
    if not credits:
        raise ValidationError("Choose at least one credit.")
    contract = credits[0].contract
    if any(c.contract_id != contract.pk for c in credits):
        raise ValidationError("A claim letter covers one contract.")
    today = today or timezone.localdate()
    vendor = contract.vendor
    total = sum((c.claimed_amount if c.claimed_amount is not None else c.amount
                 for c in credits), Decimal(0))
    lines = [f"# Service credit claim — {contract.reference}", "",
             f"{today:%d %B %Y}", "", f"To: {vendor.name}", "",
             f"Contract: **{contract.reference} {contract.title}** "
             f"({contract.start_date:%d %b %Y} – {contract.end_date:%d %b %Y})", "",
             "Under the service levels of the contract, we claim the following service "
             "credits:", "",
             "| Objective | Period | Measured | Target | Credit | Claim by |",
             "|---|---|---|---|---|---|"]
    for credit in credits:
        c = credit.compliance
        objective = credit.objective
        amount = credit.claimed_amount if credit.claimed_amount is not None else credit.amount
        lines.append(f"| {objective.name} | {sla.period_label(c.period_start, objective.period)}"
                     f" | {fmt_number(c.value)}{objective.unit} | {objective.target_text()} | "
                     f"{fmt_money(amount, credit.currency)} | {credit.claim_deadline:%d %b %Y} |")
    lines += ["", f"**Total claimed: {fmt_money(total, contract.currency)}**", "",
              "## How each credit is computed", ""]
    for credit in credits:
        lines += [f"- {credit.objective.name}, "
                  f"{sla.period_label(credit.period_start, credit.objective.period)}: "
                  f"{credit.explanation}"]
    lines += ["", "## Evidence", ""]
    for credit in credits:
        lines += [evidence_markdown(credit.compliance), ""]
    payment = credits[0].objective.schedule.get_payment_display().lower()
    lines += [f"Please confirm the credit, to be applied {payment}.", ""]
    return "\n".join(lines)
