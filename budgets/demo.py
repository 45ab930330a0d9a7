"""Demo money: two fiscal years of budgets, the invoices of the demo contracts booked
against them, the received service credits offsetting them, and initiatives in every
state — a bot deflection and an AHT reduction whose benefits are derived from the demo
KPI data (kpis/demo.py improves those two queues from a date).

Everything goes through the services. Alerts the seeded history raised are recorded
as fired and read: history is history, not a morning of unread notices. Idempotent:
nothing is done if the first demo cost center exists.
"""

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.models import Notification
from kpis.models import Queue
from vendors.choices import FeeKind, VendorCategory
from vendors.models import Contract, Vendor

from . import initiatives, money, services
from .choices import BudgetCategory as B
from .choices import CostType
from .models import BudgetAlert, CostCenter, Initiative, SpendEntry

COST_CENTERS = [("CC-410", "Contact center operations"), ("CC-420", "Digital channels"),
                ("CC-510", "Customer experience programme")]
# Which budget a vendor's invoices go to: (category, cost center).
BOOKED_ON = {VendorCategory.BPO: (B.STAFFING, "CC-410"),
             VendorCategory.CARRIER: (B.VENDOR_CONTRACTS, "CC-410"),
             VendorCategory.CCAAS: (B.VENDOR_CONTRACTS, "CC-410"),
             VendorCategory.CHATBOT: (B.TOOLING, "CC-420")}
# Budget = the year's contract run cost × this (staffing runs over; tooling has room).
HEADROOM = {B.VENDOR_CONTRACTS: Decimal("1.03"), B.STAFFING: Decimal("0.97"),
            B.TOOLING: Decimal("1.12")}
FIXED = {(B.INITIATIVES, "CC-510"): Decimal("150000.00"), (B.OTHER, "CC-410"): Decimal("24000")}
D = timedelta(days=1)


def seed_budgets(demo=None, today=None) -> int:
    """Load the demo budgets; returns how many budgets were set (0 if already there)."""
    if CostCenter.objects.filter(code=COST_CENTERS[0][0]).exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["finance", "manager", "vendor"])}
    if "finance" not in users:
        return 0
    started = timezone.now()
    today = today or timezone.localdate()
    finance = users["finance"]
    centers = {code: CostCenter.objects.create(code=code, name=name)
               for code, name in COST_CENTERS}
    current = services.fiscal_year_for(today)
    previous = services.fiscal_year_for(current.first_day - D)
    contracts = list(Contract.objects.exclude(state="draft").select_related("vendor")
                     .prefetch_related("fee_lines").order_by("pk"))
    budgets = {}
    for year in (previous, current):
        run = {}
        for contract in contracts:
            place = _place(contract)
            if place:
                run[place] = run.get(place, Decimal(0)) + _year_fees(contract, year)
        amounts = {place: money.cents(total * HEADROOM[place[0]] / 1000) * 1000
                   for place, total in run.items() if total}
        amounts |= FIXED
        for (category, code), amount in sorted(amounts.items()):
            budgets[(year.pk, category, code)] = services.budget_create(
                by=finance, fiscal_year=year, category=category, cost_center=centers[code],
                amount=amount, owner=users.get("manager") if category == B.STAFFING else finance,
                reason="Demo budget")
    rng = random.Random(16)  # noqa: S311 - reproducible demo amounts, not security
    for contract in contracts:
        _book_invoices(contract, budgets, previous, current, today, finance, rng)
    services.offset_received_credits()
    _seed_initiatives(users, budgets, current, today)
    _seed_rates(finance, previous.first_day)
    _date_alerts()
    # The seeded past's alerts are history: recorded as fired, already read.
    Notification.objects.filter(created_at__gte=started, title__contains="% consumed") \
        .update(read_at=timezone.now(), email_status="not_needed", email_next_attempt_at=None)
    return len(budgets)


# Incident cost rates (per hour; a lost contact's value per queue channel).
RESPONDER_RATES = {"commander": "85.00", "communications_lead": "70.00", "scribe": "55.00",
                   "vendor_liaison": "65.00", "participant": "55.00"}
LOST_CONTACT = {"voice": "6.50", "chat": "4.00", "email": "3.00", "sms": "2.00",
                "social": "3.50", "messaging": "2.50"}


def _seed_rates(finance, since):
    from .incident_cost import rate_set
    from .tasks import refresh_incident_costs

    for role, amount in RESPONDER_RATES.items():
        rate_set(by=finance, kind="responder", role=role, amount=amount, effective_from=since,
                 reason="Demo rates")
    rate_set(by=finance, kind="agent_hour", amount="28.00", effective_from=since,
             reason="Demo rates")
    for channel, amount in LOST_CONTACT.items():
        rate_set(by=finance, kind="lost_contact", channel=channel, amount=amount,
                 effective_from=since, reason="Demo rates")
    refresh_incident_costs()


def _date_alerts():
    """Each alert the seeded invoices raised, dated the day its threshold was crossed."""
    for alert in BudgetAlert.objects.all():
        entries = SpendEntry.objects.filter(budget__fiscal_year=alert.fiscal_year)
        entries = entries.filter(budget=alert.budget) if alert.budget_id else \
            entries.filter(budget__category=alert.category)
        total = Decimal(0)
        for day, amount in entries.order_by("date", "pk").values_list("date", "amount"):
            total += amount
            if total * 100 >= alert.planned * alert.threshold:
                alert.fired_at = datetime.combine(day, time(9), tzinfo=UTC)
                alert.save(update_fields=["fired_at"])
                break


def _place(contract):
    return BOOKED_ON.get(contract.vendor.category, (B.TOOLING, "CC-420"))


def _recurring(contract) -> Decimal:
    return sum((f.amount for f in contract.fee_lines.all() if f.kind != FeeKind.ONE_TIME),
               Decimal(0))


def _year_fees(contract, year) -> Decimal:
    from .selectors import billing_dates

    return _recurring(contract) * len(billing_dates(contract, year.first_day, year.last_day))


def _book_invoices(contract, budgets, previous, current, today, finance, rng):
    from .selectors import billing_dates

    category, code = _place(contract)
    end = min(today, contract.terminated_on or contract.end_date)
    for day in billing_dates(contract, previous.first_day, end):
        year = current if day >= current.first_day else previous
        budget = budgets.get((year.pk, category, code))
        if budget is None:
            continue
        for fee in contract.fee_lines.all():
            if fee.kind == FeeKind.ONE_TIME and day != contract.start_date:
                continue
            amount = fee.amount
            if fee.kind == FeeKind.USAGE:  # usage varies with traffic
                amount = money.cents(amount * Decimal(rng.uniform(0.86, 1.14)))
            services.spend_record(
                by=finance, budget=budget, date=day, amount=amount, contract=contract,
                cost_type=CostType.ONE_TIME if fee.kind == FeeKind.ONE_TIME
                else CostType.RECURRING,
                invoice_reference=f"{contract.vendor.name[:3].upper()}-{day:%Y%m}-{fee.pk}",
                description=fee.name, reason="Demo invoice")


def _month(day):
    return day.replace(day=1)


def _seed_initiatives(users, budgets, year, today):
    finance, manager = users["finance"], users.get("manager") or users["finance"]
    vendor_manager = users.get("vendor") or manager
    budget = budgets.get((year.pk, B.INITIATIVES, "CC-510"))
    queues = {q.name: q for q in Queue.objects.all()}
    contracts = {c.vendor.name: c for c in Contract.objects.filter(state="active")
                 .select_related("vendor")}
    vendors = {v.name: v for v in Vendor.objects.filter(name__in=["Parley AI", "Evalyze"])}

    def propose(title, owner, **fields):
        return initiatives.initiative_propose(by=owner, title=title, owner=owner, budget=budget,
                                              **fields)

    # 1. Bot deflection: delivered, its benefits derived from the bot queue's containment.
    bot = propose(
        "Virtual agent for billing and delivery questions", vendor_manager,
        description="Parley AI answers the billing and delivery intents on web chat and "
                    "messaging; agents take over only when the bot cannot resolve.",
        vendor=vendors.get("Parley AI"), contract=contracts.get("Parley AI"),
        estimated_cost="36000.00",
        expected_benefit="96000.00",
        queues=[q for q in [queues.get("Bot-assisted chat")] if q])
    _fund(bot, finance, "38000.00", days_ago=200)
    _book_initiative_spend(bot, budget, finance, today - 190 * D, "24000.00",
                           "Intent design and integration", CostType.ONE_TIME)
    _take_baseline(bot, vendor_manager, today, improved_days_ago=110,
                   method="containment", cost_per_contact="4.10")
    initiatives.initiative_start(initiative=bot, by=vendor_manager)
    initiatives.initiative_deliver(initiative=bot, by=vendor_manager)
    _backdate(bot, started=160, delivered=105, today=today)
    _derive_months(bot, vendor_manager, today, improved_days_ago=110)

    # 2. AHT reduction on Billing: in progress, two months measured.
    assist = propose(
        "Agent-assist knowledge base for Billing", manager,
        description="Answers to the top 40 billing questions surfaced in the agent desktop "
                    "as the customer speaks; aims at 30 s off Billing's handle time.",
        estimated_cost="18000.00", expected_benefit="45000.00",
        queues=[q for q in [queues.get("Billing")] if q])
    _fund(assist, finance, "18000.00", days_ago=120)
    _book_initiative_spend(assist, budget, finance, today - 95 * D, "12000.00",
                           "Knowledge base build and content", CostType.ONE_TIME)
    _take_baseline(assist, manager, today, improved_days_ago=80, method="aht_reduction",
                   cost_per_minute="0.72")
    initiatives.initiative_start(initiative=assist, by=manager)
    _backdate(assist, started=85, today=today)
    _derive_months(assist, manager, today, improved_days_ago=80)

    # 3. Approved, not started.
    qa = propose("Automated QA on every call (speech analytics)", vendor_manager,
                 description="Score 100 % of calls instead of a 2 % sample.",
                 vendor=vendors.get("Evalyze"),
                 estimated_cost="42000.00", expected_benefit="60000.00")
    _fund(qa, finance, "40000.00", days_ago=20)

    # 4. Proposed.
    propose("Intraday schedule automation", manager,
            description="Let the WFM tool move breaks and lunches when service level dips.",
            estimated_cost="9500.00", expected_benefit="22000.00")

    # 5. Cancelled.
    ivr = propose("Second IVR language pack (Polish)", manager, estimated_cost="7000.00",
                  expected_benefit="5000.00")
    initiatives.initiative_cancel(initiative=ivr, by=manager,
                                  reason="Under 1 % of callers chose Polish in the trial menu.")


def _fund(initiative, finance, cost, *, days_ago):
    initiatives.initiative_approve(initiative=initiative, by=finance, approved_cost=cost)
    Initiative.objects.filter(pk=initiative.pk).update(
        approved_at=timezone.now() - days_ago * D)


def _backdate(initiative, *, today, started=None, delivered=None):
    # Bookkeeping dates only (the states moved through the services above).
    fields = {}
    if started:
        fields["started_at"] = timezone.now() - started * D
    if delivered:
        row = Initiative.objects.get(pk=initiative.pk)
        day = today - delivered * D
        due = money.add_months(day, row.review_after_months)
        fields |= {"delivered_at": timezone.now() - delivered * D, "review_due_on": due,
                   "review_notify_at": initiatives.review_moment(due)}
    Initiative.objects.filter(pk=initiative.pk).update(**fields)


def _book_initiative_spend(initiative, budget, finance, day, amount, description, cost_type):
    if budget is None or not budget.fiscal_year.contains(day):
        return
    services.spend_record(by=finance, budget=budget, date=day, amount=amount,
                          initiative=initiative, cost_type=cost_type, description=description,
                          vendor=initiative.vendor, reason="Demo invoice")


def _take_baseline(initiative, by, today, *, improved_days_ago, method, **rates):
    # The full month before the improvement began.
    before = _month(today - improved_days_ago * D) - D
    start = _month(before)
    initiatives.baseline_take(initiative=initiative, by=by, method=method, period_start=start,
                              period_end=money.add_months(start, 1), **rates)


def _derive_months(initiative, by, today, *, improved_days_ago):
    month = money.add_months(_month(today - improved_days_ago * D), 1)
    while money.add_months(month, 1) <= today:
        initiatives.benefit_derive(initiative=initiative, by=by, period_start=month,
                                   note="Derived from the queue's interval data")
        month = money.add_months(month, 1)

