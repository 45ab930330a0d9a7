"""Service-credit arithmetic: what a missed SLA objective is worth, and why.

Pure functions on plain values (no models), so every shape real vendor contracts use
can be expressed as data and tested against a slow obvious oracle
(``tests/vendors/test_credit_rules.py``). The shapes, from ``shared/REFERENCE.md``:

* **value bands** on the measured value, *lower-inclusive, upper-exclusive*
  (Amazon Connect: below 99.99 and at least 99.0 → 5 %; below 99.0 and at least
  95.0 → 15 %; below 95.0 → 100 %). A band with no lower bound is "below X", one
  with no upper bound "X or more" (for at-most metrics such as an abandon rate);
* **duration bands** on outage length (Five9: under 2 h → 5 %, 2 h or more → 10 %),
  applied per outage and added up, or once to the period's total downtime;
* **floors**: "below 97 % in the month → 100 % of the fees" — a floor that applies
  replaces every band (it does not add to them);
* the **fee base**: the period's fees of the fee lines the schedule names (one-time
  fees are never part of it);
* a **minimum** (no credit below it: Amazon's "only if it is greater than 1 USD" is
  ``minimum_rule="more_than"``), a **cap** (a percentage of the fee base and/or an
  amount, the lower wins).

The percentage is applied to the fee base and the result rounded **once**, at the
end, half-up to the currency's cents. A credit is due only when the objective was
missed: bands are never consulted for a period that met its target.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Band:
    """``percent`` of the fee base when ``lower <= value < upper`` (None: unbounded)."""

    percent: Decimal
    lower: Decimal | None = None
    upper: Decimal | None = None

    def contains(self, value: Decimal) -> bool:
        return (self.lower is None or value >= self.lower) and (
            self.upper is None or value < self.upper)

    def describe(self, value: Decimal, unit: str) -> str:
        """``99.45 % < 99.99 % and ≥ 99.0 %``: the value and the band it fell in."""
        bound = fmt_number if unit == " min" else fmt_bound
        parts = []
        if self.upper is not None:
            parts.append(f"< {bound(self.upper)}{unit}")
        if self.lower is not None:
            parts.append(f"≥ {bound(self.lower)}{unit}")
        return f"{fmt_number(value)}{unit} " + " and ".join(parts)


@dataclass(frozen=True)
class Schedule:
    """A credit schedule as a contract words it (see the module docstring)."""

    value_bands: tuple[Band, ...] = ()
    # Bands on outage minutes; per_outage: each outage is matched and the results add up.
    duration_bands: tuple[Band, ...] = ()
    duration_per_outage: bool = True
    floors: tuple[Band, ...] = ()
    minimum_amount: Decimal = Decimal(0)
    minimum_rule: str = "at_least"  # or "more_than" (Amazon: "greater than 1 USD")
    cap_percent: Decimal | None = None
    cap_amount: Decimal | None = None
    unit: str = " %"  # how the measured value reads in explanations


@dataclass(frozen=True)
class FeeLine:
    name: str
    amount: Decimal  # the line's fees for the measured period
    one_time: bool = False


@dataclass
class CreditResult:
    percent: Decimal  # of the fee base, before cap and minimum
    fee_base: Decimal
    amount: Decimal  # rounded once, half-up to cents; 0 when nothing is due
    matched: str  # which band or floor matched ("" when none)
    explanation: str
    steps: list[str] = field(default_factory=list)


def fmt_number(value: Decimal) -> str:
    """``99.45``, ``5`` — a figure without trailing zeros."""
    return format(Decimal(value).normalize(), "f")


def fmt_bound(value: Decimal) -> str:
    """``99.99``, ``99.0`` — a band's bound as contracts write it (one decimal at least)."""
    text = fmt_number(value)
    return text if "." in text else f"{text}.0"


def fmt_money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def fee_base(lines, names=None) -> Decimal:
    """The period's fees of the named fee lines (all recurring ones when ``names`` is
    None); one-time fees are never a base (EC2: "one-time payments excluded")."""
    wanted = None if names is None else set(names)
    return sum((Decimal(line.amount) for line in lines
                if not line.one_time and (wanted is None or line.name in wanted)),
               Decimal(0))


def _first(bands, value):
    return next((band for band in bands if band.contains(value)), None)


def credit_due(schedule: Schedule, *, missed: bool, value: Decimal | None, fee_base: Decimal,
               fee_names: str = "fees", currency: str = "EUR",
               outage_minutes: tuple[Decimal, ...] = ()) -> CreditResult:
    """The credit one objective earns for one period, with its explanation written out.

    ``value`` is the measured value (uptime %, service level %…) and may be None for
    a schedule on outage durations only; ``outage_minutes`` are the period's outages
    (after exclusions) for duration bands.
    """
    fee_base = Decimal(fee_base)
    base_text = f"{fee_names} {fmt_money(fee_base, currency)}"
    if not missed:
        return CreditResult(Decimal(0), fee_base, Decimal(0), "", "Target met: no credit.")
    steps, matched, percent = [], "", Decimal(0)
    floor = _first(schedule.floors, value) if value is not None else None
    if floor is not None:
        percent = Decimal(floor.percent)
        matched = f"floor {floor.describe(value, schedule.unit)}"
        steps.append(f"{floor.describe(value, schedule.unit)} → floor "
                     f"{fmt_number(floor.percent)} %")
    else:
        band = _first(schedule.value_bands, value) if value is not None else None
        if band is not None:
            percent += Decimal(band.percent)
            matched = band.describe(value, schedule.unit)
            steps.append(f"{band.describe(value, schedule.unit)} → "
                         f"{fmt_number(band.percent)} %")
        if schedule.duration_bands:
            outages = [Decimal(m) for m in outage_minutes]
            measured = outages if schedule.duration_per_outage else (
                [sum(outages, Decimal(0))] if outages else [])
            what = "outage of" if schedule.duration_per_outage else "downtime in the period"
            for minutes in measured:
                hit = _first(schedule.duration_bands, minutes)
                if hit is not None:
                    percent += Decimal(hit.percent)
                    steps.append(f"{what} {hit.describe(minutes, ' min')} → "
                                 f"{fmt_number(hit.percent)} %")
                    matched = matched or f"duration: {hit.describe(minutes, ' min')}"
    if not steps:
        return CreditResult(Decimal(0), fee_base, Decimal(0), "",
                            "Target missed, but no band of the schedule applies: no credit.")
    raw = fee_base * percent / HUNDRED
    explanation = [f"{'; '.join(steps)} of {base_text} = {fmt_money(raw, currency)}"]
    amount = raw
    caps = []
    if schedule.cap_percent is not None:
        caps.append((fee_base * Decimal(schedule.cap_percent) / HUNDRED,
                     f"cap {fmt_number(schedule.cap_percent)} %"))
    if schedule.cap_amount is not None:
        caps.append((Decimal(schedule.cap_amount),
                     f"cap {fmt_money(Decimal(schedule.cap_amount), currency)}"))
    if caps:
        limit, label = min(caps, key=lambda c: c[0])
        if amount > limit:
            amount = limit
            explanation.append(f"{label} applies: {fmt_money(limit, currency)}")
        else:
            explanation.append(f"{label} not reached")
    amount = round_money(amount)  # the one rounding
    minimum = Decimal(schedule.minimum_amount)
    if minimum > 0:
        issued = amount > minimum if schedule.minimum_rule == "more_than" else amount >= minimum
        word = "more than" if schedule.minimum_rule == "more_than" else "at least"
        if issued:
            explanation.append(f"minimum {fmt_money(minimum, currency)} met")
        else:
            explanation.append(f"not issued: the credit must be {word} "
                               f"{fmt_money(minimum, currency)}")
            amount = Decimal("0.00")
    return CreditResult(percent, fee_base, amount, matched, "; ".join(explanation), steps)


# --- Measured values a schedule reads -------------------------------------------------------


def uptime_percent(*, period_minutes, unavailable_minutes, excluded_minutes=0,
                   formula="excluded_added_back") -> Decimal:
    """Monthly uptime in percent, unrounded.

    ``excluded_added_back`` — Twilio (2021): (A − B + C) ÷ A, excluded minutes added back;
    ``plain`` — Twilio (2023): (A − B) ÷ A, with B already net of exclusions.
    """
    a, b, c = Decimal(period_minutes), Decimal(unavailable_minutes), Decimal(excluded_minutes)
    if a <= 0:
        raise ValueError("A period has minutes.")
    if formula == "excluded_added_back":
        return (a - b + c) / a * HUNDRED
    if formula == "plain":
        return (a - b) / a * HUNDRED
    raise ValueError(f"Unknown uptime formula {formula!r}.")
