"""Pack schedules on business calendars, and the monthly executive pack.

"First working day" is the schedule's calendar's (its holidays respected), weekdays
without one. The executive pack is swept exactly once per period by
``core/due_rows.py``, built by the real task (eager here), shows what its owner may
see, and its owner is told with a link; a failure stays visible and is retried.
"""

import io
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from core.calendars import holiday_save
from core.choices import Role
from core.models import BusinessCalendar, Holiday, Notification, WorkingHours
from reports import services, tasks
from reports.choices import PackKind, PackStatus
from reports.models import PackSchedule, PackScheduleRun, ReportPack


@pytest.fixture
def london(db):
    """Monday to Friday 09:00–17:00 in London; Monday 1 June 2026 is a holiday."""
    calendar = BusinessCalendar.objects.create(name="London office", time_zone="Europe/London")
    WorkingHours.objects.bulk_create(WorkingHours(calendar=calendar, weekday=day,
                                                  start=time(9), end=time(17))
                                     for day in range(5))
    Holiday.objects.create(calendar=calendar, date=date(2026, 6, 1), name="Company day")
    return calendar


def test_the_first_working_day_respects_the_calendars_holidays(london):
    # 1 June 2026 is a Monday: a weekday, but the London office is closed.
    assert services.first_working_day(2026, 6) == date(2026, 6, 1)
    assert services.first_working_day(2026, 6, london) == date(2026, 6, 2)
    # 1 August 2026 is a Saturday: Monday the 3rd either way.
    assert services.first_working_day(2026, 8, london) == date(2026, 8, 3)
    # 06:00 in London (BST) is 05:00 UTC.
    assert services.next_run_after(datetime(2026, 5, 3, tzinfo=UTC), london) == datetime(
        2026, 6, 2, 5, tzinfo=UTC)
    assert services.next_run_after(datetime(2026, 5, 3, tzinfo=UTC)) == datetime(
        2026, 6, 1, 6, tzinfo=UTC)


def test_a_calendar_without_working_days_is_refused_naming_the_calendar(manager):
    closed = BusinessCalendar.objects.create(name="Never open", time_zone="UTC")
    with pytest.raises(services.RequirementMissing) as refused:
        services.schedule_create(by=manager, name="Packs", calendar=closed)
    assert "calendar" in refused.value.errors


def test_a_holiday_added_after_scheduling_moves_the_run_to_the_next_working_day(manager):
    office = BusinessCalendar.objects.create(name="Office", time_zone="UTC")
    WorkingHours.objects.bulk_create(WorkingHours(calendar=office, weekday=day,
                                                  start=time(9), end=time(17))
                                     for day in range(5))
    with time_machine.travel(datetime(2026, 5, 3, 9, tzinfo=UTC), tick=False):
        schedule = services.schedule_create(by=manager, name="Executive",
                                            kind=PackKind.EXECUTIVE, calendar=office)
    assert schedule.next_run_at == datetime(2026, 6, 1, 6, tzinfo=UTC)
    holiday_save(holiday=Holiday(calendar=office, date=date(2026, 6, 1), name="Closed"),
                 by=manager, reason="Office closed")
    with time_machine.travel(datetime(2026, 6, 1, 6, 5, tzinfo=UTC), tick=False):
        assert tasks.sweep_pack_schedules()["moved_to_working_day"] == 1
    schedule.refresh_from_db()
    assert schedule.next_run_at == datetime(2026, 6, 2, 6, tzinfo=UTC)
    assert not PackScheduleRun.objects.exists()


def pdf_text(pack) -> str:
    with pack.pdf.open("rb") as handle:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


@pytest.mark.parametrize(("role", "money"), [(Role.VIEWER, False), (Role.FINANCE, True)])
def test_the_executive_pack_is_built_once_per_period_as_its_owner_sees_it(
        london, manager, make_user, role, money, django_capture_on_commit_callbacks):
    owner = make_user(role, username="olive", first_name="Olive")
    with time_machine.travel(datetime(2026, 5, 3, 9, tzinfo=UTC), tick=False):
        schedule = services.schedule_create(by=manager, name="Executive monthly",
                                            kind=PackKind.EXECUTIVE, calendar=london,
                                            owner=owner)
    assert schedule.formats == ["html", "pdf"]
    assert schedule.next_run_at == datetime(2026, 6, 2, 5, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 6, 2, 5, 5, tzinfo=UTC), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_pack_schedules()["fired"] == 1
        assert tasks.sweep_pack_schedules() == {}  # next: July
        PackSchedule.objects.filter(pk=schedule.pk).update(
            next_run_at=datetime(2026, 6, 2, 5, tzinfo=UTC))
        assert tasks.sweep_pack_schedules()["already_run"] == 1
    pack = ReportPack.objects.get()
    assert (pack.kind, pack.vendor, pack.status) == (PackKind.EXECUTIVE, None, PackStatus.DONE)
    assert (pack.period_start, pack.period_end) == (date(2026, 5, 1), date(2026, 5, 31))
    assert pack.created_by == owner and pack.pdf and pack.html and not pack.xlsx
    text = pdf_text(pack)
    assert "Executive report" in text and "May 2026" in text
    assert ("Budgets" in text) is money  # money only for money roles
    told = Notification.objects.get(recipient=owner)
    assert told.url == pack.get_absolute_url() and "May 2026" in told.title
    schedule.refresh_from_db()
    assert schedule.next_run_at == datetime(2026, 7, 1, 5, tzinfo=UTC)


def test_a_failing_executive_schedule_shows_its_error_and_is_retried(
        manager, make_user, django_capture_on_commit_callbacks):
    owner = make_user(Role.MANAGER, username="olive")
    with time_machine.travel(datetime(2026, 5, 3, 9, tzinfo=UTC), tick=False):
        schedule = services.schedule_create(by=manager, name="Executive monthly",
                                            kind=PackKind.EXECUTIVE, owner=owner)
    owner.is_active = False
    owner.save()
    with time_machine.travel(datetime(2026, 6, 1, 6, 5, tzinfo=UTC), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_pack_schedules()["failed"] == 1
        schedule.refresh_from_db()
        assert "deactivated" in schedule.last_error
        assert schedule.next_run_at == datetime(2026, 6, 1, 6, tzinfo=UTC)  # still due
        assert not PackScheduleRun.objects.exists() and not ReportPack.objects.exists()
        owner.is_active = True
        owner.save()
        assert tasks.sweep_pack_schedules()["fired"] == 1
    schedule.refresh_from_db()
    assert schedule.last_error == ""
    assert ReportPack.objects.get().status == PackStatus.DONE


def test_the_owner_opens_a_money_free_executive_pack_others_need_money(
        client, manager, make_user, django_capture_on_commit_callbacks):
    owner = make_user(Role.VIEWER, username="olive")
    other = make_user(Role.VIEWER, username="otto")
    finance = make_user(Role.FINANCE, username="fiona")
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.executive_pack_request(by=owner, period_start=date(2026, 4, 1),
                                               period_end=date(2026, 4, 30))
    pack.refresh_from_db()
    assert pack.status == PackStatus.DONE
    for user, expected in ((owner, 200), (other, 403), (finance, 200)):
        client.force_login(user)
        assert client.get(reverse("reports:pack", args=[pack.pk])).status_code == expected
        response = client.get(reverse("reports:pack-file", args=[pack.pk, "pdf"]))
        assert response.status_code == expected
        if expected == 200:
            assert response.getvalue().startswith(b"%PDF-")


@pytest.mark.parametrize(("role", "expected"), [(Role.MANAGER, 302), (Role.VENDOR_MANAGER, 302),
                                            (Role.FINANCE, 403), (Role.VIEWER, 403),
                                            (Role.INCIDENT_RESPONDER, 403)])
def test_the_schedule_page_is_for_schedule_managers(client, make_user, london, role, expected):
    client.force_login(make_user(role, username="someone"))
    response = client.post(reverse("reports:schedule-new"), {
        "name": "Executive monthly", "kind": "executive", "calendar": london.pk,
        "email_owners": "on"})
    assert response.status_code == expected
    if expected == 302:
        schedule = PackSchedule.objects.get()
        assert (schedule.kind, schedule.calendar) == (PackKind.EXECUTIVE, london)
        page = client.get(response["Location"])
        assert b"London office" in page.content and b"executive pack" in page.content


def test_the_schedule_api_creates_and_refuses_bad_input_naming_the_field(client, manager,
                                                                        london, viewer):
    client.force_login(manager)
    created = client.post("/api/pack-schedules/", {"name": "Exec", "kind": "executive",
                                                   "calendar": london.pk},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "executive" and created.json()["owner"] == manager.pk
    bad = client.post("/api/pack-schedules/", {"name": "Exec", "kind": "weekly"},
                      content_type="application/json")
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]
    bad = client.post("/api/pack-schedules/", {"name": "Exec", "kind": "executive",
                                               "formats": ["xlsx"]},
                      content_type="application/json")
    assert bad.status_code == 400 and "formats" in bad.json()["errors"]
    client.force_login(viewer)
    assert client.post("/api/pack-schedules/", {"name": "Exec"},
                       content_type="application/json").status_code == 403
    assert client.get("/api/pack-schedules/").status_code == 200
