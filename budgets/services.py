"""Budget and spend use cases: fiscal years, budgets, spend entries (entered, pushed or
the offset of a received service credit) and the consumption alerts they raise.

Initiatives and benefits are ``budgets/initiatives.py``; imports ``budgets/importing.py``;
incident cost ``budgets/incident_cost.py``. Every change is saved with its history
(who and why) in the caller's transaction; alerts are rows first (exactly once, by
their unique constraints), notifications second, emails through the outbox.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from core.audit import save_with_audit, system_user
from core.choices import Role
from core.notifications import notify
from core.transitions import lock

from . import money
from .choices import AlertScope, CostType, SpendOrigin
from .models import Budget, BudgetAlert, CostCenter, FiscalYear, SpendEntry

BUDGET_FIELDS = ["name", "owner", "amount", "phasing", "alert_thresholds", "notes"]
SPEND_FIELDS = ["budget", "date", "amount", "cost_type", "vendor", "contract", "initiative",
                "invoice_reference", "description"]
MAX_AMOUNT = Decimal("999999999999.99")


def require(by, perm, message, obj=None):
    allowed = by.has_perm(perm, obj) if obj is not None else by.has_perm(perm)
    if not allowed:
        raise PermissionDenied(message)


def parse_money(value, field: str, *, allow_negative: bool = True) -> Decimal:
    """``value`` as an exact amount in cents, or a ValidationError naming ``field``."""
    try:
        amount = Decimal(str(value).strip().replace(" ", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [f"“{value}” is not an amount."]}) from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise ValidationError({field: [f"“{value}” is not an amount."]})
    if amount != amount.quantize(money.CENT):
        raise ValidationError({field: ["Give the amount in cents (two decimals at most)."]})
    if not allow_negative and amount < 0:
        raise ValidationError({field: ["The amount cannot be negative."]})
    return amount.quantize(money.CENT)


# --- Fiscal years -----------------------------------------------------------------------------


def fiscal_year_for(day: date) -> FiscalYear:
    """The fiscal year ``day`` falls in, created on first use."""
    first, last, name = money.fiscal_year_bounds(day, settings.SWITCHBOARD_FISCAL_YEAR_START_MONTH)
    year = FiscalYear.objects.filter(first_day__lte=day, last_day__gte=day).first()
    if year is not None:
        return year
    try:
        with transaction.atomic():
            return FiscalYear.objects.create(name=name, first_day=first, last_day=last)
    except IntegrityError:  # created meanwhile by another request
        return FiscalYear.objects.get(first_day=first)


# --- Budgets ----------------------------------------------------------------------------------


def _check_budget(budget: Budget):
    problem = money.phasing_problem(budget.amount, budget.phasing)
    if problem:
        raise ValidationError({"phasing": [problem]})
    thresholds = budget.alert_thresholds or []
    if not isinstance(thresholds, list) or not all(
            isinstance(t, int) and not isinstance(t, bool) and 1 <= t <= 1000 for t in thresholds):
        raise ValidationError({"alert_thresholds": [
            "Give whole percentages between 1 and 1000, e.g. [80, 100]."]})
    budget.alert_thresholds = sorted(set(thresholds))
    if budget.phasing:
        budget.phasing = [str(Decimal(str(v)).quantize(money.CENT)) for v in budget.phasing]


@transaction.atomic
def budget_create(*, by, fiscal_year: FiscalYear, category: str, cost_center: CostCenter,
                  amount, reason: str = "Budget set", **fields) -> Budget:
    """Set a budget for a fiscal year, category and cost center (Finance, Managers)."""
    require(by, "budgets.manage_budget", "Your role does not set budgets.")
    budget = Budget(fiscal_year=fiscal_year, category=category, cost_center=cost_center,
                    amount=parse_money(amount, "amount", allow_negative=False), created_by=by,
                    **{k: v for k, v in fields.items() if k in BUDGET_FIELDS})
    _check_budget(budget)
    budget.full_clean()
    save_with_audit(budget, by=by, reason=reason)
    return budget


@transaction.atomic
def budget_update(*, budget: Budget, by, reason: str = "Budget changed", **fields) -> Budget:
    """Change a budget's amount, phasing, owner, thresholds or notes; history says why."""
    require(by, "budgets.manage_budget", "Your role does not set budgets.")
    budget = lock(Budget, budget.pk)
    for name, value in fields.items():
        if name == "amount":
            value = parse_money(value, "amount", allow_negative=False)
        if name in BUDGET_FIELDS:
            setattr(budget, name, value)
    _check_budget(budget)
    budget.full_clean()
    save_with_audit(budget, by=by, reason=reason)
    check_alerts(budget, by=by)
    return budget


@transaction.atomic
def budget_delete(*, budget: Budget, by, reason: str = "Budget removed"):
    """Remove a budget set by mistake; one with spend or initiatives is protected (the
    database refuses: the API answers 409)."""
    require(by, "budgets.manage_budget", "Your role does not set budgets.")
    budget = lock(Budget, budget.pk)
    budget._change_reason = reason
    budget._history_user = by
    budget.delete()


# --- Spend ------------------------------------------------------------------------------------


def spend_problems(entry: SpendEntry) -> dict[str, list[str]]:
    """What is wrong with a spend entry, by field (empty: nothing). Shared by the form,
    the API, the import (each bad row named) and the admin."""
    errors: dict[str, list[str]] = {}
    budget = entry.budget if entry.budget_id else None
    if budget is not None and entry.date and not budget.fiscal_year.contains(entry.date):
        errors.setdefault("date", []).append(
            f"{entry.date:%d %b %Y} is outside {budget.fiscal_year} "
            f"({budget.fiscal_year.first_day:%d %b %Y} – {budget.fiscal_year.last_day:%d %b %Y}).")
    if entry.amount is not None and entry.amount == 0:
        errors.setdefault("amount", []).append("A spend entry needs an amount other than zero.")
    contract = entry.contract if entry.contract_id else None
    if contract is not None and entry.vendor_id and entry.vendor_id != contract.vendor_id:
        errors.setdefault("contract", []).append(
            f"{contract.reference} is a contract of {contract.vendor}, not of {entry.vendor}.")
    return errors


def _complete(entry: SpendEntry):
    if entry.contract_id and not entry.vendor_id:
        entry.vendor_id = entry.contract.vendor_id


def _validate_spend(entry: SpendEntry):
    _complete(entry)
    errors = spend_problems(entry)
    try:
        entry.full_clean(exclude=["recorded_by"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _link_contract(entry: SpendEntry):
    # Money booked on a contract tells which budget its committed fees belong to.
    if entry.contract_id:
        entry.budget.contracts.add(entry.contract_id)


@transaction.atomic
def spend_record(*, by, budget: Budget, date: date, amount, origin: str = SpendOrigin.ENTERED,
                 reason: str = "Spend recorded", **fields) -> SpendEntry:
    """Record money spent against a budget (entered by a person or pushed by the API)."""
    require(by, "budgets.record_spend", "Your role does not record spend.")
    entry = SpendEntry(budget=budget, date=date, amount=parse_money(amount, "amount"),
                       origin=origin, recorded_by=by, recorded_at=timezone.now(),
                       **{k: v for k, v in fields.items() if k in SPEND_FIELDS})
    _validate_spend(entry)
    save_with_audit(entry, by=by, reason=reason)
    _link_contract(entry)
    check_alerts(entry.budget, by=by)
    return entry


@transaction.atomic
def spend_update(*, entry: SpendEntry, by, reason: str = "Spend corrected", **fields
                 ) -> SpendEntry:
    """Correct an entry (not a credit offset: that one follows its credit)."""
    require(by, "budgets.record_spend", "Your role does not record spend.")
    entry = lock(SpendEntry, entry.pk)
    if entry.origin == SpendOrigin.CREDIT:
        raise ValidationError({"origin": ["A credit offset follows its service credit; "
                                          "correct the credit instead."]})
    for name, value in fields.items():
        if name == "amount":
            value = parse_money(value, "amount")
        if name in SPEND_FIELDS:
            setattr(entry, name, value)
    _validate_spend(entry)
    save_with_audit(entry, by=by, reason=reason)
    _link_contract(entry)
    check_alerts(entry.budget, by=by)
    return entry


@transaction.atomic
def spend_delete(*, entry: SpendEntry, by, reason: str):
    """Remove a wrong entry, with why (its history keeps it)."""
    require(by, "budgets.record_spend", "Your role does not record spend.")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why the entry is removed."]})
    entry = lock(SpendEntry, entry.pk)
    if entry.origin == SpendOrigin.CREDIT:
        raise ValidationError({"origin": ["A credit offset follows its service credit."]})
    entry._change_reason = reason.strip()
    entry._history_user = by
    entry.delete()


# --- Received service credits offset vendor spend ---------------------------------------------


def budget_for_credit(credit, day: date) -> Budget | None:
    """Where a received credit is booked: the budget its contract's spend goes to this
    fiscal year, else the vendor's, else the year's only vendor-contracts budget."""
    year = fiscal_year_for(day)
    budgets = Budget.objects.filter(fiscal_year=year)
    for query in ({"contracts": credit.contract_id}, {"spend__contract": credit.contract_id},
                  {"spend__vendor": credit.vendor_id}):
        found = budgets.filter(**query).distinct().order_by("pk").first()
        if found:
            return found
    from .choices import BudgetCategory

    only = list(budgets.filter(category=BudgetCategory.VENDOR_CONTRACTS)[:2])
    return only[0] if len(only) == 1 else None


@transaction.atomic
def credit_offset(*, credit, by=None, notify_finance: bool = True) -> SpendEntry | None:
    """A received service credit becomes a negative spend entry on the vendor's budget,
    linked to it (one per credit, by the one-to-one column); None when there is no
    budget to book it on — Finance is told, and can book it by hand."""
    if credit.received_amount is None or credit.received_at is None:
        return None
    existing = SpendEntry.objects.filter(service_credit=credit).first()
    if existing is not None:
        return existing
    day = timezone.localdate(credit.received_at)
    budget = budget_for_credit(credit, day)
    actor = by or system_user()
    if budget is None:
        year = fiscal_year_for(day)
        # A year without any budget is not budgeted (yet): the daily pass books the
        # credit once its budgets are set. A budgeted year with no fitting budget is
        # Finance's to decide.
        if notify_finance and Budget.objects.filter(fiscal_year=year).exists():
            notify(finance_people(), title=f"Credit received with no budget to offset: "
                   f"{credit.reference}", body=f"{credit.received_amount} {credit.currency} "
                   f"from {credit.vendor} has no {year} vendor budget to book against.",
                   url=credit.get_absolute_url())
        return None
    entry = SpendEntry(budget=budget, date=day, amount=-credit.received_amount,
                       currency=credit.currency, vendor_id=credit.vendor_id,
                       contract_id=credit.contract_id, cost_type=CostType.RECURRING,
                       invoice_reference=credit.received_reference,
                       description=f"Service credit received: {credit.reference}",
                       origin=SpendOrigin.CREDIT, service_credit=credit, recorded_by=actor,
                       recorded_at=timezone.now())
    save_with_audit(entry, by=actor, reason=f"Offsets the service credit {credit.reference}")
    _link_contract(entry)
    return entry


def offset_received_credits() -> int:
    """Book every received credit not offset yet (daily, and after the demo's budgets):
    credits received before their year's budgets existed are not lost."""
    from vendors.models import ServiceCredit

    booked = 0
    for credit in ServiceCredit.objects.filter(state="received", spend_offset__isnull=True) \
            .select_related("vendor", "contract", "objective").order_by("received_at"):
        booked += credit_offset(credit=credit, notify_finance=False) is not None
    return booked


def on_object_changed(sender, instance, by, **kwargs):
    """``core.hooks.object_changed`` receiver: a service credit just received."""
    if sender._meta.label_lower != "vendors.servicecredit":
        return
    if getattr(instance, "state", None) == "received":
        credit_offset(credit=instance, by=by)


# --- Consumption alerts -----------------------------------------------------------------------


def finance_people():
    return list(get_user_model().objects.filter(groups__name=Role.FINANCE, is_active=True))


def spent(budgets) -> Decimal:
    value = SpendEntry.objects.filter(budget__in=budgets).aggregate(total=Sum("amount"))["total"]
    # SQLite sums decimals as floats: back to exact cents (amounts are whole cents).
    return (value or Decimal(0)).quantize(money.CENT)


def _fire(alert: BudgetAlert, *, recipients, title, url):
    try:
        with transaction.atomic():  # a savepoint: the constraint says it already fired
            alert.save()
    except IntegrityError:
        return False
    notify(recipients, title=title, url=url,
           body=f"{alert.consumed} of {alert.planned} consumed ({alert.threshold} % reached).")
    return True


def check_alerts(budget: Budget, *, by=None, now=None) -> list[BudgetAlert]:
    """Record (once each) the thresholds this budget and its category of the year have
    reached, and tell the owner and Finance. Lowering spend below a threshold later
    does not re-arm it: a threshold is news once."""
    now = now or timezone.now()
    fired = []
    consumed = spent([budget])
    recipients = [*finance_people(), *([budget.owner] if budget.owner_id else [])]
    for threshold in budget.alert_thresholds or []:
        if budget.amount <= 0 or consumed * 100 < budget.amount * threshold:
            continue
        if BudgetAlert.objects.filter(scope=AlertScope.BUDGET, budget=budget,
                                      threshold=threshold).exists():
            continue
        alert = BudgetAlert(scope=AlertScope.BUDGET, budget=budget, fiscal_year=budget.fiscal_year,
                            category=budget.category, threshold=threshold, consumed=consumed,
                            planned=budget.amount, fired_at=now)
        if _fire(alert, recipients=recipients, url=budget.get_absolute_url(),
                 title=f"Budget {threshold} % consumed: {budget.label} ({budget.fiscal_year})"):
            fired.append(alert)
    siblings = Budget.objects.filter(fiscal_year=budget.fiscal_year, category=budget.category)
    planned = (siblings.aggregate(total=Sum("amount"))["total"] or Decimal(0)).quantize(money.CENT)
    consumed = spent(siblings)
    for threshold in settings.SWITCHBOARD_BUDGET_CATEGORY_ALERTS:
        if planned <= 0 or consumed * 100 < planned * threshold:
            continue
        if BudgetAlert.objects.filter(scope=AlertScope.CATEGORY, fiscal_year=budget.fiscal_year,
                                      category=budget.category, threshold=threshold).exists():
            continue
        alert = BudgetAlert(scope=AlertScope.CATEGORY, fiscal_year=budget.fiscal_year,
                            category=budget.category, threshold=threshold, consumed=consumed,
                            planned=planned, fired_at=now)
        if _fire(alert, recipients=finance_people(),
                 url=budget.fiscal_year.get_absolute_url(),
                 title=f"{budget.get_category_display()} {threshold} % consumed "
                       f"({budget.fiscal_year})"):
            fired.append(alert)
    return fired
