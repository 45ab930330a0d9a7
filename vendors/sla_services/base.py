"""What every SLA service needs: the permission check, figures parsed with a message
naming the field, and the version of an objective in force on a day.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from ..credit_rules import fmt_number
from ..models import SlaObjective


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


def latest_version(series) -> SlaObjective:
    return SlaObjective.objects.filter(series=series).order_by("-effective_from").first()


def version_for(series, day: date) -> SlaObjective | None:
    """The version of an objective in force on ``day`` (None before the first)."""
    return (SlaObjective.objects.filter(series=series, effective_from__lte=day)
            .select_related("contract", "contract__vendor", "schedule")
            .order_by("-effective_from").first())
