"""Reads for the budget pages and reports: a year's budgets against actual and
committed spend, forecasts, the monthly burn, and where a variance comes from.

A year's figures are read in a fixed number of queries whatever the number of
budgets: spend is summed per budget and per month in the database; contracts and
their fee lines are prefetched once.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import TruncMonth

from vendors.choices import LIVE_CONTRACT_STATES, BillingPeriod, FeeKind
from vendors.models import Contract, FeeLine

from . import money
from .choices import BudgetCategory, InitiativeState
from .models import Budget, BudgetAlert, FiscalYear, Initiative, SpendEntry

ZERO = Decimal("0.00")
PERIOD_MONTHS = {BillingPeriod.MONTHLY: 1, BillingPeriod.QUARTERLY: 3, BillingPeriod.ANNUAL: 12}


# --- Committed spend --------------------------------------------------------------------------


def billing_dates(contract: Contract, first: date, last: date) -> list[date]:
    """The contract's billing dates (its start, then every billing period) in
    [first, last] and within its term."""
    step = PERIOD_MONTHS.get(contract.billing_period, 1)
    dates, n = [], 0
    while True:
        day = money.add_months(contract.start_date, n * step)
        if day > last or day > contract.end_date:
            return dates
        if day >= first:
            dates.append(day)
        n += 1


def contract_committed(contract: Contract, first: date, last: date) -> Decimal:
    """What the contract's fee lines will still bill in [first, last]: each recurring line
    per billing date, a one-time line if the contract starts in the window."""
    if contract.state not in LIVE_CONTRACT_STATES:
        return ZERO
    dates = billing_dates(contract, first, last)
    total = ZERO
    for line in contract.fee_lines.all():
        if line.kind == FeeKind.ONE_TIME:
            total += line.amount if first <= contract.start_date <= last else ZERO
        else:
            total += line.amount * len(dates)
    return total


def committed_remaining(budget: Budget, today: date) -> Decimal:
    """The remaining fees this fiscal year of the contracts charged to ``budget``
    (billing dates after today)."""
    year = budget.fiscal_year
    first = max(year.first_day, today + timedelta(days=1))
    if first > year.last_day:
        return ZERO
    return sum((contract_committed(c, first, year.last_day) for c in budget.contracts.all()),
               ZERO)


# --- A year, budget by budget -----------------------------------------------------------------


@dataclass
class BudgetLine:
    budget: Budget
    planned: Decimal  # the year's amount
    planned_to_date: Decimal  # phased amount of the months begun
    actual: Decimal
    committed: Decimal  # remaining fees of its contracts this year
    run_rate_forecast: Decimal
    committed_forecast: Decimal
    monthly_plan: list = field(default_factory=list)
    monthly_actual: list = field(default_factory=list)

    @property
    def consumed_percent(self):
        return money.consumption_percent(self.actual, self.planned)

    @property
    def variance_to_date(self) -> Decimal:
        """Actual − planned to date: positive is over plan."""
        return self.actual - self.planned_to_date

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.actual

    @property
    def status(self) -> str:
        forecast = max(self.run_rate_forecast, self.committed_forecast)
        if self.actual > self.planned:
            return "over"
        if forecast > self.planned:
            return "at_risk"
        return "ok"


@dataclass
class CategoryLine:
    category: str
    label: str
    lines: list

    def _sum(self, name):
        return sum((getattr(line, name) for line in self.lines), ZERO)

    planned = property(lambda self: self._sum("planned"))
    planned_to_date = property(lambda self: self._sum("planned_to_date"))
    actual = property(lambda self: self._sum("actual"))
    committed = property(lambda self: self._sum("committed"))
    run_rate_forecast = property(lambda self: self._sum("run_rate_forecast"))
    committed_forecast = property(lambda self: self._sum("committed_forecast"))

    @property
    def consumed_percent(self):
        return money.consumption_percent(self.actual, self.planned)


@dataclass
class YearOverview:
    year: FiscalYear
    today: date
    months: list  # first days of the year's twelve months
    months_begun: int
    categories: list
    alerts: list

    @property
    def lines(self):
        return [line for category in self.categories for line in category.lines]

    def total(self, name):
        return sum((getattr(c, name) for c in self.categories), ZERO)

    @property
    def totals(self) -> dict:
        return {name: self.total(name) for name in (
            "planned", "planned_to_date", "actual", "committed", "run_rate_forecast",
            "committed_forecast")}

    @property
    def consumed_percent(self):
        return money.consumption_percent(self.total("actual"), self.total("planned"))


def months_begun(year: FiscalYear, today: date) -> int:
    if today < year.first_day:
        return 0
    if today > year.last_day:
        return money.MONTHS
    return (today.year - year.first_day.year) * 12 + today.month - year.first_day.month + 1


def elapsed_days(year: FiscalYear, today: date) -> tuple[int, int]:
    total = (year.last_day - year.first_day).days + 1
    elapsed = min(total, max(0, (today - year.first_day).days + 1))
    return elapsed, total


def budgets_with_contracts(queryset):
    fee_lines = Prefetch("fee_lines", queryset=FeeLine.objects.order_by("pk"))
    return queryset.select_related("fiscal_year", "cost_center", "owner").prefetch_related(
        Prefetch("contracts", queryset=Contract.objects.select_related("vendor")
                 .prefetch_related(fee_lines)))


def budget_lines(budgets, today: date) -> list[BudgetLine]:
    """Each budget of one fiscal year with its actual, committed and forecast spend."""
    budgets = list(budgets)
    if not budgets:
        return []
    year = budgets[0].fiscal_year
    months = money.month_starts(year.first_day)
    index = {month: n for n, month in enumerate(months)}
    spend = defaultdict(lambda: [ZERO] * money.MONTHS)
    for row in (SpendEntry.objects.filter(budget__in=budgets).annotate(month=TruncMonth("date"))
                .values("budget", "month").annotate(total=Sum("amount")).order_by()):
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        if month in index:  # SQLite sums decimals as floats: back to exact cents
            spend[row["budget"]][index[month]] += row["total"].quantize(money.CENT)
    begun = months_begun(year, today)
    elapsed, total_days = elapsed_days(year, today)
    lines = []
    for budget in budgets:
        plan = money.phasing_of(budget.amount, budget.phasing)
        actual_by_month = spend[budget.pk]
        actual = sum(actual_by_month, ZERO)
        committed = committed_remaining(budget, today)
        lines.append(BudgetLine(
            budget=budget, planned=budget.amount,
            planned_to_date=money.planned_through(plan, begun), actual=actual,
            committed=committed,
            run_rate_forecast=money.run_rate_forecast(actual, elapsed_days=elapsed,
                                                      year_days=total_days),
            committed_forecast=money.committed_forecast(actual, committed),
            monthly_plan=plan, monthly_actual=actual_by_month))
    return lines


def year_overview(year: FiscalYear, today: date) -> YearOverview:
    budgets = budgets_with_contracts(Budget.objects.filter(fiscal_year=year)).order_by(
        "category", "cost_center__code")
    lines = budget_lines(budgets, today)
    by_category = defaultdict(list)
    for line in lines:
        by_category[line.budget.category].append(line)
    categories = [CategoryLine(value, label, by_category[value])
                  for value, label in BudgetCategory.choices if by_category.get(value)]
    alerts = list(BudgetAlert.objects.filter(fiscal_year=year).select_related(
        "budget__cost_center")[:20])
    return YearOverview(year=year, today=today, months=money.month_starts(year.first_day),
                        months_begun=months_begun(year, today), categories=categories,
                        alerts=alerts)


def budget_line(budget: Budget, today: date) -> BudgetLine:
    budget = budgets_with_contracts(Budget.objects.filter(pk=budget.pk)).get()
    return budget_lines([budget], today)[0]


def burn_series(months, monthly_plan, monthly_actual, *, months_begun: int,
                run_rate_forecast: Decimal, committed_forecast: Decimal) -> list[dict]:
    """Cumulative planned and actual spend per month, and the two year-end forecasts
    drawn from the last month begun to the year's end."""
    rows, planned, actual = [], ZERO, ZERO
    for n, month in enumerate(months):
        planned += monthly_plan[n]
        rows.append({"month": month, "series": "Planned", "amount": planned})
        if n < months_begun:
            actual += monthly_actual[n]
            rows.append({"month": month, "series": "Actual", "amount": actual})
    if 0 < months_begun < len(months):
        last = months[months_begun - 1]
        for label, value in (("Forecast (run rate)", run_rate_forecast),
                             ("Forecast (committed)", committed_forecast)):
            rows.append({"month": last, "series": label, "amount": actual})
            rows.append({"month": months[-1], "series": label, "amount": value})
    return rows


def year_burn(overview: YearOverview) -> list[dict]:
    plan = [sum((line.monthly_plan[n] for line in overview.lines), ZERO)
            for n in range(money.MONTHS)]
    actual = [sum((line.monthly_actual[n] for line in overview.lines), ZERO)
              for n in range(money.MONTHS)]
    return burn_series(overview.months, plan, actual, months_begun=overview.months_begun,
                       run_rate_forecast=overview.total("run_rate_forecast"),
                       committed_forecast=overview.total("committed_forecast"))


def budget_burn(line: BudgetLine, today: date) -> list[dict]:
    year = line.budget.fiscal_year
    return burn_series(money.month_starts(year.first_day), line.monthly_plan,
                       line.monthly_actual, months_begun=months_begun(year, today),
                       run_rate_forecast=line.run_rate_forecast,
                       committed_forecast=line.committed_forecast)


def variance_drivers(budget: Budget, limit: int = 8) -> list[dict]:
    """What the money went on: spend summed by vendor and contract (or description for
    entries with neither), largest first — the entries behind a variance."""
    rows = (SpendEntry.objects.filter(budget=budget)
            .values("vendor__name", "contract__reference", "contract_id", "vendor_id")
            .annotate(total=Sum("amount"), entries=Count("pk"),
                      credits=Sum("amount", filter=Q(origin="credit")))
            .order_by("-total"))
    return [{**row, "total": row["total"].quantize(money.CENT),
             "credits": row["credits"].quantize(money.CENT) if row["credits"] else None}
            for row in rows[:limit]]


def current_year(today: date) -> FiscalYear | None:
    """The fiscal year today falls in if it has budgets, else the latest with budgets."""
    years = FiscalYear.objects.annotate(n=Count("budgets")).filter(n__gt=0)
    return years.filter(first_day__lte=today, last_day__gte=today).first() or \
        years.order_by("-first_day").first()


# --- Initiatives ------------------------------------------------------------------------------


def initiatives_board(queryset=None) -> list[tuple[str, str, list]]:
    """Initiatives grouped by state, in lifecycle order."""
    queryset = (queryset if queryset is not None else Initiative.objects.all()).select_related(
        "owner", "vendor", "budget__cost_center").order_by("-created_at")
    groups = defaultdict(list)
    for initiative in queryset:
        groups[initiative.state].append(initiative)
    return [(value, label, groups.get(value, [])) for value, label in InitiativeState.choices]


def initiatives_roi(initiatives) -> dict:
    """``{initiative id: InitiativeFigures}`` of many initiatives in two queries (their
    spend entries, their benefit records) instead of two per initiative: the same
    figures ``initiatives.initiative_figures`` gives one at a time."""
    from .initiatives import BENEFIT_FIELDS, SPEND_FIELDS, initiative_figures
    from .models import BenefitRecord, SpendEntry

    initiatives = list(initiatives)
    ids = [i.pk for i in initiatives]
    spend, benefits = {}, {}
    for row in (SpendEntry.objects.filter(initiative_id__in=ids)
                .order_by("date", "pk").values("initiative_id", *SPEND_FIELDS)):
        spend.setdefault(row.pop("initiative_id"), []).append(row)
    for row in (BenefitRecord.objects.filter(initiative_id__in=ids)
                .order_by("period_start", "pk").values("initiative_id", *BENEFIT_FIELDS)):
        benefits.setdefault(row.pop("initiative_id"), []).append(row)
    return {i.pk: initiative_figures(i, spend=spend.get(i.pk, []),
                                     benefits=benefits.get(i.pk, []))
            for i in initiatives}
