"""The arithmetic of budgets and ROI, pure and exact.

Every figure is computed with ``Fraction`` (or integer cents) from the stored
``Decimal`` amounts and rounded once, at the end, to cents (``ROUND_HALF_UP``):
rounding intermediate results would let totals drift by a cent per step. Property
tests check each function against a slow obvious oracle (tests/budgets/test_money.py).
"""

from calendar import monthrange
from datetime import date
from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")
MONTHS = 12


def to_fraction(value) -> Fraction:
    return Fraction(Decimal(value)) if not isinstance(value, Fraction) else value


def _half_up(fraction: Fraction, places: int) -> Decimal:
    # Exact: scale, add a half, take the floor of the magnitude — no float, no context.
    scaled = abs(fraction) * 10 ** places
    whole = int(scaled + Fraction(1, 2))
    return Decimal(-whole if fraction < 0 else whole).scaleb(-places)


def cents(value) -> Decimal:
    """``value`` (a Fraction or Decimal) rounded once to cents, halves away from zero."""
    return _half_up(to_fraction(value), 2).quantize(CENT)


def rounded(value, places: int = 2) -> Decimal | None:
    """A ratio shown to ``places`` decimals (ROI %, payback months); None stays None."""
    if value is None:
        return None
    return _half_up(to_fraction(value), places).quantize(Decimal(1).scaleb(-places))


# --- Fiscal years and phasing ---------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def fiscal_year_bounds(day: date, start_month: int) -> tuple[date, date, str]:
    """First and last day of the fiscal year ``day`` falls in, and its name: a year is
    named after the calendar year it ends in (April 2026 – March 2027 is FY2027)."""
    if not 1 <= start_month <= 12:
        raise ValueError("The fiscal year's start month must be 1 to 12.")
    year = day.year if day.month >= start_month else day.year - 1
    first = date(year, start_month, 1)
    last = date.fromordinal(add_months(first, 12).toordinal() - 1)
    return first, last, f"FY{last.year}"


def month_starts(first_day: date) -> list[date]:
    return [add_months(first_day, n) for n in range(MONTHS)]


def even_phasing(amount) -> list[Decimal]:
    """``amount`` spread over twelve months in cents that add up to it exactly: month n
    gets round(amount × n/12) − round(amount × (n−1)/12), so no cent is lost or made."""
    total = to_fraction(amount)
    edges = [cents(total * n / MONTHS) for n in range(MONTHS + 1)]
    return [edges[n + 1] - edges[n] for n in range(MONTHS)]


def phasing_of(amount, phasing) -> list[Decimal]:
    """The twelve monthly amounts: the stored phasing, or even."""
    if phasing:
        return [Decimal(str(v)) for v in phasing]
    return even_phasing(amount)


def phasing_problem(amount, phasing) -> str | None:
    """Why ``phasing`` is not a valid phasing of ``amount`` (None: it is)."""
    if not phasing:
        return None
    if len(phasing) != MONTHS:
        return f"Give twelve monthly amounts, not {len(phasing)}."
    try:
        values = [Decimal(str(v)) for v in phasing]
    except ArithmeticError:
        return "Every monthly amount must be a number."
    if any(not v.is_finite() or v < 0 or v != v.quantize(CENT) for v in values):
        return "Monthly amounts must be positive and in cents."
    if sum(values) != Decimal(amount):
        return (f"The months add up to {sum(values).quantize(CENT)}, not the budget's "
                f"{Decimal(amount).quantize(CENT)}.")
    return None


def planned_through(monthly: list[Decimal], months_elapsed: int) -> Decimal:
    """The phased amount of the year's first ``months_elapsed`` months."""
    return sum(monthly[:max(0, min(MONTHS, months_elapsed))], Decimal("0.00"))


# --- Burn and forecast --------------------------------------------------------------------


def consumption_percent(actual, planned) -> Decimal | None:
    """Actual ÷ planned × 100, to two decimals; None for a zero budget."""
    planned = to_fraction(planned)
    if planned == 0:
        return None
    return rounded(to_fraction(actual) * 100 / planned)


def run_rate_forecast(actual, *, elapsed_days: int, year_days: int) -> Decimal:
    """Year-end spend if the rate so far continues: actual × year days ÷ elapsed days."""
    if elapsed_days <= 0:
        return cents(to_fraction(actual))
    return cents(to_fraction(actual) * year_days / min(elapsed_days, year_days))


def committed_forecast(actual, committed_remaining) -> Decimal:
    """Year-end spend if the contracts' remaining fee lines are paid: actual + committed."""
    return cents(to_fraction(actual) + to_fraction(committed_remaining))


# --- ROI and payback ------------------------------------------------------------------------


def roi(benefit, cost) -> Decimal | None:
    """(benefit − cost) ÷ cost, as a percentage to two decimals; None without cost."""
    cost = to_fraction(cost)
    if cost <= 0:
        return None
    return rounded((to_fraction(benefit) - cost) * 100 / cost)


def payback_months(one_time_cost, monthly_benefit, monthly_recurring_cost=0) -> Decimal | None:
    """Simple payback: one-time cost ÷ (monthly benefit − monthly recurring cost), in
    months to one decimal; None when the net monthly benefit is not positive."""
    net = to_fraction(monthly_benefit) - to_fraction(monthly_recurring_cost)
    if net <= 0:
        return None
    return rounded(to_fraction(one_time_cost) / net, 1)


def aht_reduction_benefit(*, baseline_aht_seconds, measured_aht_seconds, contacts,
                          cost_per_minute) -> Decimal:
    """(baseline AHT − measured AHT) ÷ 60 × contacts × cost per agent-minute."""
    saved_seconds = to_fraction(baseline_aht_seconds) - to_fraction(measured_aht_seconds)
    return cents(saved_seconds / 60 * int(contacts) * to_fraction(cost_per_minute))


def containment_benefit(*, baseline_percent, measured_percent, contacts,
                        cost_per_contact) -> Decimal:
    """(measured containment − baseline containment) × contacts × cost per contact."""
    gained = (to_fraction(measured_percent) - to_fraction(baseline_percent)) / 100
    return cents(gained * int(contacts) * to_fraction(cost_per_contact))


def hours_cost(seconds, hourly_rate, people: int = 1) -> Decimal:
    """people × seconds ÷ 3600 × hourly rate."""
    return cents(Fraction(int(seconds), 3600) * people * to_fraction(hourly_rate))
