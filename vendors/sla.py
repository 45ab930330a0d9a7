"""Pure pieces of vendor SLA measurement: periods, the fee base of a period, the
scorecard rule, the credit schedule as ``credit_rules`` data, and the self-measured
uptime source registered in ``vendors/measurement_sources.py``.

Periods are calendar weeks (Monday first), months and quarters in UTC, as dates: a
period is ``[start, end)`` — ``end`` is the first day of the next period — like the
downtime selectors' UTC months, so an outage is counted in the same month everywhere.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from . import intervals
from .choices import BillingPeriod, Comparator, ExclusionKind, MeasurementPeriod
from .credit_rules import Band, Schedule, fmt_number
from .measurement_sources import MeasuredValue, MeasurementRequest

FOUR_PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)

# --- Periods ---------------------------------------------------------------------------------


def period_start(day: date, kind: str) -> date:
    """The first day of the period of ``kind`` containing ``day``."""
    if kind == MeasurementPeriod.WEEK:
        return day - timedelta(days=day.weekday())
    if kind == MeasurementPeriod.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


def period_end(start: date, kind: str) -> date:
    """The first day of the next period (``end`` is exclusive)."""
    if kind == MeasurementPeriod.WEEK:
        return start + timedelta(days=7)
    months = 3 if kind == MeasurementPeriod.QUARTER else 1
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def previous_period(start: date, kind: str) -> date:
    return period_start(start - timedelta(days=1), kind)


def periods_between(first: date, last: date, kind: str) -> list[tuple[date, date]]:
    """Every period ``[start, end)`` with ``first <= start`` and ``end <= last``."""
    found = []
    start = period_start(first, kind)
    if start < first:
        start = period_end(start, kind)
    while period_end(start, kind) <= last:
        found.append((start, period_end(start, kind)))
        start = period_end(start, kind)
    return found


def instant(day: date) -> datetime:
    """The first instant of ``day`` in UTC (periods are UTC days)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def period_label(start: date, kind: str) -> str:
    if kind == MeasurementPeriod.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == MeasurementPeriod.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return f"{start:%b %Y}"


# --- Fee base ---------------------------------------------------------------------------------

# Months in a billing or measurement period; a week is 12/52 of a month (52 weeks a year).
_BILLING_MONTHS = {BillingPeriod.MONTHLY: Decimal(1), BillingPeriod.QUARTERLY: Decimal(3),
                   BillingPeriod.ANNUAL: Decimal(12)}
_PERIOD_MONTHS = {MeasurementPeriod.MONTH: Decimal(1), MeasurementPeriod.QUARTER: Decimal(3),
                  MeasurementPeriod.WEEK: Decimal(12) / Decimal(52)}


def period_fee(amount: Decimal, billing_period: str, measurement_period: str) -> Decimal:
    """A fee line's fees for one measurement period, unrounded (the credit is rounded
    once, at the end): its per-billing-period amount scaled by the periods' lengths."""
    return Decimal(amount) * _PERIOD_MONTHS[measurement_period] / _BILLING_MONTHS[billing_period]


# --- Met, shortfall, score ---------------------------------------------------------------------


def is_met(value: Decimal, comparator: str, target: Decimal) -> bool:
    return value >= target if comparator == Comparator.AT_LEAST else value <= target


def shortfall(value: Decimal, comparator: str, target: Decimal) -> Decimal:
    """How far the value is on the wrong side of the target (0 when met)."""
    gap = target - value if comparator == Comparator.AT_LEAST else value - target
    return max(gap, Decimal(0))


def allowance(comparator: str, target: Decimal, percent: bool) -> Decimal:
    """The room the target leaves for failure, the scorecard's yardstick.

    At least X % of a percentage: the failure it allows, 100 − X (99.99 % uptime allows
    0.01 % down; 80 % service level allows 20 %). Anything else (at most 5 % abandon,
    at most 20 s ASA, at least 4.2 CSAT points): the target itself."""
    if comparator == Comparator.AT_LEAST and percent and target < HUNDRED:
        return HUNDRED - target
    return abs(target)


def attainment_score(value: Decimal, comparator: str, target: Decimal, percent: bool
                     ) -> Decimal:
    """The scorecard rule, one objective and one period, 0–100 (two decimals).

    * met: **100**;
    * missed: ``100 × (1 − shortfall ÷ allowance)``, at least 0 and at most 99 — a
      miss never scores like a met target. The allowance is the room for failure the
      target leaves (:func:`allowance`), so a miss is scored by how many times over
      the allowed failure it went: 99.45 % against 99.99 % is 55 times the allowed
      downtime (0); 75 % against an 80/20 target uses 5 of 20 points of room (75);
      6 % abandon against at most 5 % is 20 % over (80).
    """
    if is_met(value, comparator, target):
        return Decimal(100)
    room = allowance(comparator, target, percent)
    if room <= 0:
        return Decimal(0)
    raw = HUNDRED * (1 - shortfall(value, comparator, target) / room)
    return min(max(raw, Decimal(0)), Decimal(99)).quantize(Decimal("0.01"),
                                                              rounding=ROUND_HALF_UP)


def weighted_score(pairs) -> Decimal | None:
    """Σ weight × score ÷ Σ weight over ``(weight, score)`` pairs, one decimal; None
    with nothing measured."""
    pairs = [(Decimal(w), Decimal(s)) for w, s in pairs if Decimal(w) > 0]
    total = sum((w for w, _ in pairs), Decimal(0))
    if not total:
        return None
    return (sum((w * s for w, s in pairs), Decimal(0)) / total).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- Schedules as data ----------------------------------------------------------------------


def schedule_rules(schedule, bands, unit: str) -> Schedule:
    """A :class:`~vendors.models.CreditSchedule` and its bands as ``credit_rules`` data."""
    def of(kind):
        return tuple(Band(Decimal(b.percent), b.lower, b.upper)
                     for b in sorted((b for b in bands if b.kind == kind),
                                     key=lambda b: (b.position, b.pk or 0)))

    return Schedule(value_bands=of("value"), duration_bands=of("duration"),
                    duration_per_outage=schedule.duration_per_outage, floors=of("floor"),
                    minimum_amount=Decimal(schedule.minimum_amount or 0),
                    minimum_rule=schedule.minimum_rule, cap_percent=schedule.cap_percent,
                    cap_amount=schedule.cap_amount, unit=unit)


# --- The self-measured uptime source ---------------------------------------------------------


def _minutes(seconds: float) -> Decimal:
    return (Decimal(str(seconds)) / 60).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def measure_uptime(request: MeasurementRequest) -> MeasuredValue | None:
    """Uptime of a vendor in a period from the incidents attributed to it.

    Each attributed incident (not cancelled) is down from its declaration until the
    stage the contract names (contained or resolved); the exclusion windows of the
    kinds the objective counts (``options["excluded_kinds"]``, every kind by default)
    are cut out — maintenance only when announced ``options["maintenance_notice_days"]``
    ahead, where set. A = minutes in the period, B = unavailable minutes, C = excluded
    minutes inside them:

    * ``excluded_added_back`` (Twilio 2021): (A − B + C) ÷ A with B the gross outage;
    * ``plain`` (Twilio 2023): (A − B) ÷ A with B net of exclusions.

    The basis keeps each outage's minutes after exclusions (duration bands read them).
    """
    from .credit_rules import uptime_percent
    from .selectors import CANCELLED_INCIDENT, _counts_until, incident_window

    if request.vendor_id is None:
        return None
    from .models import Contract, DowntimeExclusion, VendorAttribution

    now = timezone.now()
    start, end = request.start, min(request.end, now)
    if end <= start:
        return None
    options = request.options or {}
    kinds = set(options.get("excluded_kinds", ExclusionKind.values))
    notice_days = options.get("maintenance_notice_days")
    contract_id = options.get("contract_id")
    attributions = VendorAttribution.objects.filter(
        vendor_id=request.vendor_id, incident__isnull=False, incident__declared_at__lt=end,
    ).exclude(incident__state=CANCELLED_INCIDENT).select_related("incident", "contract")
    if contract_id:  # incidents under another contract of the vendor do not count
        attributions = attributions.filter(Q(contract_id=contract_id) | Q(contract__isnull=True))
    contracts = {request.vendor_id: list(Contract.objects.filter(
        vendor_id=request.vendor_id).order_by("start_date", "pk"))}
    cuts_all, cuts_by_incident = [], {}
    for exclusion in DowntimeExclusion.objects.filter(
            vendor_id=request.vendor_id, starts_at__lt=end, ends_at__gt=start):
        if exclusion.kind not in kinds:
            continue
        if exclusion.kind == ExclusionKind.MAINTENANCE and notice_days and (
                exclusion.notice_given_at is None
                or exclusion.starts_at - exclusion.notice_given_at < timedelta(days=notice_days)):
            continue
        window = (exclusion.starts_at, exclusion.ends_at)
        if exclusion.incident_id:
            cuts_by_incident.setdefault(exclusion.incident_id, []).append(window)
        else:
            cuts_all.append(window)
    gross, net, outages = [], [], []
    for attribution in attributions.order_by("incident__declared_at", "pk"):
        incident = attribution.incident
        first, last, ongoing = incident_window(incident, _counts_until(attribution, contracts),
                                               now)
        inside = intervals.clip([(first, last)], start, end)
        if not inside:
            continue
        left = intervals.subtract(inside, [*cuts_by_incident.get(incident.pk, []), *cuts_all])
        gross.extend(inside)
        net.extend(left)
        outages.append({"incident": incident.reference, "incident_id": incident.pk,
                        "title": incident.title, "start": first.isoformat(),
                        "end": last.isoformat(), "ongoing": ongoing,
                        "minutes": str(_minutes(intervals.seconds(left)))})
    period_minutes = Decimal(int((request.end - request.start).total_seconds() // 60))
    gross_minutes = _minutes(intervals.seconds(intervals.union(gross)))
    net_minutes = _minutes(intervals.seconds(intervals.union(net)))
    excluded = gross_minutes - net_minutes
    formula = options.get("uptime_formula", "excluded_added_back")
    if formula == "plain":
        value = uptime_percent(period_minutes=period_minutes, unavailable_minutes=net_minutes,
                               formula="plain")
        words = (f"(A − B) ÷ A = ({fmt_number(period_minutes)} − {fmt_number(net_minutes)})"
                 f" ÷ {fmt_number(period_minutes)}")
    else:
        value = uptime_percent(period_minutes=period_minutes, unavailable_minutes=gross_minutes,
                               excluded_minutes=excluded)
        words = (f"(A − B + C) ÷ A = ({fmt_number(period_minutes)} − "
                 f"{fmt_number(gross_minutes)} + {fmt_number(excluded)}) ÷ "
                 f"{fmt_number(period_minutes)}")
    value = value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    count = len(outages)
    detail = (f"{words} = {fmt_number(value)} %: {count} attributed incident"
              f"{'s' if count != 1 else ''}, {fmt_number(net_minutes)} min down after "
              f"{fmt_number(excluded)} min excluded")
    return MeasuredValue(value=value, detail=detail, basis={
        "period_minutes": str(period_minutes), "unavailable_minutes": str(gross_minutes),
        "excluded_minutes": str(excluded), "net_unavailable_minutes": str(net_minutes),
        "formula": formula, "outages": outages})


def measure_downtime_minutes(request: MeasurementRequest) -> MeasuredValue | None:
    """Downtime minutes (after exclusions) in the period: a custom "at most N minutes"
    objective reads the same data as uptime."""
    measured = measure_uptime(request)
    if measured is None:
        return None
    minutes = Decimal(measured.basis["net_unavailable_minutes"])
    return MeasuredValue(value=minutes, detail=f"{fmt_number(minutes)} min down after "
                         f"{measured.basis['excluded_minutes']} min excluded",
                         basis=measured.basis)
