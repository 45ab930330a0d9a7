"""What an incident cost: rates, the breakdown with its formulas, and the kept figure.

``incident_cost(incident)`` = responders + agents idle + lost contacts − vendor credits:

* **responders** — each person holding a role (commander, communications lead, scribe,
  vendor liaison) and each other participant × the incident's hours × their role's
  hourly rate. A person counts once, under the first role they hold in that order:
  one person's hour costs once, however many hats they wear.
* **agents idle** — ``incident.agents_idle`` × hours × the loaded agent hour.
* **lost contacts** — ``kpis.selectors.incident_impact(...).lost_contacts``, shared out
  over the affected queues by how far each fell below its baseline, × the value of a
  lost contact of the queue (its own rate) or of its channel.
* **vendor credits** — each credit not waived whose compliance's self-measurement lists
  the incident among its outages: the credit's expected amount × this incident's
  minutes ÷ every outage minute of that measurement.

Hours run from the declaration to the resolution (or the cancellation, or now). The
rates are those in effect on the day the incident was declared (``effective_from`` on
or before it, the latest winning). Arithmetic is exact (``Fraction``) and each line is
rounded once to cents (``budgets/money.py``); the total adds the rounded lines, so the
card adds up to the cent.

The figure is kept in :class:`IncidentCost` for the dashboard. It is refreshed when an
incident service announces a change (``core.hooks.object_changed``), when a credit
moves, and by the sweep in ``budgets/tasks.py`` for what changes without announcing
(resolution, reopening, roles, corrected times, credits accrued, time passing).
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from core.audit import save_with_audit

from .. import money
from ..choices import RESPONDER_ROLES, RateKind
from ..models import CostRate, IncidentCost, default_currency

logger = logging.getLogger(__name__)

ROLE_FIELDS = ("commander", "communications_lead", "scribe", "vendor_liaison")
PARTICIPANT = "participant"
ROLE_LABELS = dict(RESPONDER_ROLES)
ZERO = Decimal("0.00")


# --- Formatting ---------------------------------------------------------------------------


def fmt_money(amount, currency: str) -> str:
    return f"{currency} {Decimal(amount):,.2f}"


def fmt_rate(amount, currency: str) -> str:
    """A rate to cents, or to its four stored places when it has them (EUR 0.7250)."""
    value = Decimal(amount)
    shown = value.quantize(money.CENT) if value == value.quantize(money.CENT) else value.normalize()
    return f"{currency} {shown:,}"


def fmt_hours(hours: Fraction) -> str:
    """2.5 h; 2.33 h (≈) when the hours do not end within two decimals."""
    shown = money.rounded(hours, 2).normalize()
    text = f"{shown:f}"
    return text if Fraction(shown) == hours else f"≈{text}"


def fmt_count(number, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


# --- Rates --------------------------------------------------------------------------------


@dataclass
class Rates:
    """The rates in effect on one day, by what they price."""

    day: date
    responder: dict = field(default_factory=dict)  # role → CostRate
    agent_hour: CostRate | None = None
    channel: dict = field(default_factory=dict)  # queue channel → CostRate
    queue: dict = field(default_factory=dict)  # queue id → CostRate

    @property
    def empty(self) -> bool:
        return not (self.responder or self.agent_hour or self.channel or self.queue)

    def lost_contact(self, queue) -> CostRate | None:
        """A queue's own rate wins over its channel's."""
        return self.queue.get(queue.pk) or self.channel.get(queue.channel)


def rates_on(day: date) -> Rates:
    """The rates in effect on ``day`` (one query): per key, the latest ``effective_from``
    on or before it."""
    rates = Rates(day=day)
    for rate in CostRate.objects.filter(effective_from__lte=day).order_by("-effective_from",
                                                                          "-pk"):
        if rate.kind == RateKind.RESPONDER:
            rates.responder.setdefault(rate.role, rate)
        elif rate.kind == RateKind.AGENT_HOUR:
            rates.agent_hour = rates.agent_hour or rate
        elif rate.queue_id:
            rates.queue.setdefault(rate.queue_id, rate)
        else:
            rates.channel.setdefault(rate.channel, rate)
    return rates


def rate_problems(rate: CostRate) -> dict[str, list[str]]:
    """What is wrong with a rate, by field (empty: nothing). Shared by the service, the
    API and the admin."""
    from kpis.choices import QueueChannel

    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    if rate.kind not in RateKind.values:
        add("kind", f"Choose one of: {', '.join(RateKind.values)}.")
    if rate.amount is None:
        add("amount", "Give the rate.")
    elif not Decimal(rate.amount).is_finite() or Decimal(rate.amount) < 0:
        add("amount", "A rate cannot be negative.")
    if rate.effective_from is None:
        add("effective_from", "Say from which day the rate applies.")
    if rate.kind == RateKind.RESPONDER:
        if not rate.role:
            add("role", "A responder rate needs the incident role it prices.")
        elif rate.role not in ROLE_LABELS:
            add("role", f"Unknown role “{rate.role}”. Use one of: {', '.join(ROLE_LABELS)}.")
        if rate.channel or rate.queue_id:
            add("channel", "A responder rate is per role, not per channel or queue.")
    elif rate.kind == RateKind.AGENT_HOUR:
        if rate.role:
            add("role", "The agent hour is one rate for every agent: no role.")
        if rate.channel or rate.queue_id:
            add("channel", "The agent hour is one rate for every agent: no channel or queue.")
    elif rate.kind == RateKind.LOST_CONTACT:
        if rate.role:
            add("role", "A lost-contact rate is per channel or queue, not per role.")
        if not rate.channel and not rate.queue_id:
            add("channel", "A lost-contact rate needs a channel or a queue.")
        elif rate.channel and rate.queue_id:
            add("queue", "Give a channel or a queue, not both (a queue's rate wins over "
                         "its channel's).")
        elif rate.channel and rate.channel not in QueueChannel.values:
            add("channel", f"Unknown channel “{rate.channel}”. Use one of: "
                           f"{', '.join(QueueChannel.values)}.")
    return errors


@transaction.atomic
def rate_set(*, by, kind: str, amount, effective_from: date, role: str = "", channel: str = "",
             queue=None, reason: str = "") -> CostRate:
    """Set a rate from a day on (Finance, Managers): a new row, or the amount of the row
    already set for that key and day. Earlier days keep their rates, so incidents
    declared before ``effective_from`` keep their cost. The incidents the rate applies
    to are recomputed after the commit."""
    if not by.has_perm("budgets.manage_rates"):
        raise PermissionDenied("Your role does not set incident cost rates.")
    value = rate_amount(amount)
    key = {"kind": kind, "role": role or "", "channel": channel or "",
           "queue": queue, "effective_from": effective_from}
    rate = CostRate.objects.select_for_update().filter(**key).first() or CostRate(**key)
    existed = rate.pk is not None
    rate.amount = value
    errors = rate_problems(rate)
    if not errors:
        try:
            rate.full_clean(validate_constraints=False)
        except ValidationError as exc:
            errors = exc.message_dict
    if errors:
        raise ValidationError(errors)
    save_with_audit(rate, by=by, reason=reason.strip() or ("Rate changed" if existed
                                                           else "Rate set"))
    from ..tasks import refresh_incident_costs_since

    refresh_incident_costs_since.delay_on_commit(effective_from.isoformat())
    return rate


def rate_amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount).strip().replace(" ", ""))
    except (ArithmeticError, ValueError, TypeError):
        raise ValidationError({"amount": [f"“{amount}” is not an amount."]}) from None
    if not value.is_finite() or value < 0 or abs(value) >= Decimal("1e8"):
        raise ValidationError({"amount": ["Give a rate of zero or more."]})
    if value != value.quantize(Decimal("0.0001")):
        raise ValidationError({"amount": ["Four decimals at most."]})
    return value


# --- The arithmetic of one line (exact, rounded once: budgets/money.py) ---------------------


def time_cost(seconds: int, hourly_rate, people: int) -> Decimal:
    """people × seconds ÷ 3600 × hourly rate."""
    return money.hours_cost(seconds, hourly_rate, people)


def contacts_value(count: int, rate) -> Decimal:
    """lost contacts × value of one."""
    return money.cents(int(count) * money.to_fraction(rate))


def credit_share(expected, minutes, all_minutes) -> Decimal:
    """A credit's expected amount × this incident's minutes ÷ all outage minutes."""
    return money.cents(money.to_fraction(expected) * money.to_fraction(minutes)
                       / money.to_fraction(all_minutes))


# --- The breakdown ------------------------------------------------------------------------


@dataclass
class Line:
    """One line of the breakdown: what, its formula written out, and its amount (None:
    no rate to price it)."""

    part: str  # responders | agents_idle | lost_contacts | credits
    label: str
    formula: str
    amount: Decimal | None
    quantity: int = 0

    def as_dict(self):
        return {"part": self.part, "label": self.label, "formula": self.formula,
                "amount": None if self.amount is None else str(self.amount),
                "quantity": self.quantity}


@dataclass
class Breakdown:
    incident_id: int
    currency: str
    start: datetime
    end: datetime
    ongoing: bool
    seconds: int
    rate_day: date
    lines: list[Line]
    lost_contacts: int
    missing: list[str]  # the rates that were needed and not set
    no_rates: bool  # no rate at all in effect
    lost_by_channel: dict = field(default_factory=dict)  # queue channel → lost contacts

    @property
    def hours(self) -> Fraction:
        return Fraction(self.seconds, 3600)

    def _sum(self, part) -> Decimal:
        return sum((line.amount for line in self.lines
                    if line.part == part and line.amount is not None), ZERO)

    @property
    def responders(self) -> Decimal:
        return self._sum("responders")

    @property
    def agents_idle(self) -> Decimal:
        return self._sum("agents_idle")

    @property
    def lost_contacts_value(self) -> Decimal:
        return self._sum("lost_contacts")

    @property
    def credits(self) -> Decimal:
        """Credits attributed, as a positive amount (subtracted from the total)."""
        return self._sum("credits")

    @property
    def total(self) -> Decimal:
        return self.responders + self.agents_idle + self.lost_contacts_value - self.credits

    def lines_of(self, part):
        return [line for line in self.lines if line.part == part]

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "ongoing": self.ongoing, "seconds": self.seconds,
                "hours": fmt_hours(self.hours), "rate_day": self.rate_day.isoformat(),
                "lines": [line.as_dict() for line in self.lines],
                "missing": self.missing, "no_rates": self.no_rates,
                "lost_by_channel": self.lost_by_channel}


def incident_hours(incident, now=None) -> tuple[datetime, datetime, bool]:
    """From the declaration to the resolution, or the cancellation, or now (ongoing)."""
    end = incident.resolved_at or incident.cancelled_at
    ongoing = end is None
    if ongoing:
        end = now or timezone.now()
    return incident.declared_at, max(end, incident.declared_at), ongoing


def idle_window_seconds(incident, start, end) -> int:
    """Seconds agents stood idle: from the declaration to containment if it came before
    the end, else to the end."""
    stop = incident.contained_at if incident.contained_at and start <= incident.contained_at \
        < end else end
    return int((stop - start).total_seconds())


def responder_groups(incident) -> list[tuple[str, list]]:
    """``[(role, people)]``: each filled role, then everyone else who joined. A person
    counts once, under their first role."""
    seen = set()
    groups = []
    for role in ROLE_FIELDS:
        user_id = getattr(incident, f"{role}_id")
        if user_id is not None and user_id not in seen:
            seen.add(user_id)
            groups.append((role, [user_id]))
    others = sorted(set(incident.participants.values_list("pk", flat=True)) - seen)
    if others:
        groups.append((PARTICIPANT, others))
    return groups


def incident_cost(incident, now=None) -> Breakdown:
    """The incident's cost, line by line, with each formula written out."""
    currency = default_currency()
    start, end, ongoing = incident_hours(incident, now)
    seconds = int((end - start).total_seconds())
    hours = Fraction(seconds, 3600)
    rate_day = timezone.localdate(incident.declared_at)
    rates = rates_on(rate_day)
    lines: list[Line] = []
    missing: list[str] = []

    for role, people in responder_groups(incident):
        rate = rates.responder.get(role)
        label = ROLE_LABELS[role] if role != PARTICIPANT else "Other participants"
        count = len(people)
        who = f"{count} {'person' if count == 1 else 'people'}"
        if rate is None:
            missing.append(f"responder rate for {ROLE_LABELS[role].lower()}")
            lines.append(Line("responders", label, f"{who} × {fmt_hours(hours)} h × no rate set",
                              None, count))
            continue
        amount = time_cost(seconds, rate.amount, count)
        lines.append(Line("responders", label,
                          f"{who} × {fmt_hours(hours)} h × {fmt_rate(rate.amount, currency)}/h "
                          f"= {fmt_money(amount, currency)}", amount, count))

    idle = incident.agents_idle or 0
    if idle:
        # Agents are idle until the workaround: containment (or the end, if none came
        # first) — a contained outage that takes days to fix does not idle the floor.
        idle_seconds = idle_window_seconds(incident, start, end)
        idle_hours = Fraction(idle_seconds, 3600)
        rate = rates.agent_hour
        agents = f"{idle} agent{'s' if idle != 1 else ''} idle"
        until = " (until contained)" if incident.contained_at and \
            incident.contained_at < end else ""
        if rate is None:
            missing.append("loaded agent hour")
            lines.append(Line("agents_idle", "Agents idle",
                              f"{agents} × {fmt_hours(idle_hours)} h{until} × no rate set",
                              None, idle))
        else:
            amount = time_cost(idle_seconds, rate.amount, idle)
            lines.append(Line("agents_idle", "Agents idle",
                              f"{agents} × {fmt_hours(idle_hours)} h{until} × "
                              f"{fmt_rate(rate.amount, currency)}/h = "
                              f"{fmt_money(amount, currency)}", amount, idle))

    lost, lost_lines, lost_missing, by_channel = _lost_contacts(incident, rates, currency, now)
    lines.extend(lost_lines)
    missing.extend(lost_missing)
    lines.extend(_credit_lines(incident, currency))

    return Breakdown(incident_id=incident.pk, currency=currency, start=start, end=end,
                     ongoing=ongoing, seconds=seconds, rate_day=rate_day, lines=lines,
                     lost_contacts=lost, missing=missing, no_rates=rates.empty,
                     lost_by_channel=by_channel)


# --- Lost contacts ------------------------------------------------------------------------


def queue_shortfalls(impact) -> dict[int, Fraction]:
    """Each affected queue's answered contacts below its own baseline (the mean of the
    same weeks the impact's baseline used), from two grouped queries."""
    from django.db.models import Case, IntegerField, Value, When

    from kpis.choices import GroupBy
    from kpis.models import IntervalStat
    from kpis.selectors import BASELINE_WEEKS, grouped_sums, intervals_in

    during = dict(grouped_sums(intervals_in(impact.start, impact.end,
                                            queue_ids=impact.queue_ids), GroupBy.QUEUE))
    week = timedelta(days=7)
    ranges = [(impact.start - n * week, impact.end - n * week)
              for n in range(1, BASELINE_WEEKS + 1)]
    which = Case(*[When(start__gte=s, start__lt=e, then=Value(n))
                   for n, (s, e) in enumerate(ranges, 1)], output_field=IntegerField())
    span = Q()
    for s, e in ranges:
        span |= Q(start__gte=s, start__lt=e)
    rows = (IntervalStat.objects.filter(span, queue_id__in=impact.queue_ids).order_by()
            .annotate(week=which).values("week", "queue_id")
            .annotate(offered=Sum("offered"), answered=Sum("answered"),
                      abandoned=Sum("abandoned"), handled=Sum("handled")))
    per_week: dict[int, dict] = {}
    for row in rows:
        if row["week"]:
            per_week.setdefault(row["week"], {})[row["queue_id"]] = row
    # The weeks the impact counted: those with any data over all its queues.
    weeks = [w for w, queues in per_week.items()
             if any((q[name] or 0) for q in queues.values()
                    for name in ("offered", "answered", "abandoned", "handled"))]
    result = {}
    for queue_id in impact.queue_ids:
        baseline = (Fraction(sum((per_week[w].get(queue_id) or {}).get("answered") or 0
                                 for w in weeks), len(weeks)) if weeks else Fraction(0))
        answered = (during.get(queue_id) or {}).get("answered", 0) or 0
        result[queue_id] = baseline - answered
    return result


def share_out(total: int, weights: dict) -> dict:
    """``total`` whole units over the keys in proportion to positive ``weights`` (the
    largest remainders get the units left), adding up to ``total`` exactly."""
    positive = {k: Fraction(w) for k, w in weights.items() if w > 0}
    if total <= 0 or not positive:
        if total > 0 and weights:  # no queue below baseline by itself: share evenly
            positive = dict.fromkeys(weights, Fraction(1))
        else:
            return {}
    whole = sum(positive.values())
    exact = {k: total * w / whole for k, w in positive.items()}
    shares = {k: int(v) for k, v in exact.items()}
    left = total - sum(shares.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - shares[k]), str(k)))[:left]:
        shares[key] += 1
    return {k: v for k, v in shares.items() if v}


def _lost_contacts(incident, rates: Rates, currency, now):
    from kpis.choices import QueueChannel
    from kpis.models import Queue
    from kpis.selectors import incident_impact

    impact = incident_impact(incident, now=now)
    lost = impact.lost_contacts if impact is not None else 0
    if not lost:
        return 0, [], [], {}
    shares = share_out(lost, queue_shortfalls(impact))
    queues = Queue.objects.in_bulk(list(shares))
    # One line per rate: each queue with its own rate, each channel for the others.
    groups: dict[tuple, dict] = {}
    by_channel: dict[str, int] = {}
    for queue_id, count in sorted(shares.items()):
        queue = queues[queue_id]
        by_channel[queue.channel] = by_channel.get(queue.channel, 0) + count
        own = rates.queue.get(queue_id)
        key = ("queue", queue_id) if own else ("channel", queue.channel)
        group = groups.setdefault(key, {"count": 0, "rate": own or rates.channel.get(
            queue.channel), "label": queue.name if own else
            QueueChannel(queue.channel).label})
        group["count"] += count
    lines, missing = [], []
    for _key, group in sorted(groups.items(),
                              key=lambda kv: (kv[0][0] != "queue", str(kv[0][1]))):
        count, rate = group["count"], group["rate"]
        label = f"Lost contacts, {group['label']}"
        contacts = fmt_count(count, "lost contact")
        if rate is None:
            missing.append(f"lost-contact value for {group['label'].lower()}")
            lines.append(Line("lost_contacts", label, f"{contacts} × no value set", None, count))
            continue
        amount = contacts_value(count, rate.amount)
        lines.append(Line("lost_contacts", label,
                          f"{contacts} × {fmt_rate(rate.amount, currency)} = "
                          f"{fmt_money(amount, currency)}", amount, count))
    return lost, lines, missing, by_channel


# --- Vendor credits -----------------------------------------------------------------------


def attributed_credits(incident_ids) -> list[tuple]:
    """``[(credit, incident_id, incident minutes, all outage minutes)]`` for the credits
    (not waived) whose compliance's self-measurement lists one of ``incident_ids``
    among its outages. Three queries whatever the number of credits."""
    from vendors.choices import CreditState, MeasurementSource
    from vendors.models import Measurement, ServiceCredit, VendorAttribution

    incident_ids = set(incident_ids)
    vendor_ids = set(VendorAttribution.objects.filter(incident_id__in=incident_ids)
                     .values_list("vendor_id", flat=True))
    if not vendor_ids:
        return []
    credits = list(ServiceCredit.objects.filter(vendor_id__in=vendor_ids)
                   .exclude(state=CreditState.WAIVED)
                   .select_related("compliance", "objective", "contract"))
    if not credits:
        return []
    wanted = Q()
    for credit in credits:
        wanted |= Q(objective_id=credit.compliance.objective_id,
                    period_start=credit.compliance.period_start)
    measurements = {(m.objective_id, m.period_start): m for m in Measurement.objects.filter(
        wanted, source=MeasurementSource.SELF)}
    found = []
    for credit in credits:
        measurement = measurements.get((credit.compliance.objective_id,
                                        credit.compliance.period_start))
        outages = (measurement.basis or {}).get("outages", []) if measurement else []
        all_minutes = sum((Fraction(Decimal(str(o.get("minutes") or 0))) for o in outages),
                          Fraction(0))
        for outage in outages:
            if outage.get("incident_id") in incident_ids and all_minutes > 0:
                found.append((credit, outage["incident_id"],
                              Fraction(Decimal(str(outage.get("minutes") or 0))), all_minutes))
    return found


def _credit_lines(incident, currency) -> list[Line]:
    lines = []
    for credit, _incident_id, minutes, all_minutes in attributed_credits([incident.pk]):
        if credit.currency != currency:
            lines.append(Line("credits", f"Credit {credit.reference}",
                              f"{fmt_money(credit.expected_amount, credit.currency)} "
                              f"in another currency: not counted", None))
            continue
        amount = credit_share(credit.expected_amount, minutes, all_minutes)
        lines.append(Line("credits", f"Credit {credit.reference} ({credit.get_state_display()})",
                          f"{fmt_money(credit.expected_amount, currency)} × "
                          f"{_minutes(minutes)} min ÷ {_minutes(all_minutes)} min = "
                          f"{fmt_money(amount, currency)}", amount))
    return lines


def _minutes(value: Fraction) -> str:
    return f"{money.rounded(value, 4).normalize():f}"


# --- Keeping it ---------------------------------------------------------------------------


def month_of(incident) -> date:
    return timezone.localdate(incident.declared_at).replace(day=1)


def incident_cost_refresh(incident, now=None) -> IncidentCost:
    """Compute and keep the incident's cost (derived: no history of its own)."""
    from incidents.models import Incident

    incident = Incident.objects.get(pk=incident.pk)  # the committed fields, not a stale copy
    breakdown = incident_cost(incident, now=now)
    values = {"month": month_of(incident), "responders": breakdown.responders,
              "agents_idle": breakdown.agents_idle, "lost_contacts": breakdown.lost_contacts,
              "lost_contacts_value": breakdown.lost_contacts_value,
              "credits": breakdown.credits, "total": breakdown.total,
              "currency": breakdown.currency, "breakdown": breakdown.as_dict(),
              "computed_at": timezone.now()}
    cost, _ = IncidentCost.objects.update_or_create(incident=incident, defaults=values)
    return cost


def refresh_quietly(incident_ids) -> int:
    """Refresh each incident in its own savepoint: a failure is logged (the sweep tries
    again), never allowed to undo the change that asked for the refresh."""
    from incidents.models import Incident

    done = 0
    for incident in Incident.objects.filter(pk__in=list(incident_ids)):
        try:
            with transaction.atomic():
                incident_cost_refresh(incident)
            done += 1
        except Exception:  # noqa: BLE001 - logged; the periodic sweep recomputes it
            logger.exception("Incident cost of %s not refreshed", incident.pk)
    return done


def credit_incident_ids(credit) -> set[int]:
    """The incidents a credit's self-measurement lists among its outages."""
    from vendors.choices import MeasurementSource
    from vendors.models import Measurement

    compliance = credit.compliance
    measurement = Measurement.objects.filter(
        objective_id=compliance.objective_id, period_start=compliance.period_start,
        source=MeasurementSource.SELF).first()
    outages = (measurement.basis or {}).get("outages", []) if measurement else []
    return {o["incident_id"] for o in outages if o.get("incident_id")}


def on_object_changed(sender, instance, by, **kwargs):
    """``core.hooks.object_changed`` receiver: an incident changed (declared, triaged,
    edited, closed, cancelled, severity, vendor attribution) or a credit moved."""
    label = sender._meta.label_lower
    if label == "incidents.incident":
        refresh_quietly([instance.pk])
    elif label == "vendors.servicecredit":
        refresh_quietly(credit_incident_ids(instance))


# --- Reads for the card, the tile and the page --------------------------------------------


def card_context(request, incident) -> dict:
    """The incident page's cost card: the breakdown computed now (so it is current even
    before the next refresh)."""
    breakdown = incident_cost(incident)
    return {"cost": breakdown,
            "responder_lines": breakdown.lines_of("responders"),
            "idle_lines": breakdown.lines_of("agents_idle"),
            "lost_lines": breakdown.lines_of("lost_contacts"),
            "credit_lines": breakdown.lines_of("credits"),
            "can_manage_rates": request.user.has_perm("budgets.manage_rates"),
            "rates_url": (url_or_none("admin:budgets_costrate_changelist")
                          if request.user.has_perm("budgets.manage_rates") else None)}


def url_or_none(name: str) -> str | None:
    """The page's address, or None while it is not wired (the admin or the budgets
    pages are another part of the app, which may not be installed yet)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def months_back(month: date, count: int) -> list[date]:
    return [money.add_months(month, -n) for n in range(count - 1, -1, -1)]


def dashboard_figures(now=None, months: int = 6) -> dict:
    """Incident cost this month and last, per month (the last ``months``), per incident
    channel and per vendor over those months: three queries whatever the number of
    incidents. An incident on two channels (or with two vendors) counts in both."""
    now = now or timezone.now()
    this_month = timezone.localdate(now).replace(day=1)
    series = months_back(this_month, months)
    since = series[0]
    costs = IncidentCost.objects.filter(month__gte=since, month__lte=this_month)
    per_month = {row["month"]: row for row in costs.order_by().values("month").annotate(
        total=Sum("total"))}
    months_rows = [{"month": m, "total": _cents((per_month.get(m) or {}).get("total"))}
                   for m in series]
    channels = list(costs.filter(incident__channels__isnull=False).order_by()
                    .values("incident__channels__name").annotate(total=Sum("total"))
                    .order_by("-total", "incident__channels__name"))
    vendors = list(costs.filter(incident__vendor_attributions__isnull=False).order_by()
                   .values("incident__vendor_attributions__vendor__name",
                           "incident__vendor_attributions__vendor_id")
                   .annotate(total=Sum("total"))
                   .order_by("-total", "incident__vendor_attributions__vendor__name"))
    return {"currency": default_currency(), "this_month": months_rows[-1],
            "last_month": months_rows[-2] if months > 1 else None, "months": months_rows,
            "channels": [{"name": c["incident__channels__name"], "total": _cents(c["total"])}
                         for c in channels],
            "vendors": [{"name": v["incident__vendor_attributions__vendor__name"],
                         "id": v["incident__vendor_attributions__vendor_id"],
                         "total": _cents(v["total"])} for v in vendors],
            "costs_url": url_or_none("budgets:incident_costs")}


def _cents(value) -> Decimal:
    # SQLite's SUM of decimals forgets their places: 1010 for 1010.00.
    return Decimal(value or 0).quantize(money.CENT)


def costliest(start: date, end: date, limit: int = 50):
    """The costliest incidents declared in months ``[start, end]`` (first days)."""
    return (IncidentCost.objects.filter(month__gte=start, month__lte=end)
            .select_related("incident", "incident__severity").order_by("-total", "pk")[:limit])
