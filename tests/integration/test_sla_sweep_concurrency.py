"""Exactly-once SLA firing with concurrent sweepers on PostgreSQL."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections

from core.clocks import clock_start
from core.models import Notification, SlaClock, SlaClockEvent
from core.sweep import sweep
from tests.factories import UserFactory
from tests.testapp.models import Ticket

pytestmark = pytest.mark.integration

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLOCKS = 300
SWEEPERS = 4


def run_concurrently(count, target):
    """Run ``target`` in ``count`` threads released together; each has its own
    database connection (a real concurrent PostgreSQL session)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweepers_fire_each_warning_and_breach_exactly_once():
    assert connection.vendor == "postgresql"
    owner = UserFactory(username="owner")
    for n in range(CLOCKS):
        ticket = Ticket.objects.create(title=f"Complaint {n}", owner=owner)
        clock_start(owner=ticket, kind="testapp.response", target=timedelta(hours=1),
                    by=owner, at=START)

    now = START + timedelta(hours=2)  # every clock: 50 %, 75 % and breach are due
    results, errors = run_concurrently(SWEEPERS, lambda: sweep(now=now, batch_size=50))

    assert errors == []
    assert sum(r["clocks"] for r in results) == CLOCKS
    assert sum(r["breaches"] for r in results) == CLOCKS
    assert sum(r["warnings"] for r in results) == 2 * CLOCKS
    assert sum(r["failed"] for r in results) == 0
    assert SlaClockEvent.objects.filter(kind="breached").count() == CLOCKS
    assert SlaClockEvent.objects.filter(kind="warning").count() == 2 * CLOCKS
    assert set(Ticket.objects.values_list("escalation_level", flat=True)) == {1}
    assert Notification.objects.filter(recipient=owner).count() == 3 * CLOCKS
    assert not SlaClock.objects.filter(next_action_at__isnull=False).exists()
    # More than one sweeper did real work: the run was actually concurrent.
    print("clocks per sweeper:", [r["clocks"] for r in results])

    # A sweeper arriving later finds nothing left to do.
    assert sweep(now=now)["clocks"] == 0
