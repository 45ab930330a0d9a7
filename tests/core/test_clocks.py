"""The SLA clock engine: start, pause, resume, stop, restart, retarget, sweep."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from core.calendars import calendar_save
from core.choices import ClockEventKind, ClockOutcome, ClockState, ClockStatus
from core.clocks import (
    builtin_calendar,
    clock_elapsed,
    clock_pause,
    clock_remaining,
    clock_restart,
    clock_resume,
    clock_retarget,
    clock_start,
    clock_status,
    clock_stop,
    clocks_of,
    format_duration,
)
from core.exceptions import TransitionNotAllowed
from core.models import BusinessCalendar, Notification, SlaClock, SlaClockEvent
from core.sweep import sweep
from tests.testapp.models import Ticket, TicketNote

pytestmark = pytest.mark.django_db

KIND = "testapp.response"
# Monday 2 March 2026, 09:00 London = 09:00 UTC (before the clocks change).
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def office():
    """Mon–Fri 09:00–17:00 Europe/London."""
    calendar = BusinessCalendar(name="London office", time_zone="Europe/London")
    return calendar_save(calendar=calendar, ranges=[(d, time(9), time(17)) for d in range(5)],
                         by=None, reason="test")


@pytest.fixture
def ticket(manager):
    return Ticket.objects.create(title="VIP complaint", owner=manager)


def at(hours=0, minutes=0, days=0):
    return MONDAY_9 + timedelta(days=days, hours=hours, minutes=minutes)


def test_start_computes_due_on_the_calendar(ticket, office, manager):
    friday_1630 = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=2), calendar=office,
                        by=manager, at=friday_1630)

    assert clock.due_at == datetime(2026, 3, 9, 10, 30, tzinfo=UTC)  # Monday 10:30
    assert clock.state == ClockState.RUNNING
    # The 50 % warning comes first: 1 business hour in = Monday 09:30.
    assert clock.next_action_at == datetime(2026, 3, 9, 9, 30, tzinfo=UTC)
    assert clock.history.get().history_change_reason == "Started Response"
    assert [e.kind for e in clock.events.all()] == [ClockEventKind.STARTED]


def test_default_calendar_is_the_builtin_24x7(ticket, manager):
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager, at=at())
    assert clock.calendar == builtin_calendar()
    assert clock.due_at == at(hours=4)


def test_zero_target_and_bad_thresholds_are_refused(ticket, manager):
    with pytest.raises(ValidationError, match="longer than zero"):
        clock_start(owner=ticket, kind=KIND, target=timedelta(0), by=manager)
    with pytest.raises(ValidationError, match="between 1 and 99"):
        clock_start(owner=ticket, kind=KIND, target=timedelta(hours=1), by=manager,
                    warn_thresholds=[50, 120])
    assert not SlaClock.objects.exists()


def test_pause_excludes_the_paused_time(ticket, office, manager):
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), calendar=office,
                        by=manager, at=at())
    clock = clock_pause(clock=clock, reason="Awaiting customer", by=manager, at=at(hours=1))
    assert clock.state == ClockState.PAUSED
    assert clock.due_at is None
    assert clock.next_action_at is None  # paused clocks never breach
    assert clock_elapsed(clock, now=at(hours=5)) == timedelta(hours=1)

    clock = clock_resume(clock=clock, by=manager, at=at(hours=3))

    assert clock.paused_total == timedelta(hours=2)
    assert clock.due_at == at(hours=6)  # 3 h left from 12:00 → 15:00
    assert clock_remaining(clock, now=at(hours=4)) == timedelta(hours=2)


def test_pause_needs_a_reason_and_a_running_clock(ticket, manager):
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager, at=at())
    with pytest.raises(ValidationError, match="why"):
        clock_pause(clock=clock, reason=" ", by=manager)
    clock_pause(clock=clock, reason="Awaiting customer", by=manager, at=at(hours=1))
    with pytest.raises(TransitionNotAllowed) as refused:
        clock_pause(clock=clock, reason="again", by=manager, at=at(hours=2))
    assert refused.value.allowed == ["resume", "stop"]


def test_stop_within_target_is_met_and_after_is_missed(ticket, manager):
    met = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=2), by=manager, at=at())
    met = clock_stop(clock=met, by=manager, at=at(hours=1, minutes=59))
    assert (met.outcome, met.next_action_at) == (ClockOutcome.MET, None)
    assert clock_status(met) == ClockStatus.MET

    late = clock_start(owner=ticket, kind="testapp.other", target=timedelta(hours=2),
                       by=manager, at=at())
    late = clock_stop(clock=late, by=manager, at=at(hours=2, minutes=1))
    assert late.outcome == ClockOutcome.MISSED


def test_restart_starts_a_new_cycle(ticket, manager):
    first = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=2), by=manager, at=at())
    clock_stop(clock=first, by=manager, at=at(hours=1))

    second = clock_restart(clock=first, by=manager, reason="Reopened", at=at(days=1))

    assert second.cycle == 2
    assert second.due_at == at(days=1, hours=2)
    assert [c.cycle for c in clocks_of(ticket)] == [2, 1]
    assert SlaClock.objects.get(pk=first.pk).outcome == ClockOutcome.MET


def test_retarget_recomputes_from_the_original_start(ticket, office, manager):
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=8), calendar=office,
                        by=manager, at=at())
    with time_machine.travel(at(hours=1), tick=False):
        clock = clock_retarget(clock=clock, target=timedelta(hours=2), by=manager,
                               reason="Raised to SEV1")
    assert clock.due_at == at(hours=2)
    assert clock.events.last().detail == "8h → 2h: Raised to SEV1"


def test_sweep_fires_warnings_then_breach_exactly_once(ticket, manager):
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager, at=at())

    assert sweep(now=at(hours=1))["clocks"] == 0  # nothing due yet
    assert sweep(now=at(hours=2))["warnings"] == 1  # 50 %
    assert sweep(now=at(hours=2))["clocks"] == 0  # not again
    totals = sweep(now=at(hours=5))  # 75 % and the breach, in that order
    assert (totals["warnings"], totals["breaches"]) == (1, 1)
    assert sweep(now=at(hours=9))["clocks"] == 0

    clock = SlaClock.objects.get(pk=clock.pk)
    assert clock.warnings_fired == [50, 75]
    assert clock.breached_at == at(hours=4)  # when it breached, not when the sweep saw it
    assert clock.next_action_at is None
    assert clock_status(clock, now=at(hours=5)) == ClockStatus.BREACHED
    events = list(clock.events.values_list("kind", "threshold", "at"))
    assert events == [
        ("started", None, at()),
        ("warning", 50, at(hours=2)),
        ("warning", 75, at(hours=3)),
        ("breached", None, at(hours=4)),
    ]
    assert Ticket.objects.get(pk=ticket.pk).escalation_level == 1  # breach action ran once


def test_warnings_and_breach_notify_the_owner_in_app_and_by_email(
    ticket, manager, django_capture_on_commit_callbacks
):
    clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager, at=at())

    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=at(hours=5))

    titles = list(Notification.objects.filter(recipient=manager).values_list("title", flat=True))
    assert sorted(titles) == [
        "Response at 50% on VIP complaint",
        "Response at 75% on VIP complaint",
        "Response breached on VIP complaint",
    ]
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == [manager.email]


def test_clock_events_land_on_the_owners_timeline(ticket, manager):
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager, at=at())
    clock_pause(clock=clock, reason="Awaiting customer", by=manager, at=at(hours=1))

    assert list(TicketNote.objects.values_list("text", flat=True)) == [
        "testapp.response: Started",
        "testapp.response: Paused",
    ]


def test_a_capped_pause_resumes_by_itself_at_the_cap(ticket, manager):
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager, at=at(),
                        pause_cap=timedelta(hours=24), warn_thresholds=[90])
    clock_pause(clock=clock, reason="Awaiting customer", by=manager, at=at(hours=1))

    assert sweep(now=at(hours=20))["clocks"] == 0
    assert sweep(now=at(hours=26))["resumed"] == 1

    clock = SlaClock.objects.get(pk=clock.pk)
    assert clock.state == ClockState.RUNNING
    assert clock.running_since == at(hours=25)
    assert clock.due_at == at(hours=28)  # 3 h left from the cap's end
    assert clock.events.filter(kind=ClockEventKind.RESUMED).get().detail.startswith("Pause cap")


@pytest.mark.parametrize(("unit", "resumes"), [
    # Friday 16:00 + 2 h: one office hour on Friday, one on Monday → Monday 10:00.
    ("business", at(days=7, hours=1)),
    ("wall", at(days=4, hours=9)),  # Friday 18:00, with the office shut
])
def test_a_pause_cap_counts_business_time_unless_it_says_wall_clock(ticket, office, manager,
                                                                    unit, resumes):
    friday_4pm = at(days=4, hours=7)
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=8), calendar=office,
                        by=manager, at=at(), pause_cap=timedelta(hours=2), pause_cap_unit=unit)
    clock = clock_pause(clock=clock, reason="Awaiting customer", by=manager, at=friday_4pm)
    assert clock.resume_at == resumes
    sweep(now=resumes)
    clock = SlaClock.objects.get(pk=clock.pk)
    assert (clock.state, clock.running_since) == (ClockState.RUNNING, resumes)


def test_sweep_only_reads_due_clocks(ticket, manager, django_assert_max_num_queries):
    for n in range(30):
        clock_start(owner=Ticket.objects.create(title=f"T{n}"), kind=KIND,
                    target=timedelta(days=30), by=manager, at=at())
    with django_assert_max_num_queries(3):  # system user, due ids, (no rows)
        assert sweep(now=at(hours=1))["clocks"] == 0


def test_a_failing_action_rolls_back_and_the_clock_stays_due(ticket, manager, monkeypatch):
    from core import clocks

    def broken(clock, event):
        raise RuntimeError("mail server on fire")

    monkeypatch.setitem(clocks.CLOCK_KINDS, "testapp.broken", clocks.ClockKind(
        key="testapp.broken", label="Broken", on_breach=(broken,), warn_thresholds=()))
    clock = clock_start(owner=ticket, kind="testapp.broken", target=timedelta(hours=1),
                        by=manager, at=at())

    assert sweep(now=at(hours=2))["failed"] == 1
    clock = SlaClock.objects.get(pk=clock.pk)
    assert clock.breached_at is None
    assert not clock.events.filter(kind=ClockEventKind.BREACHED).exists()
    assert clock.next_action_at == at(hours=1)  # retried by the next sweep


def test_the_database_refuses_a_second_breach_event(ticket, manager):
    from django.db import IntegrityError, transaction

    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=1), by=manager, at=at())
    SlaClockEvent.objects.create(clock=clock, kind=ClockEventKind.BREACHED, at=at(hours=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        SlaClockEvent.objects.create(clock=clock, kind=ClockEventKind.BREACHED, at=at(hours=1))


@pytest.mark.parametrize(
    ("value", "text"),
    [(timedelta(minutes=45), "45m"), (timedelta(hours=2, minutes=30), "2h 30m"),
     (timedelta(days=3, hours=4), "3d 4h"), (timedelta(0), "0m"), (-timedelta(hours=1), "-1h")],
)
def test_format_duration(value, text):
    assert format_duration(value) == text


def test_clocks_that_keep_failing_do_not_hide_healthy_ones(manager, monkeypatch):
    """More failing clocks than a batch holds must not stall the sweep (cursor paging)."""
    from core import clocks

    def broken(clock, event):
        raise RuntimeError("action keeps failing")

    monkeypatch.setitem(clocks.CLOCK_KINDS, "testapp.broken", clocks.ClockKind(
        key="testapp.broken", label="Broken", on_breach=(broken,), warn_thresholds=()))
    for n in range(4):  # due first, and failing
        clock_start(owner=Ticket.objects.create(title=f"bad {n}"), kind="testapp.broken",
                    target=timedelta(hours=1), by=manager, at=at())
    healthy = clock_start(owner=Ticket.objects.create(title="good"), kind=KIND,
                          target=timedelta(hours=1), by=manager, at=at(hours=1),
                          warn_thresholds=[50])

    totals = sweep(now=at(hours=3), batch_size=2)

    assert (totals["failed"], totals["clocks"], totals["breaches"]) == (4, 1, 1)
    assert SlaClock.objects.get(pk=healthy.pk).breached_at is not None
