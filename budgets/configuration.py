"""What budgets and incident cost are set up with: cost centers, the rates incident
cost is computed from, and fiscal years named by the API.

Services like those of ``budgets/services.py`` (keyword-only, permission first, audited
saves); kept apart from it so the budget and spend use cases stay one concern.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import save_with_audit
from kpis.choices import QueueChannel

from .choices import RESPONDER_ROLES, RateKind
from .models import CostCenter, CostRate, FiscalYear
from .services import fiscal_year_for, require

COST_CENTER_FIELDS = ["code", "name", "active"]
COST_RATE_FIELDS = ["kind", "role", "channel", "queue", "amount", "effective_from"]
_YEAR_NAME = re.compile(r"^FY(\d{4})$", re.IGNORECASE)


# --- Fiscal years -----------------------------------------------------------------------------


def fiscal_year_named(value) -> FiscalYear:
    """The fiscal year with this id or name ("FY2027"), created on first use from the
    configured start month; a ValidationError naming ``fiscal_year`` otherwise."""
    text = str(value).strip()
    if text.isascii() and text.isdigit() and len(text) < 19:
        found = FiscalYear.objects.filter(pk=int(text)).first()
        if found is not None:
            return found
        raise ValidationError({"fiscal_year": [f"No fiscal year with id {text}."]})
    match = _YEAR_NAME.match(text)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError({"fiscal_year": [
            "Give the fiscal year's id or its name, e.g. FY2027 (2000 to 2100)."]})
    year = int(match.group(1))
    found = FiscalYear.objects.filter(name=f"FY{year}").first()
    if found is not None:
        return found
    # A year is named after the calendar year it ends in: its last month is the one
    # before the start month (December when years start in January).
    start_month = settings.SWITCHBOARD_FISCAL_YEAR_START_MONTH
    last_month_day = date(year, 12, 1) if start_month == 1 else date(year, start_month - 1, 1)
    return fiscal_year_for(last_month_day)


# --- Cost centers -----------------------------------------------------------------------------


def _save_cost_center(center: CostCenter, *, by, reason):
    center.code = (center.code or "").strip()
    center.full_clean()
    save_with_audit(center, by=by, reason=reason)
    return center


@transaction.atomic
def cost_center_create(*, by, code: str, name: str, active: bool = True) -> CostCenter:
    """Add a cost center budgets are set for (Finance, Managers)."""
    require(by, "budgets.manage_budget", "Your role does not set budgets.")
    return _save_cost_center(CostCenter(code=code, name=name, active=active), by=by,
                             reason="Cost center added")


@transaction.atomic
def cost_center_update(*, cost_center: CostCenter, by, **fields) -> CostCenter:
    require(by, "budgets.manage_budget", "Your role does not set budgets.")
    center = CostCenter.objects.select_for_update().get(pk=cost_center.pk)
    for name, value in fields.items():
        if name in COST_CENTER_FIELDS:
            setattr(center, name, value)
    return _save_cost_center(center, by=by, reason="Cost center changed")


@transaction.atomic
def cost_center_delete(*, cost_center: CostCenter, by):
    """Remove a cost center no budget uses (one that has budgets is deactivated instead:
    the database refuses, and the API answers 409)."""
    require(by, "budgets.manage_budget", "Your role does not set budgets.")
    cost_center._change_reason = "Cost center removed"
    cost_center._history_user = by
    cost_center.delete()


# --- Cost rates -------------------------------------------------------------------------------


def _rate_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount": [f"“{value}” is not a rate."]}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("100000000"):
        raise ValidationError({"amount": ["Give a rate from 0 to 99,999,999.9999."]})
    if amount != amount.quantize(Decimal("0.0001")):
        raise ValidationError({"amount": ["Four decimals at most."]})
    return amount


def rate_problems(rate: CostRate) -> dict[str, list[str]]:
    """What a rate lacks or has too much of for its kind (empty: nothing)."""
    errors: dict[str, list[str]] = {}

    def refuse(field, message):
        errors.setdefault(field, []).append(message)

    if rate.kind == RateKind.RESPONDER:
        if rate.role not in dict(RESPONDER_ROLES):
            refuse("role", "A responder rate is for one incident role.")
        if rate.channel or rate.queue_id:
            refuse("channel", "A responder rate is per role, not per channel or queue.")
    elif rate.kind == RateKind.AGENT_HOUR:
        if rate.role or rate.channel or rate.queue_id:
            refuse("kind", "The loaded agent hour is one rate: no role, channel or queue.")
    elif rate.kind == RateKind.LOST_CONTACT:
        if rate.role:
            refuse("role", "A lost-contact value is per channel or queue, not per role.")
        if rate.channel and rate.channel not in QueueChannel.values:
            refuse("channel", f"Channels are {', '.join(QueueChannel.values)}.")
        if not rate.channel and not rate.queue_id:
            refuse("channel", "Give the channel (or one queue) the lost contact is valued for.")
        if rate.channel and rate.queue_id:
            refuse("queue", "Give a channel or a queue, not both (a queue's rate wins over "
                            "its channel's).")
    return errors


def _save_rate(rate: CostRate, *, by, reason):
    rate.role = rate.role or ""
    rate.channel = (rate.channel or "").strip()
    errors = rate_problems(rate)
    try:
        rate.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    save_with_audit(rate, by=by, reason=reason)
    return rate


@transaction.atomic
def cost_rate_create(*, by, kind: str, amount, effective_from: date, role: str = "",
                     channel: str = "", queue=None) -> CostRate:
    """Add a rate incident cost is computed with, in effect from a date."""
    require(by, "budgets.manage_rates", "Your role does not set cost rates.")
    rate = CostRate(kind=kind, role=role or "", channel=channel or "", queue=queue,
                    amount=_rate_amount(amount), effective_from=effective_from)
    return _save_rate(rate, by=by, reason="Cost rate set")


@transaction.atomic
def cost_rate_update(*, rate: CostRate, by, **fields) -> CostRate:
    require(by, "budgets.manage_rates", "Your role does not set cost rates.")
    rate = CostRate.objects.select_for_update().get(pk=rate.pk)
    for name, value in fields.items():
        if name == "amount":
            value = _rate_amount(value)
        if name in COST_RATE_FIELDS:
            setattr(rate, name, value)
    return _save_rate(rate, by=by, reason="Cost rate changed")


@transaction.atomic
def cost_rate_delete(*, rate: CostRate, by):
    require(by, "budgets.manage_rates", "Your role does not set cost rates.")
    rate._change_reason = "Cost rate removed"
    rate._history_user = by
    rate.delete()
