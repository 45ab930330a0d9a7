"""Demo SLA objectives shaped like public vendor SLAs, a year of measurements, and
service credits in every state (``shared/REFERENCE.md``, "Service credits").

* Nimbus CX (CCaaS): monthly uptime 99.99 % with Amazon Connect's bands (5 / 15 /
  100 % of the AgentSeat subscription, only above 1), self-measured from the demo
  incidents attributed to it, less the maintenance announced in time.
* Northwind Telecom (carrier): Twilio's 99.95 % with a flat 10 %, claimed within 30
  days; version 1 on (A − B + C) ÷ A (2021), version 2 on (A − B) ÷ A from six
  months ago (2023) — past months keep the formula they were measured under.
* Kaapstad (BPO): service level 80/20 and abandon rate at most 5 % (abandoned only
  after 18 s), vendor-reported for twelve months (a KPI source, once registered,
  measures them itself and is preferred), capped at 10 % of productive hours.
* Orbit CRM: P1 support response within 30 minutes, weekly, claimed within 7 days —
  last week was missed, so one claim window closes this week.

Credits are then moved through every state, as a vendor manager and Finance would
have, and the claim-window sweep marks the one left unclaimed too long as lost.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from . import sla, sla_services
from .choices import CreditState
from .credit_deadlines import credit_deadlines_sweep
from .models import Contract, ServiceCredit

AWS = [{"kind": "value", "lower": "99.0", "upper": "99.99", "percent": "5"},
       {"kind": "value", "lower": "95.0", "upper": "99.0", "percent": "15"},
       {"kind": "value", "lower": None, "upper": "95.0", "percent": "100"}]
# Service level of the BPO, oldest month first (twelve months up to last month).
SERVICE_LEVEL = ["81.2", "78.4", "82.0", "77.1", "80.5", "74.2", "83.0", "79.0", "76.5",
                 "79.6", "81.0", "78.8"]
ABANDON = ["3.9", "4.4", "4.1", "5.6", "4.0", "4.8", "3.7", "4.2", "4.6", "4.3", "3.8", "4.1"]


def _contract(vendor_name):
    return (Contract.objects.filter(vendor__name=vendor_name)
            .exclude(state__in=("draft", "expired", "terminated")).order_by("pk").first())


def _line(contract, startswith):
    line = contract.fee_lines.filter(name__startswith=startswith).first()
    return [line.pk] if line else []


def seed_sla(users, today: date | None = None) -> int:
    """Objectives, measurements and credits for the demo vendors; returns the number of
    credits. Called by the vendors demo seeder after the contracts and attributions."""
    today = today or timezone.now().date()
    victor, finance = users["vendor"], users.get("finance") or users["vendor"]
    this_month = sla.period_start(today, "month")
    year_ago = this_month
    for _ in range(12):
        year_ago = sla.previous_period(year_ago, "month")
    months = [start for start, _ in sla.periods_between(year_ago, this_month, "month")]

    nimbus = _contract("Nimbus CX")
    if nimbus:
        sla_services.objective_create(
            contract=nimbus, by=victor, name="Monthly uptime", metric="uptime",
            target="99.99", effective_from=max(year_ago, nimbus.start_date), weight=3,
            tolerance="0.01",
            schedule={"bands": AWS, "fee_lines": _line(nimbus, "AgentSeat"),
                      "minimum_amount": "1", "minimum_rule": "more_than",
                      "claim_window_days": 30})
    northwind = _contract("Northwind Telecom")
    if northwind:
        first = sla_services.objective_create(
            contract=northwind, by=victor, name="Voice uptime", metric="uptime",
            target="99.95", effective_from=max(year_ago, northwind.start_date), weight=2,
            uptime_formula="excluded_added_back",
            schedule={"bands": [{"kind": "value", "upper": "99.95", "percent": "10"}],
                      "claim_window_days": 30})
        sla_services.objective_revise(objective=first, by=victor,
                                      effective_from=months[6], uptime_formula="plain")
    kaapstad = _contract("Kaapstad Contact Partners")
    if kaapstad:
        hours = _line(kaapstad, "Productive")
        level = sla_services.objective_create(
            contract=kaapstad, by=victor, name="Service level 80/20", metric="service_level",
            target="80", effective_from=max(year_ago, kaapstad.start_date), weight=2,
            options={"threshold_seconds": 20, "abandon_treatment": "negative",
                     "short_abandon_seconds": 5}, tolerance="1",
            schedule={"bands": [{"kind": "value", "lower": "75", "upper": "80", "percent": "2"},
                                {"kind": "value", "upper": "75", "percent": "5"}],
                      "fee_lines": hours, "cap_percent": "10", "claim_window_days": 30})
        abandon = sla_services.objective_create(
            contract=kaapstad, by=victor, name="Abandon rate", metric="abandon_rate",
            target="5", comparator="at_most", effective_from=max(year_ago, kaapstad.start_date),
            options={"min_presented_seconds": 18},
            schedule={"bands": [{"kind": "value", "lower": "5", "upper": "8", "percent": "1"},
                                {"kind": "value", "lower": "8", "percent": "3"}],
                      "fee_lines": hours, "claim_window_days": 60})
        for month, value, rate in zip(months, SERVICE_LEVEL, ABANDON, strict=True):
            if month < level.effective_from:
                continue
            sla_services.measurement_record(
                objective=level, by=victor, period_start=month, value=value,
                origin="imported", detail="Kaapstad monthly SLA report")
            sla_services.measurement_record(
                objective=abandon, by=victor, period_start=month, value=rate,
                origin="imported", detail="Kaapstad monthly SLA report")
    orbit = _contract("Orbit CRM")
    if orbit:
        weeks = sla.periods_between(today - timedelta(days=56), today, "week")
        response = sla_services.objective_create(
            contract=orbit, by=victor, name="P1 support response", metric="support_response",
            target="30", comparator="at_most", period="week", options={"priority": "P1"},
            effective_from=weeks[0][0], weight=1,
            schedule={"bands": [{"kind": "value", "lower": "30", "percent": "2"}],
                      "claim_window_days": 7})
        for number, (week, _) in enumerate(weeks):
            minutes = "42" if number == len(weeks) - 1 else str(12 + 3 * (number % 4))
            sla_services.measurement_record(objective=response, by=victor, period_start=week,
                                            value=minutes, detail="Orbit support desk report")
    sla_services.periods_close(lookback_periods=1)
    _move_credits(victor, finance, today)
    credit_deadlines_sweep()
    return ServiceCredit.objects.count()


def _move_credits(victor, finance, today):
    """Credits in every state: the service-level credits of the BPO oldest first
    received (one in part), accepted, disputed, claimed, one left unclaimed past its
    window (lost); the abandon-rate one waived; uptime credits older than two months
    claimed and received; last month's and last week's left to claim."""
    level = list(ServiceCredit.objects.filter(objective__name="Service level 80/20")
                 .order_by("period_start"))
    steps = ["received", "received_part", "accepted", "disputed", "claimed"]
    for credit, step in zip(level, steps, strict=False):
        _step(credit, step, victor, finance)
    for credit in ServiceCredit.objects.filter(objective__name="Abandon rate"):
        sla_services.credit_waive(credit=credit, by=victor,
                                  reason="Goodwill: the miss followed our own IVR change.")
    two_months_ago = sla.previous_period(sla.previous_period(sla.period_start(
        today, "month"), "month"), "month")
    for credit in ServiceCredit.objects.filter(objective__metric="uptime",
                                               period_start__lt=two_months_ago,
                                               state=CreditState.ACCRUED):
        _step(credit, "received", victor, finance)


def _step(credit, step, victor, finance):
    credit = sla_services.credit_claim(credit=credit, by=victor)
    if step == "claimed":
        return
    if step == "disputed":
        sla_services.credit_dispute(credit=credit, by=victor,
                                    reason="Vendor says the March figure excludes a carrier "
                                           "outage upstream of them.")
        return
    agreed = (credit.claimed_amount * Decimal("0.75")).quantize(Decimal("0.01")) \
        if step == "received_part" else None
    credit = sla_services.credit_accept(credit=credit, by=victor, agreed_amount=agreed)
    if step in ("received", "received_part"):
        sla_services.credit_receive(credit=credit, by=finance,
                                    reference=f"CN-{credit.pk:05d}")
