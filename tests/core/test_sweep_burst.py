"""The SLA sweep's burst path: a chunk of due clocks fired set-based (core.sweep.
process_chunk) — the same rows as clock by clock, in a number of statements that does
not grow with the clocks, one email task per chunk, and a fall back to clock by clock
when a unique constraint refuses a second firing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.audit import system_user
from core.choices import ClockEventKind
from core.clocks import clock_start
from core.models import Notification, SlaClock, SlaClockEvent
from core.sweep import sweep
from tests.testapp.models import Ticket, TicketNote

pytestmark = pytest.mark.django_db

KIND = "testapp.response"
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(hours=0):
    return MONDAY_9 + timedelta(hours=hours)


def start_clocks(count, owner, *, start=at(), prefix="T"):
    tickets = [Ticket.objects.create(title=f"{prefix}{n}", owner=owner) for n in range(count)]
    return [clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=owner,
                        at=start) for ticket in tickets]


def fired_rows(tickets, prefix):
    """What a sweep left behind for ``tickets``, comparable across two fixtures."""
    clocks = SlaClock.objects.filter(object_id__in=[t.pk for t in tickets])
    return {
        "events": sorted(SlaClockEvent.objects.filter(clock__in=clocks).exclude(
            kind=ClockEventKind.STARTED).values_list("kind", "threshold", "at", "detail")),
        "notes": sorted(TicketNote.objects.filter(ticket__in=tickets).values_list("text", "at")),
        "clocks": sorted(clocks.values_list("warnings_fired", "breached_at", "next_action_at",
                                            "due_at")),
        "history": sorted(SlaClock.history.filter(id__in=clocks.values("pk"),
                                                  history_type="~").values_list(
            "history_user__username", "history_change_reason")),
        "levels": sorted(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list(
            "escalation_level", flat=True)),
        "titles": sorted(title.replace(f" on {prefix}", " on ") for title in
                         Notification.objects.filter(title__contains=f" on {prefix}")
                         .values_list("title", flat=True)),
    }


def test_set_based_fires_exactly_what_clock_by_clock_fires(manager):
    by_clock = start_clocks(3, manager, prefix="A")
    by_chunk = start_clocks(3, manager, prefix="B")
    owners_a = [c.owner for c in by_clock]
    owners_b = [c.owner for c in by_chunk]

    # Clock by clock for A (B's clocks are not due yet at 5 h: they start 10 h later).
    SlaClock.objects.filter(pk__in=[c.pk for c in by_chunk]).update(
        next_action_at=at(100))
    assert sweep(now=at(5), set_based=False)["breaches"] == 3
    SlaClock.objects.filter(pk__in=[c.pk for c in by_chunk]).update(next_action_at=at(2))
    assert sweep(now=at(5))["breaches"] == 3

    a, b = fired_rows(owners_a, "A"), fired_rows(owners_b, "B")
    assert a == b
    assert len(a["titles"]) == 9
    assert len(a["events"]) == 9 and len(a["notes"]) == 9 + 3  # + the starts' notes
    assert a["levels"] == [1, 1, 1]
    assert a["history"] == [("switchboard-system",
                             "SLA sweep: warning 50%, warning 75%, breach")] * 3


def test_a_bigger_burst_costs_the_same_statements(manager):
    # 3 and 15 clocks: on SQLite (999 parameters a statement) every bulk INSERT of
    # 15 clocks still fits in one statement; PostgreSQL takes a whole chunk in one.
    start_clocks(3, manager, prefix="small")
    with CaptureQueriesContext(connection) as small:
        assert sweep(now=at(5))["clocks"] == 3
    start_clocks(15, manager, start=at(10), prefix="big")
    with CaptureQueriesContext(connection) as big:
        totals = sweep(now=at(15))
    assert (totals["clocks"], totals["warnings"], totals["breaches"]) == (15, 30, 15)
    assert len(big) == len(small), [q["sql"][:80] for q in big.captured_queries]
    assert SlaClockEvent.objects.filter(kind=ClockEventKind.BREACHED).count() == 18
    assert Notification.objects.count() == 18 * 3


def test_one_email_task_per_chunk(manager, django_capture_on_commit_callbacks):
    start_clocks(25, manager)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert sweep(now=at(5), chunk_size=10)["clocks"] == 25
    assert len(callbacks) == 3  # chunks of 10, 10 and 5: one task each
    assert len(mail.outbox) == 25 * 3


def test_a_refused_second_firing_falls_back_to_clock_by_clock(manager):
    clocks = start_clocks(5, manager)
    # A breach already on record for one clock (as if fired by another sweeper that
    # died before moving the clock on): its chunk cannot insert in bulk.
    SlaClockEvent.objects.create(clock=clocks[2], kind=ClockEventKind.BREACHED, at=at(4),
                                 by=system_user())

    totals = sweep(now=at(5))

    assert (totals["clocks"], totals["skipped"], totals["breaches"]) == (4, 1, 4)
    assert SlaClockEvent.objects.filter(kind=ClockEventKind.BREACHED).count() == 5
    assert SlaClock.objects.get(pk=clocks[2].pk).next_action_at == at(2)  # stays due
    assert SlaClock.objects.filter(next_action_at__isnull=True).count() == 4


def test_a_clock_reads_its_owner_again_when_its_columns_change(manager):
    # The owner is checked once and then served from the clock (the sweep reads it a
    # dozen times a firing); a change of the columns it comes from is still seen.
    first, second = start_clocks(2, manager)
    clock = SlaClock.objects.get(pk=first.pk)
    owner = clock.owner
    assert clock.owner is owner and owner.pk == first.object_id

    clock.object_id = second.object_id
    assert clock.owner.pk == second.object_id

    clock.owner = owner
    assert clock.owner is owner and clock.object_id == owner.pk
    clock.content_type_id = None
    assert clock.owner is None


def test_a_burst_is_shared_with_another_sweeper(manager, settings):
    """More than one chunk due: the beat's sweep queues SLA_SWEEP_SWEEPERS - 1 helper
    sweeps. Eager Celery (the unit tests') runs the helper as it is queued, before the
    beat's sweep starts — so the helper fires the whole burst and the beat's finds
    nothing left, which shows the helper ran and nothing fired twice."""
    from core.tasks import sweep_sla_clocks

    settings.SLA_SWEEP_CHUNK_SIZE, settings.SLA_SWEEP_SWEEPERS = 2, 2
    clocks = start_clocks(5, manager, prefix="P")
    assert sweep_sla_clocks()["clocks"] == 0
    assert SlaClockEvent.objects.filter(clock__in=clocks,
                                        kind=ClockEventKind.BREACHED).count() == 5
    assert not SlaClock.objects.filter(pk__in=[c.pk for c in clocks],
                                       next_action_at__isnull=False).exists()


def test_a_sweep_of_one_chunk_asks_no_helper(manager, settings):
    from core.tasks import sweep_sla_clocks

    settings.SLA_SWEEP_CHUNK_SIZE, settings.SLA_SWEEP_SWEEPERS = 10, 2
    start_clocks(3, manager, prefix="Q")
    assert sweep_sla_clocks()["clocks"] == 3
