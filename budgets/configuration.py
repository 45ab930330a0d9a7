"""What budgets and incident cost are set up with: cost centers, the rates incident
cost is computed from, and fiscal years named by the API.

Services like those of ``budgets/services.py`` (keyword-only, permission first, audited
saves); kept apart from it so the budget and spend use cases stay one concern.
"""

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import save_with_audit

from .incident_cost import rate_amount, rate_problems, rate_set
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


# One set of rules for rates: ``budgets/incident_cost.py`` (its rate_set is what the API's
# create calls); an update or removal reprices the incidents the rate applied to.


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
    _reprice_from(rate.effective_from)
    return rate


def _reprice_from(day):
    from .tasks import refresh_incident_costs_since

    refresh_incident_costs_since.delay_on_commit(day.isoformat())


def cost_rate_create(*, by, kind: str, amount, effective_from: date, role: str = "",
                     channel: str = "", queue=None) -> CostRate:
    """Add a rate incident cost is computed with, in effect from a date."""
    return rate_set(by=by, kind=kind, amount=amount, effective_from=effective_from, role=role,
                    channel=channel, queue=queue, reason="Cost rate set")


@transaction.atomic
def cost_rate_update(*, rate: CostRate, by, **fields) -> CostRate:
    require(by, "budgets.manage_rates", "Your role does not set cost rates.")
    rate = CostRate.objects.select_for_update().get(pk=rate.pk)
    for name, value in fields.items():
        if name == "amount":
            value = rate_amount(value)
        if name in COST_RATE_FIELDS:
            setattr(rate, name, value)
    return _save_rate(rate, by=by, reason="Cost rate changed")


@transaction.atomic
def cost_rate_delete(*, rate: CostRate, by):
    require(by, "budgets.manage_rates", "Your role does not set cost rates.")
    rate._change_reason = "Cost rate removed"
    rate._history_user = by
    day = rate.effective_from
    rate.delete()
    _reprice_from(day)
