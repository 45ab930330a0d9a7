"""Cost rates (per role, per agent hour, per lost contact; the one in effect on a day),
and how money, rates, hours and counts are written on the card.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.audit import save_with_audit

from .. import money
from ..choices import RESPONDER_ROLES, RateKind
from ..models import CostRate

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
