"""The calendar API: CRUD, preview, holiday sources, permissions per role, query counts."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from core.calendars import holidays_generate
from core.choices import Role
from core.models import BusinessCalendar, Holiday, HolidayFeed, SlaClock
from tests.core.test_calendars import CHRISTMAS_ICS, make_calendar, serve

pytestmark = pytest.mark.django_db

OFFICE_HOURS_JSON = [{"weekday": day, "start": "09:00", "end": "17:00"} for day in range(5)]
READ_ONLY_ROLES = [Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
                   Role.FINANCE, Role.VIEWER]


@pytest.fixture
def calendar(manager):
    return make_calendar(manager)


def url(calendar=None, action=None):
    if calendar is None:
        return "/api/calendars/"
    return f"/api/calendars/{calendar.pk}/" + (f"{action}/" if action else "")


# --- Reading -------------------------------------------------------------------------------


def test_viewer_lists_calendars_with_hours_and_holiday_count(api_as, viewer, calendar, manager):
    holidays_generate(calendar=calendar, country="GB", subdivision="ENG", year_from=2026,
                      year_to=2026, by=manager)
    response = api_as(viewer).get(url())
    assert response.status_code == 200
    by_name = {c["name"]: c for c in response.json()["results"]}
    assert set(by_name) == {"24×7", "UK office"}
    office = by_name["UK office"]
    assert office["time_zone"] == "Europe/London"
    assert office["working_hours"] == OFFICE_HOURS_JSON
    assert office["holiday_count"] == 9
    assert office["feeds"][0]["label"] == "GB-ENG 2026–2026"
    assert by_name["24×7"]["is_builtin"] is True


def test_calendar_list_query_count_does_not_grow(api_client, viewer, manager,
                                                 django_assert_num_queries):
    def fresh_viewer():
        # A fresh user object each time, as in a real request (no permission cache).
        api_client.force_authenticate(type(viewer).objects.get(pk=viewer.pk))

    def add_calendars(names):
        for name in names:
            calendar = make_calendar(manager, name=name)
            holidays_generate(calendar=calendar, country="GB", year_from=2026, year_to=2026,
                              by=manager)

    add_calendars(["A", "B"])
    # 2 permission lookups, count, page with holiday counts, hours of the page, feeds of the page
    fresh_viewer()
    with django_assert_num_queries(6):
        assert len(api_client.get(url()).json()["results"]) == 3
    add_calendars(["C", "D", "E", "F", "G", "H"])
    fresh_viewer()
    with django_assert_num_queries(6):
        assert len(api_client.get(url()).json()["results"]) == 9


def test_holidays_are_listed_per_calendar(api_as, viewer, manager, calendar):
    other = make_calendar(manager, name="US office", time_zone="America/New_York")
    holidays_generate(calendar=calendar, country="GB", subdivision="ENG", year_from=2026,
                      year_to=2026, by=manager)
    holidays_generate(calendar=other, country="US", year_from=2026, year_to=2026, by=manager)

    response = api_as(viewer).get("/api/holidays/", {"calendar": calendar.pk, "page_size": 100})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["calendar"] for row in rows} == {calendar.pk}
    assert {"date": "2026-12-25", "name": "Christmas Day", "source": "country"}.items() <= \
        next(r for r in rows if r["date"] == "2026-12-25").items()


# --- Writing ---------------------------------------------------------------------------------


def test_manager_creates_a_calendar_with_hours(api_as, manager):
    response = api_as(manager).post(url(), {
        "name": "Night desk", "time_zone": "America/New_York",
        "working_hours": [{"weekday": day, "start": "22:00", "end": "06:00"} for day in range(5)],
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["working_hours"][0] == {"weekday": 0, "start": "22:00", "end": "06:00"}
    assert body["holiday_count"] == 0
    calendar = BusinessCalendar.objects.get(name="Night desk")
    assert calendar.working_hours.count() == 5
    record = calendar.history.get()
    assert (record.history_user, record.history_change_reason) == (
        manager, "Created through the API")


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"working_hours": []}, "working_hours", "needs working hours on at least one day"),
        ({"working_hours": [{"weekday": 0, "start": "09:00", "end": "17:00"},
                            {"weekday": 0, "start": "12:00", "end": "18:00"}]},
         "working_hours",
         "Working hours overlap: Monday 09:00–17:00 and Monday 12:00–18:00."),
        ({"working_hours": [{"weekday": 6, "start": "22:00", "end": "06:00"},
                            {"weekday": 0, "start": "05:00", "end": "09:00"}]},
         "working_hours", "Sunday 22:00–06:00 and Monday 05:00–09:00"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "'Mars/Olympus' is not a known IANA"),
        ({"name": "24×7"}, "name", "already exists"),
        ({"name": ""}, "name", "may not be blank"),
    ],
)
def test_bad_calendar_input_is_400_naming_the_problem(api_as, manager, payload, field, message):
    data = {"name": "Bad", "time_zone": "UTC", "working_hours": OFFICE_HOURS_JSON, **payload}
    response = api_as(manager).post(url(), data)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["detail"]
    assert message in " ".join(body["errors"][field])
    assert not BusinessCalendar.objects.filter(name="Bad").exists()


def test_a_bad_weekday_is_named_in_its_row(api_as, manager):
    response = api_as(manager).post(url(), {
        "name": "Bad", "time_zone": "UTC",
        "working_hours": [{"weekday": 9, "start": "09:00", "end": "nine"}],
    })
    assert response.status_code == 400
    row = response.json()["errors"]["working_hours"]["0"]  # keyed by the row's index
    assert row["weekday"] == ["Ensure this value is less than or equal to 6."]
    assert "Time has wrong format" in row["end"][0]


def test_patch_without_hours_keeps_them_and_put_replaces_them(api_as, manager, calendar):
    client = api_as(manager)
    response = client.patch(url(calendar), {"description": "Main office"})
    assert response.status_code == 200
    assert response.json()["working_hours"] == OFFICE_HOURS_JSON
    assert calendar.history.order_by("-history_id").first().history_change_reason == \
        "Changed through the API: description"

    response = client.put(url(calendar), {
        "name": "UK office", "time_zone": "Europe/London",
        "working_hours": [{"weekday": 5, "start": "10:00", "end": "14:00"}],
    })
    assert response.status_code == 200
    assert response.json()["working_hours"] == [{"weekday": 5, "start": "10:00", "end": "14:00"}]
    assert calendar.working_hours.count() == 1


def test_a_patch_with_an_incomplete_range_is_400_naming_what_it_lacks(api_as, manager,
                                                                      calendar):
    # A PATCH does not make a range's own fields optional: it replaces all the hours
    # (it was a KeyError, a 500, found by schemathesis).
    response = api_as(manager).patch(url(calendar), {
        "working_hours": [{"weekday": 5, "end": "14:00"}]})

    assert response.status_code == 400
    assert response.json()["errors"]["working_hours"] == {  # keyed by the row's index
        "0": {"start": ["This field is required."]}}
    assert calendar.working_hours.count() == 5


def test_an_overlapping_update_changes_nothing(api_as, manager, calendar):
    response = api_as(manager).patch(url(calendar), {
        "name": "Renamed",
        "working_hours": [{"weekday": 0, "start": "09:00", "end": "17:00"},
                          {"weekday": 0, "start": "16:00", "end": "18:00"}],
    })
    assert response.status_code == 400
    calendar.refresh_from_db()
    assert calendar.name == "UK office"
    assert calendar.working_hours.count() == 5


def test_manager_deletes_a_calendar(api_as, manager, calendar):
    response = api_as(manager).delete(url(calendar))
    assert response.status_code == 204
    assert not BusinessCalendar.objects.filter(pk=calendar.pk).exists()
    gone = BusinessCalendar.history.filter(id=calendar.pk, history_type="-").get()
    assert gone.history_change_reason == "Deleted through the API"


def test_the_builtin_calendar_cannot_be_deleted_409(api_as, manager):
    builtin = BusinessCalendar.objects.get(is_builtin=True)
    response = api_as(manager).delete(url(builtin))
    assert response.status_code == 409
    assert response.json() == {
        "status": 409, "code": "builtin_calendar",
        "detail": "'24×7' is built in and cannot be deleted.", "errors": {},
    }
    assert BusinessCalendar.objects.filter(pk=builtin.pk).exists()


def test_a_calendar_in_use_cannot_be_deleted_409(api_as, manager, calendar):
    SlaClock.objects.create(
        content_type=ContentType.objects.get_for_model(BusinessCalendar), object_id=calendar.pk,
        kind="test", calendar=calendar, target=timedelta(hours=4),
        started_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
    )
    response = api_as(manager).delete(url(calendar))
    assert response.status_code == 409
    assert response.json()["code"] == "calendar_in_use"
    assert "used by SLA clocks" in response.json()["detail"]


# --- Preview ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        ("2026-01-09T16:30:00+00:00", "02:00:00", "2026-01-12T10:30:00Z"),
        ("2026-01-09T16:30:00Z", "PT2H", "2026-01-12T10:30:00Z"),
        # Summer: the answer carries the calendar's offset (BST).
        ("2026-07-10T15:30:00Z", "PT2H", "2026-07-13T10:30:00+01:00"),
        # No offset: the calendar's wall clock.
        ("2026-07-10T16:30:00", "PT2H", "2026-07-13T10:30:00+01:00"),
        # A day of business time is 24 business hours: three office days and a half-hour.
        ("2026-01-09T16:30:00+00:00", "P1D", "2026-01-14T16:30:00Z"),
    ],
)
def test_preview_answers_the_due_instant(api_as, viewer, calendar, start, duration, due):
    response = api_as(viewer).post(url(calendar, "preview"), {"start": start,
                                                              "duration": duration})
    assert response.status_code == 200, response.json()
    body = response.json()
    expected = datetime.fromisoformat(due.replace("Z", "+00:00"))
    assert datetime.fromisoformat(body["due_at"]) == expected
    assert body["due_at"].endswith(due[-6:] if "+" in due else "Z")  # DRF writes UTC as Z
    assert body["calendar_time_zone"] == "Europe/London"


def test_preview_reports_where_counting_starts(api_as, viewer, calendar):
    body = api_as(viewer).post(url(calendar, "preview"), {
        "start": "2026-01-10T12:00:00+00:00", "duration": "01:00:00"}).json()
    assert body["next_open_at"] == "2026-01-12T09:00:00Z"
    assert body["due_at"] == "2026-01-12T10:00:00Z"
    assert body["duration"] == "01:00:00"
    assert body["wall_clock_span"] == "1 22:00:00"


def test_preview_refuses_instants_before_the_plausible_range(api_as, viewer, manager):
    # New York kept local mean time (UTC−04:56:02) until 1883, an offset RFC 3339 cannot
    # write; such instants are outside the plausible dates (core/validation.py) anyway.
    new_york = make_calendar(manager, name="New York", time_zone="America/New_York")
    response = api_as(viewer).post(url(new_york, "preview"), {
        "start": "1850-01-07T12:00:00Z", "duration": "PT2H"})

    assert response.status_code == 400
    assert "from 2000-01-01" in response.json()["errors"]["start"][0]


def test_preview_instants_keep_the_calendars_offset(api_as, viewer, manager):
    new_york = make_calendar(manager, name="New York", time_zone="America/New_York")
    body = api_as(viewer).post(url(new_york, "preview"), {
        "start": "2026-01-07T12:00:00Z", "duration": "PT2H"}).json()

    assert body["start"] == "2026-01-07T07:00:00-05:00"


@pytest.mark.parametrize(("typed", "read_as"), [
    # London springs forward at 01:00 UTC on 29 March 2026: 01:30 is never shown, and
    # means the instant the gap ends (02:00 BST) — the engine's rule, not UTC.
    ("2026-03-29T01:30:00", "2026-03-29T02:00:00+01:00"),
    # It falls back at 01:00 UTC on 25 October: 01:30 comes twice; the first is meant.
    ("2026-10-25T01:30:00", "2026-10-25T01:30:00+01:00"),
])
def test_a_time_without_offset_in_a_gap_or_fold_follows_the_engines_rule(
        api_as, viewer, calendar, typed, read_as):
    response = api_as(viewer).post(url(calendar, "preview"), {"start": typed,
                                                              "duration": "PT1H"})
    assert response.status_code == 200, response.json()
    assert response.json()["start"] == read_as


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"duration": "PT2H"}, "start"),
        ({"start": "Friday", "duration": "PT2H"}, "start"),
        ({"start": "2026-01-09T16:30:00Z", "duration": "two hours"}, "duration"),
        ({"start": "2026-01-09T16:30:00Z", "duration": "-01:00:00"}, "duration"),
    ],
)
def test_bad_preview_input_is_400_naming_the_field(api_as, viewer, calendar, payload, field):
    response = api_as(viewer).post(url(calendar, "preview"), payload)
    assert response.status_code == 400
    assert field in response.json()["errors"]


# --- Holiday sources ---------------------------------------------------------------------------


def test_manager_generates_public_holidays(api_as, manager, calendar):
    client = api_as(manager)
    payload = {"country": "GB", "subdivision": "ENG", "year_from": 2026, "year_to": 2026}
    response = client.post(url(calendar, "generate-holidays"), payload)
    assert response.status_code == 200
    assert response.json()["holiday_count"] == 9
    assert calendar.holidays.filter(date=date(2026, 12, 25), name="Christmas Day").exists()
    client.post(url(calendar, "generate-holidays"), payload)
    assert calendar.holidays.count() == 9


def test_an_unknown_country_is_400_naming_it(api_as, manager, calendar):
    response = api_as(manager).post(url(calendar, "generate-holidays"), {
        "country": "ZZ", "year_from": 2026, "year_to": 2026})
    assert response.status_code == 400
    assert "'ZZ' is not a two-letter country code" in response.json()["errors"]["country"][0]


def test_manager_imports_an_uploaded_ics_file(api_as, manager, calendar):
    upload = SimpleUploadedFile("closures.ics", CHRISTMAS_ICS, content_type="text/calendar")
    response = api_as(manager).post(url(calendar, "import-ics"), {"file": upload},
                                    format="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["kind"], body["name"], body["holiday_count"]) == ("ics_file", "closures.ics", 3)
    eve = calendar.holidays.get(date=date(2026, 12, 24))
    assert (eve.closed_from, eve.closed_until) == (time(13), None)


def test_manager_imports_ics_from_an_address(api_as, manager, calendar):
    with serve(CHRISTMAS_ICS) as address:
        response = api_as(manager).post(url(calendar, "import-ics"),
                                        {"url": address, "name": "Office closures"})
    assert response.status_code == 200, response.json()
    assert response.json()["kind"] == "ics_url"
    feed = HolidayFeed.objects.get(calendar=calendar)
    assert (feed.url, feed.name, feed.holiday_count) == (address, "Office closures", 3)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({}, "non_field_errors", "Send either an ICS file or a url"),
        ({"url": "not an address"}, "url", "Enter a valid URL."),
        ({"url": "ftp://example.com/x.ics"}, "url", "Only http:// and https:// ICS addresses"),
        ({"url": "http://127.0.0.1:1/closed.ics"}, "url", "Cannot read http://127.0.0.1:1/"),
        ({"file": b"no calendar here"}, "ics", "This is not a readable ICS calendar"),
    ],
)
def test_a_bad_import_is_400_naming_the_problem(api_as, manager, calendar, payload, field,
                                                message):
    if "file" in payload:
        payload = {"file": SimpleUploadedFile("x.ics", payload["file"])}
    response = api_as(manager).post(url(calendar, "import-ics"), payload, format="multipart")
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not calendar.holidays.exists()


# --- Manual holidays ----------------------------------------------------------------------------


def test_manager_adds_changes_and_deletes_a_manual_holiday(api_as, manager, calendar):
    client = api_as(manager)
    response = client.post("/api/holidays/", {"calendar": calendar.pk, "date": "2026-01-09",
                                              "name": "Offsite", "closed_from": "13:00"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"], body["is_partial"], body["closed_from"]) == ("manual", True, "13:00")

    holiday_url = f"/api/holidays/{body['id']}/"
    assert client.patch(holiday_url, {"name": "Team offsite"}).status_code == 200
    assert Holiday.objects.get(pk=body["id"]).name == "Team offsite"
    assert client.delete(holiday_url).status_code == 204
    assert not calendar.holidays.exists()


def test_a_reversed_closure_is_400_on_closed_until(api_as, manager, calendar):
    response = api_as(manager).post("/api/holidays/", {
        "calendar": calendar.pk, "date": "2026-01-09", "name": "Oops",
        "closed_from": "15:00", "closed_until": "10:00"})
    assert response.status_code == 400
    assert "must be later than closed from 15:00" in response.json()["errors"]["closed_until"][0]


def test_a_generated_holiday_is_refused_409(api_as, manager, calendar):
    holidays_generate(calendar=calendar, country="GB", subdivision="ENG", year_from=2026,
                      year_to=2026, by=manager)
    christmas = calendar.holidays.get(date=date(2026, 12, 25))
    client = api_as(manager)
    for response in (client.delete(f"/api/holidays/{christmas.pk}/"),
                     client.patch(f"/api/holidays/{christmas.pk}/", {"name": "Xmas"})):
        assert response.status_code == 409
        assert response.json()["code"] == "feed_holiday"
        assert "comes from the feed 'GB-ENG 2026–2026'" in response.json()["detail"]
    assert calendar.holidays.get(pk=christmas.pk).name == "Christmas Day"


# --- Permissions -------------------------------------------------------------------------------


def _requests(calendar, holiday):
    """(name, method, path, payload, format) for every calendar endpoint."""
    return [
        ("list", "get", url(), None, None),
        ("retrieve", "get", url(calendar), None, None),
        ("preview", "post", url(calendar, "preview"),
         {"start": "2026-01-09T16:30:00Z", "duration": "PT2H"}, None),
        ("holidays", "get", "/api/holidays/", None, None),
        ("create", "post", url(), {"name": "New", "time_zone": "UTC",
                                   "working_hours": OFFICE_HOURS_JSON}, None),
        ("update", "patch", url(calendar), {"description": "x"}, None),
        ("generate", "post", url(calendar, "generate-holidays"),
         {"country": "GB", "year_from": 2026, "year_to": 2026}, None),
        ("import", "post", url(calendar, "import-ics"),
         {"file": SimpleUploadedFile("c.ics", CHRISTMAS_ICS)}, "multipart"),
        ("add holiday", "post", "/api/holidays/",
         {"calendar": calendar.pk, "date": "2026-02-02", "name": "Closed"}, None),
        ("delete holiday", "delete", f"/api/holidays/{holiday.pk}/", None, None),
        ("delete", "delete", url(calendar), None, None),
    ]


MANAGER_STATUS = {"list": 200, "retrieve": 200, "preview": 200, "holidays": 200, "create": 201,
                  "update": 200, "generate": 200, "import": 200, "add holiday": 201,
                  "delete holiday": 204, "delete": 204}
READS = {"list", "retrieve", "preview", "holidays"}


@pytest.mark.parametrize("role", [Role.MANAGER, *READ_ONLY_ROLES, None])
def test_permissions_per_role(api_client, make_user, manager, calendar, role):
    holiday = Holiday.objects.create(calendar=calendar, date=date(2026, 3, 2), name="Closed")
    if role is not None:
        api_client.force_authenticate(make_user(role))
    for name, method, path, payload, fmt in _requests(calendar, holiday):
        response = getattr(api_client, method)(path, payload, format=fmt)
        if role is None:
            expected = 403  # not signed in
        elif role == Role.MANAGER:
            expected = MANAGER_STATUS[name]
        else:
            expected = 200 if name in READS else 403
        assert response.status_code == expected, (role, name, response.content)


def test_schema_documents_the_calendar_endpoints(api_as, viewer):
    response = api_as(viewer).get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = response.json()["paths"]
    for path in ["/api/calendars/", "/api/calendars/{id}/preview/",
                 "/api/calendars/{id}/generate-holidays/", "/api/calendars/{id}/import-ics/",
                 "/api/holidays/"]:
        assert path in paths
    preview = paths["/api/calendars/{id}/preview/"]["post"]
    assert "falls due" in preview["description"]
