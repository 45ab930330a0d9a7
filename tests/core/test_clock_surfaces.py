"""Clock badge, clocks API, "my work" page and the read-only clock admin."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from core.choices import Role
from core.clocks import clock_pause, clock_start, clock_stop
from core.models import Notification, SlaClock
from core.sweep import sweep
from tests.testapp.models import Ticket

pytestmark = pytest.mark.django_db
KIND = "testapp.response"


@pytest.fixture
def ticket(manager):
    return Ticket.objects.create(title="Carrier outage complaint", owner=manager)


def badge(clock, now):
    return Template("{% load clocks %}{% clock_badge clock now %}").render(
        Context({"clock": clock, "now": now})
    )


def test_badge_shows_remaining_time_and_state(ticket, manager):
    start = timezone.now()
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager, at=start)

    html = badge(clock, start + timedelta(hours=1, minutes=30))
    assert "clock-running" in html
    assert "2h 30m left" in html
    assert "Response" in html
    assert "due " in html  # tooltip with the due instant

    sweep(now=start + timedelta(hours=5))
    clock = SlaClock.objects.get(pk=clock.pk)
    html = badge(clock, start + timedelta(hours=5))
    assert "clock-breached" in html
    assert "1h over" in html


def test_badge_for_paused_and_stopped_clocks(ticket, manager):
    start = timezone.now()
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager, at=start)
    clock = clock_pause(clock=clock, reason="Awaiting customer", by=manager,
                        at=start + timedelta(hours=1))
    html = badge(clock, start + timedelta(hours=2))
    assert "clock-paused" in html
    assert "3h left" in html
    assert "paused: Awaiting customer" in html

    clock = clock_stop(clock=clock, by=manager, at=start + timedelta(hours=2))
    assert "clock-met" in badge(clock, start + timedelta(hours=2))


def test_clocks_of_an_object_through_the_api(api_as, viewer, ticket, manager):
    other = Ticket.objects.create(title="Other")
    clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager)
    clock_start(owner=other, kind=KIND, target=timedelta(hours=4), by=manager)

    response = api_as(viewer).get(
        "/api/clocks/", {"owner_type": "testapp.ticket", "object_id": ticket.pk}
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 1
    assert results[0]["label"] == "Response"
    assert results[0]["status"] == "running"
    assert 0 < results[0]["remaining_seconds"] <= 4 * 3600
    assert [e["kind"] for e in results[0]["events"]] == ["started"]


def test_clocks_api_is_read_only(api_as, manager, ticket):
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager)
    client = api_as(manager)
    assert client.patch(f"/api/clocks/{clock.pk}/", {"target": "00:01:00"}).status_code == 405
    assert client.delete(f"/api/clocks/{clock.pk}/").status_code == 405


def test_clock_list_query_count_is_constant(api_client, viewer, ticket, manager,
                                            django_assert_num_queries):
    def fresh_viewer():
        api_client.force_authenticate(type(viewer).objects.get(pk=viewer.pk))

    for _ in range(2):
        clock_start(owner=Ticket.objects.create(title="t"), kind=KIND,
                    target=timedelta(hours=4), by=manager)
    fresh_viewer()
    # 2 permission, count, clocks, events, calendar hours, calendar holidays
    with django_assert_num_queries(7):
        api_client.get("/api/clocks/")
    for _ in range(10):
        clock_start(owner=Ticket.objects.create(title="t"), kind=KIND,
                    target=timedelta(hours=4), by=manager)
    fresh_viewer()
    with django_assert_num_queries(7):
        assert api_client.get("/api/clocks/").json()["count"] == 12


def test_unknown_owner_type_finds_nothing(api_as, viewer):
    response = api_as(viewer).get("/api/clocks/", {"owner_type": "nope.nothing"})
    assert response.json()["count"] == 0


def test_my_notifications_through_the_api(api_as, manager, viewer, ticket):
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=1), by=manager)
    sweep(now=clock.started_at + timedelta(hours=2))

    mine = api_as(manager).get("/api/notifications/").json()
    assert mine["count"] == 3
    assert api_as(viewer).get("/api/notifications/").json()["count"] == 0

    first = mine["results"][0]["id"]
    assert api_as(viewer).post(f"/api/notifications/{first}/read/").status_code == 404
    response = api_as(manager).post(f"/api/notifications/{first}/read/")
    assert response.json()["read_at"] is not None


def test_my_work_page_lists_and_marks_read(client, manager, ticket):
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=1), by=manager)
    sweep(now=clock.started_at + timedelta(hours=2))
    client.force_login(manager)

    html = client.get("/my-work/").content.decode()
    assert "Response breached on Carrier outage complaint" in html
    assert 'aria-label="My work: 3 unread"' in html

    client.post("/my-work/read/")  # "Mark all read"
    assert not Notification.objects.filter(recipient=manager, read_at__isnull=True).exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VENDOR_MANAGER])
def test_clock_admin_is_read_only_with_filters(client, make_user, ticket, manager, role):
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=1), by=manager)
    client.force_login(make_user(role, is_staff=True))

    listing = client.get("/admin/core/slaclock/", {"breached": "no", "state": "running"})
    assert listing.status_code == 200
    assert "testapp.response" in listing.content.decode()
    change = client.get(f"/admin/core/slaclock/{clock.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.get("/admin/core/slaclock/add/").status_code == 403


def test_times_are_shown_in_the_viewers_zone(client, manager, ticket):
    clock_start(owner=ticket, kind=KIND, target=timedelta(hours=1), by=manager)
    sweep(now=timezone.now() + timedelta(hours=2))
    client.force_login(manager)
    client.cookies["sb_tz"] = "Asia/Kolkata"
    notification = Notification.objects.filter(recipient=manager).first()
    local = timezone.localtime(notification.created_at, timezone=ZoneInfo("Asia/Kolkata"))
    assert local.strftime("%H:%M") in client.get("/my-work/").content.decode()
