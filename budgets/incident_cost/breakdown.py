"""What an incident cost: the breakdown with its formulas (rates in ``rates.py``, the kept
figure and the reads in ``kept.py``).

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

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q, Sum
from django.utils import timezone

from .. import money
from ..models import default_currency
from .rates import (
    PARTICIPANT,
    ROLE_FIELDS,
    ROLE_LABELS,
    ZERO,
    Rates,
    fmt_count,
    fmt_hours,
    fmt_money,
    fmt_rate,
    rates_on,
)

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
