"""Contract deadlines fire exactly once with concurrent sweepers on PostgreSQL, and the
beat task runs in a real worker."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from celery.result import allow_join_result
from django.db import connection

from core.choices import Role
from core.models import Notification
from tests.factories import UserFactory
from tests.integration.test_sla_sweep_concurrency import run_concurrently
from vendors import services
from vendors.choices import ContractState, DeadlineOutcome
from vendors.deadlines import contract_deadlines_sweep
from vendors.models import Contract, ContractDeadline, ContractRenewal
from vendors.tasks import sweep_contract_deadlines

pytestmark = pytest.mark.integration

WARNED = 80  # contracts whose 30-day warning is due (90 and 60 superseded)
ENDING = 40  # automatic contracts whose end date has passed
SWEEPERS = 4
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _contracts(owner):
    vendor = services.vendor_create(by=owner, name="Northwind Telecom", category="carrier")
    with time_machine.travel(START, tick=False):
        for number in range(WARNED):
            contract = services.contract_create(
                by=owner, vendor=vendor, title=f"Trunks {number}", start_date=date(2026, 1, 1),
                end_date=date(2026, 7, 10), owner=owner, renewal_type="automatic",
                renewal_term_months=12, notice_period=90, notice_unit="days")
            services.contract_activate(contract=contract, by=owner)  # notice 11 Apr
        for number in range(ENDING):
            contract = services.contract_create(
                by=owner, vendor=vendor, title=f"Numbers {number}", start_date=date(2025, 3, 1),
                end_date=date(2026, 2, 28), owner=owner, renewal_type="automatic",
                renewal_term_months=12, notice_period=0, notice_unit="days")
            contract.decision = "renew"  # decided: no breach on top of the renewal
            contract.decision_reason = "Fine"
            contract.save()
            services.contract_activate(contract=contract, by=owner)


@pytest.fixture
def queued_not_run(monkeypatch):
    """Emails are queued to Redis as in production, not run in the sweepers' threads
    (Celery's eager mode keeps a process-wide flag that threads race on)."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    yield
    app.control.purge()


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweepers_fire_each_deadline_exactly_once(queued_not_run):
    assert connection.vendor == "postgresql"
    owner = UserFactory(username="victor", roles=[Role.VENDOR_MANAGER])
    _contracts(owner)
    now = datetime(2026, 3, 13, 9, tzinfo=UTC)  # 29 days before the notice date

    with time_machine.travel(now, tick=False):
        results, errors = run_concurrently(
            SWEEPERS, lambda: contract_deadlines_sweep(now=now, batch_size=25))
        later = contract_deadlines_sweep(now=now)

    assert errors == []
    assert sum(r["failed"] for r in results) == 0
    assert sum(r[DeadlineOutcome.WARNED] for r in results) == WARNED
    assert sum(r[DeadlineOutcome.RENEWED] for r in results) == ENDING
    assert Notification.objects.filter(recipient=owner).count() == WARNED
    assert ContractRenewal.objects.count() == ENDING
    assert set(Contract.objects.filter(title__startswith="Numbers")
               .values_list("state", "end_date")) == {(ContractState.RENEWED,
                                                       date(2027, 2, 28))}
    assert ContractDeadline.objects.filter(outcome=DeadlineOutcome.WARNED).count() == WARNED
    assert later["rows"] == 0
    # More than one sweeper did real work: the run was actually concurrent.
    print("rows per sweeper:", [r["rows"] for r in results])


def test_the_beat_task_runs_in_a_real_worker(celery_worker_process):
    owner = UserFactory(username="victor", roles=[Role.VENDOR_MANAGER])
    vendor = services.vendor_create(by=owner, name="Telvia", category="carrier")
    contract = services.contract_create(
        by=owner, vendor=vendor, title="Route B", start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31), owner=owner, renewal_type="explicit",
        notice_period=30, notice_unit="days")
    services.contract_activate(contract=contract, by=owner)  # ended months ago

    # Celery keeps "a task is running here" in a process-wide flag that eager tasks run
    # in threads (tests/integration/test_sla_sweep_concurrency.py) can leave set; this
    # test is not inside a task, so it may wait for the worker's result.
    with allow_join_result():
        done = sweep_contract_deadlines.delay().get(timeout=60)

    contract.refresh_from_db()
    assert contract.state == ContractState.EXPIRED
    assert done[DeadlineOutcome.EXPIRED] == 1
