"""The calendar admin: hours inline validated by the service, holiday actions, deletion."""

from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.calendars import holidays_generate
from core.choices import HolidayFeedKind, Role
from core.models import BusinessCalendar, Holiday, HolidayFeed
from tests.core.test_calendars import CHRISTMAS_ICS, make_calendar, serve

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:core_businesscalendar_changelist")
ADD = reverse("admin:core_businesscalendar_add")


def management(prefix, total, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def add_form(name, hours, time_zone="Europe/London"):
    """The admin add form as a browser posts it, with one inline row per range."""
    data = {"name": name, "time_zone": time_zone, "description": "",
            **management("working_hours", len(hours)), **management("holidays", 0),
            **management("feeds", 0)}
    for i, (weekday, start, end) in enumerate(hours):
        data |= {f"working_hours-{i}-weekday": weekday, f"working_hours-{i}-start": start,
                 f"working_hours-{i}-end": end}
    return data


@pytest.fixture
def admin_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def calendar(manager):
    return make_calendar(manager)


# --- Creating and editing ------------------------------------------------------------------


def test_manager_creates_a_calendar_with_hours(admin_client, manager):
    assert 'name="working_hours-6-weekday"' in admin_client.get(ADD).content.decode()
    response = admin_client.post(ADD, add_form(
        "Night desk", [(day, "22:00", "06:00") for day in range(5)], "America/New_York"))
    assert response.status_code == 302, response.context["errors"]
    calendar = BusinessCalendar.objects.get(name="Night desk")
    assert calendar.time_zone == "America/New_York"
    assert [(h.weekday, h.start, h.end) for h in calendar.working_hours.all()] == [
        (day, time(22), time(6)) for day in range(5)]
    record = calendar.history.get()
    assert (record.history_user, record.history_change_reason) == (manager, "Created in admin")
    assert all(h.history_user == manager for h in calendar.working_hours.model.history.all())


def test_overlapping_inline_hours_are_refused_with_the_message(admin_client):
    response = admin_client.post(ADD, add_form(
        "Clash", [(0, "09:00", "17:00"), (0, "16:00", "20:00")]))
    assert response.status_code == 200
    assert "Working hours overlap: Monday 09:00–17:00 and Monday 16:00–20:00." in \
        response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Clash").exists()


def test_a_week_without_hours_is_refused(admin_client):
    response = admin_client.post(ADD, add_form("Empty", []))
    assert response.status_code == 200
    assert "A calendar needs working hours on at least one day" in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Empty").exists()


def test_an_unknown_time_zone_is_refused(admin_client):
    response = admin_client.post(ADD, add_form("Mars", [(0, "09:00", "17:00")], "Mars/Base"))
    assert response.status_code == 200
    # The zone is picked from the list of IANA zones; anything else is not one of them.
    assert "Select a valid choice. Mars/Base is not one of the available choices." in \
        response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Mars").exists()


def test_editing_removes_a_range_and_says_why(admin_client, manager, calendar):
    hours = list(calendar.working_hours.all())
    data = {"name": "UK office", "time_zone": "Europe/London", "description": "",
            **management("working_hours", len(hours), len(hours)),
            **management("holidays", 0), **management("feeds", 0)}
    for i, h in enumerate(hours):
        data |= {f"working_hours-{i}-id": h.pk, f"working_hours-{i}-calendar": calendar.pk,
                 f"working_hours-{i}-weekday": h.weekday, f"working_hours-{i}-start": "09:00",
                 f"working_hours-{i}-end": "17:00"}
    data["working_hours-4-DELETE"] = "on"  # no more Fridays

    response = admin_client.post(
        reverse("admin:core_businesscalendar_change", args=[calendar.pk]), data)

    assert response.status_code == 302
    assert sorted(calendar.working_hours.values_list("weekday", flat=True)) == [0, 1, 2, 3]
    latest = calendar.history.order_by("-history_id").first()
    assert latest.history_change_reason == "Changed in admin: working hours"
    assert latest.history_user == manager


def test_the_change_page_lists_hours_holidays_and_feeds(admin_client, manager, calendar):
    holidays_generate(calendar=calendar, country="GB", subdivision="ENG",
                      year_from=date.today().year, year_to=date.today().year + 1, by=manager)
    html = admin_client.get(
        reverse("admin:core_businesscalendar_change", args=[calendar.pk])).content.decode()
    assert "Christmas Day" in html
    assert f"GB-ENG {date.today().year}–{date.today().year + 1}" in html
    changelist = admin_client.get(CHANGELIST, {"time_zone": "Europe/London"}).content.decode()
    assert "Mon–Fri 09:00–17:00" in changelist


# --- Holiday actions ------------------------------------------------------------------------


def test_generate_action_asks_then_creates_uk_bank_holidays(admin_client, calendar):
    ask = admin_client.post(CHANGELIST, {"action": "generate_holidays",
                                         "_selected_action": [calendar.pk]})
    assert ask.status_code == 200
    assert "Generate public holidays" in ask.content.decode()
    assert 'name="country"' in ask.content.decode()

    response = admin_client.post(CHANGELIST, {
        "action": "generate_holidays", "_selected_action": [calendar.pk], "apply": "1",
        "country": "GB", "subdivision": "ENG", "year_from": "2026", "year_to": "2026",
    }, follow=True)

    assert response.redirect_chain[-1][0].startswith(CHANGELIST)
    assert "UK office: 9 public holidays from GB-ENG 2026–2026." in response.content.decode()
    assert calendar.holidays.filter(date=date(2026, 12, 25), name="Christmas Day").exists()
    assert calendar.holidays.filter(date=date(2026, 8, 31),
                                    name="Late Summer Bank Holiday").exists()


def test_generate_action_shows_the_services_error_and_keeps_the_form(admin_client, calendar):
    response = admin_client.post(CHANGELIST, {
        "action": "generate_holidays", "_selected_action": [calendar.pk], "apply": "1",
        "country": "GB", "subdivision": "XX", "year_from": "2026", "year_to": "2026",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "UK office: GB has no subdivision &#x27;XX&#x27;." in html
    assert 'value="XX"' in html  # the form is shown again with what was typed
    assert not calendar.holidays.exists()


def test_import_action_reads_an_uploaded_file(admin_client, calendar):
    response = admin_client.post(CHANGELIST, {
        "action": "import_ics", "_selected_action": [calendar.pk], "apply": "1",
        "file": SimpleUploadedFile("closures.ics", CHRISTMAS_ICS, content_type="text/calendar"),
        "url": "", "name": "",
    }, follow=True)
    assert "UK office: 3 closures imported from closures.ics." in response.content.decode()
    eve = calendar.holidays.get(date=date(2026, 12, 24))
    assert (eve.name, eve.closed_from) == ("Christmas Eve afternoon", time(13))


def test_import_action_reads_an_address(admin_client, calendar):
    with serve(CHRISTMAS_ICS) as address:
        response = admin_client.post(CHANGELIST, {
            "action": "import_ics", "_selected_action": [calendar.pk], "apply": "1",
            "url": address, "name": "Office closures",
        }, follow=True)
    assert "UK office: 3 closures imported from Office closures." in response.content.decode()
    feed = HolidayFeed.objects.get(calendar=calendar)
    assert (feed.kind, feed.url) == (HolidayFeedKind.ICS_URL, address)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"file": SimpleUploadedFile("bad.ics", b"garbage")},
         "UK office: This is not a readable ICS calendar"),
        ({"url": "http://127.0.0.1:1/closed.ics"}, "Could not read http://127.0.0.1:1/closed.ics"),
        ({}, "Give either an ICS file or an address, not both."),
    ],
)
def test_import_action_errors_are_messages_not_500s(admin_client, calendar, fields, message):
    response = admin_client.post(CHANGELIST, {
        "action": "import_ics", "_selected_action": [calendar.pk], "apply": "1", **fields})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not calendar.holidays.exists()


def test_a_read_only_staff_role_gets_no_actions(client, make_user, calendar):
    client.force_login(make_user(Role.VENDOR_MANAGER, is_staff=True))
    html = client.get(CHANGELIST).content.decode()
    assert "UK office" in html
    assert "generate_holidays" not in html
    assert client.get(ADD).status_code == 403


# --- Deleting --------------------------------------------------------------------------------


def test_the_builtin_calendar_cannot_be_deleted(admin_client):
    builtin = BusinessCalendar.objects.get(is_builtin=True)
    assert admin_client.get(
        reverse("admin:core_businesscalendar_delete", args=[builtin.pk])).status_code == 403
    # Nor through the bulk action.
    admin_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [builtin.pk],
                                   "post": "yes"})
    assert BusinessCalendar.objects.filter(pk=builtin.pk).exists()


def test_a_calendar_with_generated_holidays_is_deleted_with_them(admin_client, manager, calendar):
    holidays_generate(calendar=calendar, country="GB", year_from=2026, year_to=2026, by=manager)
    response = admin_client.post(
        reverse("admin:core_businesscalendar_delete", args=[calendar.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not BusinessCalendar.objects.filter(pk=calendar.pk).exists()
    assert not Holiday.objects.filter(calendar_id=calendar.pk).exists()
    gone = BusinessCalendar.history.filter(id=calendar.pk, history_type="-").get()
    assert (gone.history_user, gone.history_change_reason) == (manager, "Deleted in admin")


# --- Holidays and feeds ------------------------------------------------------------------------


def test_a_manual_holiday_with_a_reversed_closure_is_refused(admin_client, calendar):
    response = admin_client.post(reverse("admin:core_holiday_add"), {
        "calendar": calendar.pk, "date": "2026-01-09", "name": "Oops",
        "closed_from": "15:00", "closed_until": "10:00"})
    assert response.status_code == 200
    assert "must be later than closed from 15:00" in response.content.decode()
    assert not Holiday.objects.exists()


def test_a_manual_holiday_is_added_through_the_service(admin_client, manager, calendar):
    response = admin_client.post(reverse("admin:core_holiday_add"), {
        "calendar": calendar.pk, "date": "2026-01-09", "name": "Offsite", "closed_from": "13:00",
        "closed_until": ""})
    assert response.status_code == 302
    holiday = Holiday.objects.get()
    assert holiday.source == "manual"
    record = holiday.history.get()
    assert (record.history_user, record.history_change_reason) == (manager, "Created in admin")


def test_generated_holidays_are_read_only_and_their_feed_can_be_deleted(admin_client, manager,
                                                                       calendar):
    feed = holidays_generate(calendar=calendar, country="GB", subdivision="ENG", year_from=2026,
                             year_to=2026, by=manager)
    christmas = calendar.holidays.get(date=date(2026, 12, 25))
    change = reverse("admin:core_holiday_change", args=[christmas.pk])
    assert admin_client.post(change, {"calendar": calendar.pk, "date": "2026-12-25",
                                      "name": "Xmas"}).status_code == 403
    assert admin_client.get(
        reverse("admin:core_holiday_delete", args=[christmas.pk])).status_code == 403
    assert admin_client.get(reverse("admin:core_holiday_changelist"),
                            {"calendar__id__exact": calendar.pk}).status_code == 200

    response = admin_client.post(reverse("admin:core_holidayfeed_delete", args=[feed.pk]),
                                 {"post": "yes"})
    assert response.status_code == 302
    assert not calendar.holidays.exists()


def test_refreshing_a_feed_reports_the_outcome(admin_client, manager, calendar):
    with serve(CHRISTMAS_ICS) as address:
        admin_client.post(CHANGELIST, {"action": "import_ics", "_selected_action": [calendar.pk],
                                       "apply": "1", "url": address})
        feed = HolidayFeed.objects.get()
        ok = admin_client.post(reverse("admin:core_holidayfeed_changelist"),
                               {"action": "refresh_now", "_selected_action": [feed.pk]},
                               follow=True)
    # The admin capitalises the first letter of a message ("Http://…").
    assert f"{address[1:]}: refreshed." in ok.content.decode()
    # The server has gone: the error is reported and the holidays are kept.
    failed = admin_client.post(reverse("admin:core_holidayfeed_changelist"),
                               {"action": "refresh_now", "_selected_action": [feed.pk]},
                               follow=True)
    assert "Connection refused" in failed.content.decode()
    assert calendar.holidays.count() == 3
