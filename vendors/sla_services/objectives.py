"""SLA objectives and their credit schedules: created, revised as a new version from a
given day (the periods from that day move to the new version), read back.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audited, save_with_audit
from core.why_not import require_perm

from .. import sla
from ..choices import (
    PERCENT_METRICS,
    BandKind,
    ClaimWindowFrom,
    Comparator,
    CreditState,
    ExclusionKind,
    MeasurementPeriod,
    MeasurementSource,
    MinimumRule,
    SlaMetric,
    UptimeFormula,
)
from ..models import Compliance, Contract, CreditBand, CreditSchedule, Measurement, SlaObjective
from .base import _decimal, latest_version
from .compliance import _refresh

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
    require_perm(by, "vendors.manage_objective", message="Your role cannot define SLA objectives.")
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
    require_perm(by, "vendors.manage_objective", message="Your role cannot change SLA objectives.")
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
