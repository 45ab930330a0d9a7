"""Closed SLA periods follow their data at once (vendors/sla_refresh.py): a corrected
stage time of an attributed incident, or late interval figures of a covered queue,
re-measure the month they touch — no nightly close needed, nothing typed twice."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from incidents.services import incident_correct_timestamp
from kpis import services as kpi_services
from vendors import sla_services
from vendors.choices import CreditState
from vendors.models import Compliance, Measurement

from .sla_helpers import D, ccaas_contract, outage, uptime_objective

pytestmark = pytest.mark.django_db

APRIL = date(2026, 4, 1)
APRIL_OUTAGE = datetime(2026, 4, 14, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_may_2026():
    with time_machine.travel(datetime(2026, 5, 13, 9, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def contract(victor, carrier):
    return ccaas_contract(victor, carrier)


def test_correcting_when_an_attributed_outage_ended_reprices_the_closed_month(
        victor, carrier, contract, manager, django_capture_on_commit_callbacks):
    objective = uptime_objective(victor, contract)
    incident = outage(victor, carrier, APRIL_OUTAGE, 240)
    credit = sla_services.compliance_compute(objective=objective, period_start=APRIL).credit
    assert credit.amount == D("920.00")  # 99.4444 %: 5 %
    # It was over in 3 minutes; the responder had resolved it late.
    ended = APRIL_OUTAGE + timedelta(minutes=3)
    with django_capture_on_commit_callbacks(execute=True):
        incident_correct_timestamp(incident=incident, by=manager, field="contained_at",
                                   value=ended, reason="Carrier restored at 10:03")
    with django_capture_on_commit_callbacks(execute=True):
        incident_correct_timestamp(incident=incident, by=manager, field="resolved_at",
                                   value=ended, reason="Carrier restored at 10:03")
    compliance = Compliance.objects.get(objective=objective, period_start=APRIL)
    assert compliance.value == D("99.9931") and compliance.met  # 3 of 43,200 minutes
    credit.refresh_from_db()
    assert credit.state == CreditState.WAIVED
    own = Measurement.objects.get(objective=objective, period_start=APRIL, source="self")
    assert own.history.first().history_user == manager  # who changed the data, and why
    assert own.history.first().history_change_reason == "Recomputed"


def test_an_incident_in_this_week_leaves_the_closed_periods_alone(
        victor, carrier, contract, manager, django_capture_on_commit_callbacks):
    objective = uptime_objective(victor, contract)
    sla_services.compliance_compute(objective=objective, period_start=APRIL)
    incident = outage(victor, carrier, datetime(2026, 5, 12, 8, tzinfo=UTC), 60)
    with django_capture_on_commit_callbacks() as callbacks:
        incident_correct_timestamp(incident=incident, by=manager, field="contained_at",
                                   value=datetime(2026, 5, 12, 8, 30, tzinfo=UTC),
                                   reason="Earlier")
    assert not any("refresh_sla_periods" in repr(c) for c in callbacks)


def test_late_interval_figures_for_a_covered_queue_reprice_the_closed_month(
        victor, carrier, contract, manager, django_capture_on_commit_callbacks):
    queue = kpi_services.queue_create(by=manager, name="BPO overflow", channel="voice",
                                      site="Manila", vendor=carrier)
    seat = contract.fee_lines.get(name="AgentSeat").pk
    objective = sla_services.objective_create(
        contract=contract, by=victor, name="Service level 80/20", metric="service_level",
        target="80", queue_ids=[queue.pk],
        schedule={"bands": [{"kind": "value", "lower": None, "upper": "80", "percent": "10"}],
                  "fee_lines": [seat]})

    def push(answered_within):
        with django_capture_on_commit_callbacks(execute=True):
            kpi_services.intervals_push(by=manager, intervals=[{
                "queue": queue.pk, "start": "2026-04-20T09:00:00Z", "length_minutes": 30,
                "offered": 100, "answered": 100, "abandoned": 0, "handled": 100,
                "answered_within_threshold": answered_within}])

    push(60)
    compliance = sla_services.compliance_compute(objective=objective, period_start=APRIL)
    assert (compliance.value, compliance.met) == (Decimal("60.00"), False)
    assert compliance.credit.amount == D("1840.00")
    push(85)  # the BPO's corrected file for the same interval replaces it
    compliance.refresh_from_db()
    assert (compliance.value, compliance.met) == (Decimal("85.00"), True)
    assert compliance.credit.state == CreditState.WAIVED


def test_interval_targets_are_for_service_level_and_abandon_rate_only(victor, contract):
    from django.core.exceptions import ValidationError

    for metric, target, message in [("aht", "80", "service level and abandon rate"),
                                    ("service_level", "120", "percentage from 0 to 100"),
                                    ("service_level", "abc", "percentage from 0 to 100")]:
        with pytest.raises(ValidationError) as refused:
            sla_services.objective_create(contract=contract, by=victor, name="Per interval",
                                          metric=metric, target="90",
                                          options={"interval_target": target})
        assert message in str(refused.value.message_dict["options"])
