""""My work": the worklist apps contribute, its filters, and notices that resolve
themselves, snooze (audited) and mark-all-read."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from core import registry
from core.clocks import clock_start, clock_stop
from core.models import Notification
from core.notifications import notifications_resolve, notify, unread_count
from core.registry import WorkEntry, WorkSource
from core.sweep import sweep
from core.worklist import my_worklist
from tests.testapp.models import Ticket

pytestmark = pytest.mark.django_db

KIND = "testapp.response"
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(hours=0, minutes=0, days=0):
    return MONDAY_9 + timedelta(days=days, hours=hours, minutes=minutes)


@pytest.fixture
def tickets_source():
    """A source of the test app's tickets: the signed-in person's open ones."""

    def items(user, now):
        return [WorkEntry(reference=f"T-{t.pk}", title=t.title, url=t.get_absolute_url(),
                          due_at=at(hours=t.escalation_level) if t.escalation_level else None,
                          due_what="Response")
                for t in Ticket.objects.filter(owner=user)]

    source = registry.register_work_source(WorkSource("testapp.tickets", "My tickets", items))
    yield source
    registry._WORK_SOURCES.pop(source.key)


def test_the_worklist_puts_what_is_due_soonest_first_and_undated_last(manager, tickets_source):
    Ticket.objects.create(title="Later", owner=manager, escalation_level=5)
    Ticket.objects.create(title="Undated", owner=manager)
    Ticket.objects.create(title="Soonest", owner=manager, escalation_level=1)
    Ticket.objects.create(title="Someone else's", escalation_level=1)

    groups = {g["key"]: g for g in my_worklist(manager, now=at(hours=2))}

    lines = groups["testapp.tickets"]["lines"]
    assert [line.entry.title for line in lines] == ["Soonest", "Later", "Undated"]
    assert [line.overdue for line in lines] == [True, False, False]


def test_a_due_day_is_shown_without_a_time_and_is_overdue_only_once_the_day_is_over(
        client, manager):
    """Action items and contract dates are due on a day: "Mon 2 Mar", not "Mon 2 Mar 00:00",
    and not overdue at midnight of the day they are due."""
    def items(user, now):
        return [WorkEntry(reference="A-1", title="Due today", url="/", due_at=MONDAY_9.date()),
                WorkEntry(reference="A-2", title="Due yesterday", url="/",
                          due_at=MONDAY_9.date() - timedelta(days=1))]

    source = registry.register_work_source(WorkSource("testapp.days", "Days", items))
    try:
        lines = {line.entry.title: line
                 for line in my_worklist(manager, now=at(hours=3), kind="testapp.days")[0]["lines"]}
        assert lines["Due today"].all_day and not lines["Due today"].overdue
        assert lines["Due yesterday"].overdue
        overdue = my_worklist(manager, now=at(hours=3), kind="testapp.days", due="overdue")
        assert [line.entry.title for line in overdue[0]["lines"]] == ["Due yesterday"]

        client.force_login(manager)
        with time_machine.travel(at(hours=3), tick=False):
            html = client.get(reverse("my-work"), {"kind": "testapp.days"}).content.decode()
        assert '<time datetime="2026-03-02">Mon 2 Mar</time>' in html
        assert "Mon 2 Mar 00:00" not in html
    finally:
        registry._WORK_SOURCES.pop(source.key)


def test_the_due_filter_keeps_overdue_only_and_drops_undated(manager, tickets_source):
    Ticket.objects.create(title="Later", owner=manager, escalation_level=5)
    Ticket.objects.create(title="Undated", owner=manager)
    Ticket.objects.create(title="Soonest", owner=manager, escalation_level=1)

    groups = my_worklist(manager, now=at(hours=2), kind="testapp.tickets", due="overdue")

    assert [g["key"] for g in groups] == ["testapp.tickets"]
    assert [line.entry.title for line in groups[0]["lines"]] == ["Soonest"]


def test_my_work_page_shows_groups_filters_and_notices(client, manager, tickets_source):
    Ticket.objects.create(title="Soonest", owner=manager, escalation_level=1)
    notify([manager], title="Response breached on VIP complaint", url="/tickets/1/")
    client.force_login(manager)

    page = client.get(reverse("my-work"), {"kind": "testapp.tickets", "due": "overdue"})

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="work-testapp.tickets"' in html
    assert "Soonest" in html and "overdue" in html
    assert "Response breached on VIP complaint" in html
    # An unknown filter is ignored, not an error.
    assert client.get(reverse("my-work"), {"kind": "nope", "due": "x"}).status_code == 200


def test_my_work_queries_do_not_grow_with_the_notices(client, manager, tickets_source,
                                                      django_assert_max_num_queries):
    client.force_login(manager)
    for number in range(3):
        notify([manager], title=f"Notice {number}")
    client.get(reverse("my-work"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("my-work"))
    for number in range(20):
        notify([manager], title=f"More {number}")
        Ticket.objects.create(title=f"T{number}", owner=manager, escalation_level=number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("my-work"))


def test_mark_all_read_clears_the_unread_count(client, manager):
    notify([manager], title="One")
    notify([manager], title="Two")
    client.force_login(manager)

    response = client.post(reverse("my-work-read"))

    assert response.status_code == 302
    assert unread_count(manager) == 0


def test_snooze_hides_a_notice_until_then_and_is_audited(client, manager):
    [notice] = notify([manager], title="Contract notice in 30 days")
    client.force_login(manager)

    with time_machine.travel(at(), tick=False):
        response = client.post(reverse("my-work-snooze", args=[notice.pk]), {"until": "4h"})
        assert response.status_code == 302
        assert unread_count(manager) == 0
        assert 'data-testid="notice"' not in client.get(reverse("my-work")).content.decode()
    with time_machine.travel(at(hours=4, minutes=1), tick=False):
        assert unread_count(manager) == 1  # back when the snooze ends

    record = notice.history.latest()
    assert record.history_user == manager
    assert record.history_change_reason.startswith("Snoozed until 2026-03-02 13:00")


def test_nobody_snoozes_someone_elses_notice(client, manager, viewer):
    [notice] = notify([manager], title="Mine")
    client.force_login(viewer)

    assert client.post(reverse("my-work-snooze", args=[notice.pk]),
                       {"until": "1h"}).status_code == 404
    notice.refresh_from_db()
    assert notice.snoozed_until is None


def test_a_snooze_without_a_valid_choice_is_refused_with_the_choices(client, manager):
    [notice] = notify([manager], title="Mine")
    client.force_login(manager)

    response = client.post(reverse("my-work-snooze", args=[notice.pk]), {"until": "forever"},
                           follow=True)

    assert "Choose how long to snooze" in response.content.decode()
    notice.refresh_from_db()
    assert notice.snoozed_until is None


def test_stopping_a_clock_resolves_its_warnings_and_cancels_their_unsent_email(manager):
    ticket = Ticket.objects.create(title="VIP complaint", owner=manager)
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager, at=at())
    sweep(now=at(hours=2, minutes=30))  # the 50 % warning
    notice = Notification.objects.get(recipient=manager)
    assert notice.resolved_at is None and notice.email_status == "pending"

    clock_stop(clock=clock, by=manager, at=at(hours=3))

    notice.refresh_from_db()
    assert notice.resolved_at is not None and notice.read_at is not None
    assert notice.email_status == "not_needed"
    assert unread_count(manager) == 0


def test_resolving_leaves_other_subjects_alone(manager):
    first = Ticket.objects.create(title="One", owner=manager)
    second = Ticket.objects.create(title="Two", owner=manager)
    notify([manager], title="About one", subject=first)
    notify([manager], title="About two", subject=second)

    assert notifications_resolve(first) == 1

    assert list(Notification.objects.filter(resolved_at__isnull=True)
                .values_list("title", flat=True)) == ["About two"]
