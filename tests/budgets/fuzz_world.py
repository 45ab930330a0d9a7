"""The budgets app's objects for the bad-input fuzz (tests/nasty_input.py)."""

from datetime import UTC, date, datetime, timedelta


def extend(world):
    from django.utils import timezone

    from budgets import configuration, importing, initiatives, services
    from budgets.models import BudgetAlert
    from kpis import services as kpi_services
    from kpis.models import IntervalStat

    user = world.user
    today = timezone.localdate()
    month = today.replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    year = services.fiscal_year_for(today)
    center = configuration.cost_center_create(by=user, code="CC-FUZZ", name="Fuzz center")
    budget = services.budget_create(by=user, fiscal_year=year, category="vendor_contracts",
                                    cost_center=center, amount="1000.00", owner=user)
    entry = services.spend_record(by=user, budget=budget, date=today, amount="900.00")
    record = importing.spend_import(
        by=user, content=f"date,amount,budget\n{today},10.00,{budget.pk}\n".encode(),
        file_name="fuzz.csv")
    # A queue with this month's KPI data, so a benefit can be derived from it.
    queue = kpi_services.queue_create(by=user, name="Fuzz bot queue", channel="chat")
    IntervalStat.objects.create(queue=queue, start=datetime(month.year, month.month, 1, 9,
                                                            tzinfo=UTC),
                                offered=100, answered=100, handled=100, talk_seconds=24000,
                                hold_seconds=2000, acw_seconds=4000)
    initiative = initiatives.initiative_propose(by=user, title="Fuzz bot", budget=budget,
                                                expected_benefit="5000.00", queues=[queue])
    initiative = initiatives.initiative_approve(initiative=initiative, by=user,
                                                approved_cost="1000.00")
    initiatives.baseline_take(initiative=initiative, by=user, method="aht_reduction",
                              aht_seconds="400", cost_per_minute="0.72")
    benefit = initiatives.benefit_record(initiative=initiative, by=user,
                                         period_start=last_month, amount="100.00")
    rate = configuration.cost_rate_create(by=user, kind="responder", role="scribe",
                                          amount="40.00", effective_from=date(2026, 1, 1))
    world.ids.update({
        "fiscal-years": year.pk, "cost-centers": center.pk, "budgets": budget.pk,
        "budget-alerts": BudgetAlert.objects.filter(budget=budget).first().pk,
        "spend": entry.pk, "spend-imports": record.pk, "initiatives": initiative.pk,
        "benefit-records": benefit.pk, "cost-rates": rate.pk,
    })
    day = today.isoformat()
    world.bodies.update({
        "POST /api/cost-centers/": {"code": "CC-NEW", "name": "New center"},
        "PATCH /api/cost-centers/{id}/": {"name": "Renamed center"},
        "POST /api/budgets/": {"fiscal_year": year.pk, "category": "tooling",
                               "cost_center": center.pk, "amount": "500.00"},
        "PATCH /api/budgets/{id}/": {"amount": "2000.00", "reason": "More"},
        "POST /api/spend/": {"budget": budget.pk, "date": day, "amount": "10.00"},
        "PATCH /api/spend/{id}/": {"amount": "800.00", "reason": "Corrected"},
        "POST /api/spend/batch/": {"entries": [{"budget": budget.pk, "date": day,
                                                "amount": "5.00"}]},
        "POST /api/initiatives/": {"title": "Another idea", "estimated_cost": "100.00",
                                   "queues": [queue.pk]},
        "PATCH /api/initiatives/{id}/": {"title": "Fuzz bot v2"},
        "POST /api/initiatives/{id}/approve/": {"approved_cost": "1000.00"},
        "POST /api/initiatives/{id}/review-benefits/": {"notes": "Done"},
        "POST /api/initiatives/{id}/cancel/": {"reason": "Fuzz"},
        "POST /api/initiatives/{id}/baseline/": {"method": "aht_reduction",
                                                 "aht_seconds": "400",
                                                 "cost_per_minute": "0.72"},
        "POST /api/initiatives/{id}/benefits/": {"period_start": day, "amount": "100.00"},
        "POST /api/initiatives/{id}/derive-benefit/": {"period_start": month.isoformat()},
        "POST /api/cost-rates/": {"kind": "agent_hour", "amount": "30.00",
                                  "effective_from": "2026-01-01"},
        "PATCH /api/cost-rates/{id}/": {"amount": "45.00"},
    })
