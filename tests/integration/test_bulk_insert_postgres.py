"""core.bulk's PostgreSQL inserts (``INSERT … SELECT * FROM unnest(…)``) write exactly
what Django's ``bulk_create`` and simple-history's ``bulk_history_create`` write: the
SLA sweep's burst path uses them for its events, notifications, timeline and history
rows, and the unit tests (SQLite) only reach the portable ``bulk_create`` path."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.audit import system_user
from core.bulk import insert_history, insert_objects, insert_rows
from core.choices import ClockEventKind
from core.clocks import clock_start
from core.models import EmailStatus, Notification, SlaClock, SlaClockEvent
from tests.factories import UserFactory
from tests.testapp.models import Ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CARD = "4111 1111 1111 1111"


@pytest.fixture
def clocks():
    assert connection.vendor == "postgresql"
    owner = UserFactory(username="owner")
    return [clock_start(owner=Ticket.objects.create(title=f"T{n}", owner=owner),
                        kind="testapp.response", target=timedelta(hours=4), by=owner,
                        at=START) for n in range(4)]


def events_for(clocks, by, first_threshold):
    return [SlaClockEvent(clock=clock, kind=ClockEventKind.WARNING, at=START + timedelta(hours=n),
                          by=by if n % 2 else None, threshold=first_threshold + n,
                          detail=f"card {CARD} quoted" if n == 1 else "50% used")
            for n, clock in enumerate(clocks)]


def stored(model, pks, exclude=("id",)):
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
    return [tuple(row) for row in model.objects.filter(pk__in=pks).order_by("pk")
            .values_list(*fields)]


def test_insert_objects_writes_what_bulk_create_writes(clocks):
    actor = system_user()
    ours = insert_objects(SlaClockEvent, events_for(clocks, actor, 50))
    # Other thresholds: the same clocks may not fire the same warning twice.
    django = SlaClockEvent.objects.bulk_create(events_for(clocks, actor, 60))

    assert all(event.pk and not event._state.adding for event in ours)
    skip = ("id", "threshold")
    assert stored(SlaClockEvent, [e.pk for e in ours], skip) == stored(
        SlaClockEvent, [e.pk for e in django], skip)
    assert [e.threshold for e in SlaClockEvent.objects.filter(pk__in=[e.pk for e in ours])
            .order_by("pk")] == [50, 51, 52, 53]
    # Free text is masked in the row and on the instance, as pre_save masks it.
    assert CARD not in ours[1].detail
    assert SlaClockEvent.objects.get(pk=ours[1].pk).detail == ours[1].detail


def test_insert_objects_stamps_auto_now_add_and_keeps_row_order():
    user = UserFactory(email="a@example.com")
    before = timezone.now()
    rows = insert_objects(Notification, [
        Notification(recipient=user, title=f"N{n}", body=f"pay with {CARD}",
                     email_status=EmailStatus.PENDING, email_next_attempt_at=START)
        for n in range(5)])

    saved = Notification.objects.in_bulk([row.pk for row in rows])
    assert [saved[row.pk].title for row in rows] == ["N0", "N1", "N2", "N3", "N4"]
    assert all(before <= saved[row.pk].created_at <= timezone.now() for row in rows)
    assert all(CARD not in saved[row.pk].body for row in rows)
    assert {saved[row.pk].email_attempts for row in rows} == {0}  # the field's default


def test_insert_history_keeps_who_why_and_when(clocks):
    actor = system_user()
    for n, clock in enumerate(clocks):
        clock._history_user = actor
        clock._change_reason = f"SLA sweep: warning {n}"
    clocks[0]._history_date = START
    before = timezone.now()
    insert_history(SlaClock, clocks, update=True, default_user=actor)
    SlaClock.history.bulk_history_create(clocks, update=True, default_user=actor)

    history = SlaClock.history.model
    ours, theirs = [], []
    for clock in clocks:
        rows = list(history.objects.filter(id=clock.pk, history_type="~")
                    .order_by("history_id"))
        assert len(rows) == 2
        ours.append(rows[0])
        theirs.append(rows[1])
    skip = ("history_id", "history_date")
    assert [stored(history, [r.pk], skip) for r in ours] == [
        stored(history, [r.pk], skip) for r in theirs]
    assert ours[0].history_user == actor
    assert ours[2].history_change_reason == "SLA sweep: warning 2"
    assert ours[0].history_date == START
    assert all(before <= row.history_date <= timezone.now() for row in ours[1:])


def test_insert_rows_fills_defaults_and_refuses_a_second_firing(clocks):
    pks = insert_rows(SlaClockEvent, ["clock", "kind", "at", "threshold"],
                      [(clocks[0].pk, ClockEventKind.BREACHED, START, None)], returning=True)
    assert SlaClockEvent.objects.get(pk=pks[0]).detail == ""  # default of the field
    # The once-only constraints hold for these inserts as for any other.
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(SlaClockEvent, ["clock", "kind", "at"],
                    [(clocks[0].pk, ClockEventKind.BREACHED, START)])
