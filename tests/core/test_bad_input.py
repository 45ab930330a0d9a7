"""Bad input is a clear 400 naming the field, never a 500 (issue 11, item 5).

First one test per kind of bad input the issue lists, on the API and on the pages;
then a fuzz over every operation of the API schema, every filter page and every form,
asserting nothing answers 500 (``tests/nasty_input.py``). The same fuzz runs on
PostgreSQL in ``tests/integration/test_bad_input_postgres.py``, where NUL characters
and wide UTC offsets fail inside the database.
"""

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from core import business_time
from core.calendars import parse_ics
from core.models import BusinessCalendar
from core.validation import plausible_range_text, validate_time_zone
from tests import nasty_input

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "Null characters are not allowed."
OFFSET_MESSAGE = "Use a UTC offset between -14:00 and +14:00 (the widest any time zone uses)."
DURATION_MESSAGE = "Enter a duration of at most 3653 days (ten years)."
LONDON = ZoneInfo("Europe/London")


def range_message():
    return f"Enter a date {plausible_range_text()}."


def assert_invalid(response, field, message=None):
    """The API's one error body: 400, ``invalid``, the field named with the message."""
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert set(body) >= {"status", "code", "detail", "errors"}
    assert body["status"] == 400
    assert field in body["errors"], body
    assert field in body["detail"]
    if message is not None:
        assert message in body["errors"][field], body["errors"]
    return body


@pytest.fixture
def world():
    return nasty_input.build_world()


@pytest.fixture
def api(world, api_client):
    api_client.force_authenticate(world.user)
    return api_client


@pytest.fixture
def web(world, client):
    client.force_login(world.user)
    return client


def ids(world, name):
    return world.ids[name]


# --- NUL characters ---------------------------------------------------------------------


def test_nul_in_a_filter_is_a_400_naming_the_parameter(api):
    assert_invalid(api.get("/api/incidents/?severity=%00"), "severity", NUL_MESSAGE)


@pytest.mark.parametrize(("path", "field", "body"), [
    ("/api/playbooks/{playbooks}/rules/", "min_severity", {"min_severity": "SEV2\x00"}),
    ("/api/escalations/{escalations}/link-incident/", "incident", {"incident": "\x00"}),
    ("/api/escalations/{escalations}/unlink-incident/", "incident", {"incident": "INC\x00"}),
    ("/api/incidents/", "channels", {"title": "Chat down", "channels": ["chat", "\x00"]}),
])
def test_nul_in_a_json_field_is_a_400_naming_it(api, world, path, field, body):
    response = api.post(path.format(**world.ids), body, format="json")
    assert_invalid(response, field, NUL_MESSAGE)


def test_nul_in_a_lookup_in_the_path_is_a_400_naming_it(api):
    assert_invalid(api.get("/api/severities/SEV2%00/"), "key", NUL_MESSAGE)


def test_nul_in_a_page_parameter_is_a_400_page_naming_it(web):
    response = web.get("/incidents/declare/?channel=%00")
    assert response.status_code == 400
    html = response.content.decode()
    assert "channel" in html
    assert NUL_MESSAGE in html


def test_nul_in_a_form_field_is_a_400_page_naming_it(web, world):
    response = web.post(f"/escalations/{ids(world, 'escalations')}/actions/link/",
                        {"incident": "INC\x00"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "incident" in html
    assert NUL_MESSAGE in html


# --- A body over the upload limit ---------------------------------------------------------


def test_a_json_body_over_the_limit_is_the_api_error_body(api):
    body = json.dumps({"title": "x" * (3 * 1024 * 1024)})
    response = api.post("/api/incidents/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    error = response.json()
    assert (error["status"], error["code"], error["errors"]) == (413, "too_large", {})
    assert "2.5 MB" in error["detail"]


def test_a_form_over_the_limit_is_a_page_saying_the_limit(web):
    response = web.post("/incidents/declare/", {"title": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "2.5 MB" in response.content.decode()


# --- UTC offsets --------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "parameter"), [
    ("/api/incidents/", "declared_after"),
    ("/api/incidents/", "declared_before"),
    ("/api/escalations/", "created_after"),
])
def test_an_offset_no_zone_uses_is_refused_in_a_date_filter(api, path, parameter):
    response = api.get(path, {parameter: "2026-01-01T00:00:00+23:00"})
    assert_invalid(response, parameter, OFFSET_MESSAGE)


def test_an_offset_no_zone_uses_is_refused_in_a_body(api, world):
    response = api.post(f"/api/incidents/{ids(world, 'incidents')}/correct-timestamp/", {
        "field": "declared_at", "value": "2026-01-01T00:00:00+15:00", "reason": "Earlier"})
    assert_invalid(response, "value", OFFSET_MESSAGE)


# --- Ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "parameter", "value"), [
    ("/api/incidents/", "commander", "¹"),
    ("/api/action-items/", "owner", "¹"),
    ("/api/escalations/", "owner", "¹"),
    ("/api/escalations/", "owner", str(10**30)),
    ("/api/action-items/", "incident", str(10**30)),
    ("/api/escalations/", "customer", "¹"),
    ("/api/playbook-runs/", "playbook", str(2**63)),
    ("/api/step-runs/", "run", "¹"),
])
def test_an_id_filter_takes_plain_digits_only(api, path, parameter, value):
    assert_invalid(api.get(path, {parameter: value}), parameter)


@pytest.mark.parametrize("value", ["¹", str(10**30)])
def test_linking_escalations_on_the_incident_page_takes_plain_ids(web, world, value):
    response = web.post(f"/escalations/incidents/{ids(world, 'incidents')}/link/",
                        {"escalations": [value]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_declaring_with_a_huge_channel_id_is_a_form_error(web):
    response = web.post("/incidents/declare/", {"title": "Voice down", "priority": "P2",
                                                "channels": [str(10**30)]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


# --- Time zones -------------------------------------------------------------------------------


@pytest.mark.parametrize("cookie", ["America", "Europe", "x" * 300, "../../etc/passwd"])
def test_a_time_zone_cookie_that_is_no_zone_is_ignored(web, cookie):
    web.cookies["sb_tz"] = cookie
    for page in ["/", "/incidents/", "/escalations/", "/calendars/"]:
        assert web.get(page).status_code == 200, page


@pytest.mark.parametrize("name", ["Europe", "America", "x" * 300, "Europe/London\x00x", ""])
def test_a_calendar_zone_must_be_a_zone(api, name):
    response = api.post("/api/calendars/", {"name": "Desk", "time_zone": name,
                                            "working_hours": []}, format="json")
    assert_invalid(response, "time_zone")


@pytest.mark.parametrize("name", ["Europe", "America", "x" * 300])
def test_the_calendar_model_refuses_a_folder_of_the_zone_database(name):
    with pytest.raises(ValidationError) as refused:
        BusinessCalendar(name="Desk", time_zone=name).full_clean()
    assert "is not a known IANA time zone" in str(refused.value.message_dict["time_zone"])


def test_the_zone_validator_accepts_real_zones():
    for name in ["UTC", "Europe/London", "America/Argentina/Buenos_Aires"]:
        validate_time_zone(name)


# --- Business time overflow -----------------------------------------------------------------


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"duration": "P999999999D"}, "duration", DURATION_MESSAGE),
    ({"duration": "P9999999999D"}, "duration", DURATION_MESSAGE),
    ({"start": "9999-12-31T23:59:59Z"}, "start", None),
    ({"start": "0001-01-01T00:00:00Z"}, "start", None),
])
def test_a_calendar_preview_out_of_range_is_a_400(api, world, body, field, message):
    response = api.post(f"/api/calendars/{ids(world, 'calendars')}/preview/",
                        {"start": "2026-01-09T16:30:00Z", "duration": "PT2H", **body},
                        format="json")
    assert_invalid(response, field, message or range_message())


def test_the_calendar_page_preview_at_year_9999_is_a_form_error(web, world):
    response = web.get(f"/calendars/{ids(world, 'calendars')}/",
                       {"start": "9999-12-31T23:59", "hours": "10000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert range_message() in html
    assert 'data-testid="preview-result"' not in html


def test_business_time_past_the_year_9999_is_a_value_error():
    always = business_time.BusinessCalendar.always_open("UTC")
    office = business_time.BusinessCalendar("Europe/London", [
        business_time.WorkingRange(day, time(9), time(17)) for day in range(5)])
    start = datetime(9999, 12, 1, tzinfo=UTC)
    for calendar in (always, office):
        with pytest.raises(ValueError, match="after the year 9999"):
            business_time.add_business_time(calendar, start, timedelta(days=60))


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/escalation-policies/", {"name": "Slow", "order": 9,
                                   "first_response": "P999999999D"}, "first_response"),
    ("/api/escalation-policies/", {"name": "Slow", "order": 9, "pause_cap": "P99999D"},
     "pause_cap"),
    ("/api/playbook-versions/{playbook-versions}/steps/",
     {"title": "Call", "due_offset": "P999999999D"}, "due_offset"),
])
def test_a_duration_over_ten_years_is_refused(api, world, path, body, field):
    response = api.post(path.format_map(world.ids), body, format="json")
    assert_invalid(response, field, DURATION_MESSAGE)


def test_a_step_due_after_more_minutes_than_ten_years_is_a_form_error(web, world):
    response = web.post(f"/playbooks/{ids(world, 'playbooks')}/actions/add-step/",
                        {"title": "Call", "due_minutes": str(10**30), "evidence": "none"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a whole number from -5,260,320 to 5,260,320." in body  # ten years, in words
    assert "Ensure this value" not in body


# --- Plausible dates -------------------------------------------------------------------------


@pytest.mark.parametrize("received", ["0001-01-01T00:00:00Z", "1900-01-01T00:00:00Z",
                                      "1999-12-31T23:00:00-02:00"])
def test_an_escalation_received_long_ago_is_refused_saying_the_range(api, world, received):
    body = {**world.bodies["POST /api/escalations/"], "received_at": received}
    assert_invalid(api.post("/api/escalations/", body, format="json"), "received_at",
                   range_message())


def test_an_escalation_received_in_year_one_is_refused_on_the_page(web, world):
    data = {**world.forms["/escalations/new/"], "received_at": "0001-01-01T00:00"}
    response = web.post("/escalations/new/", data)
    assert response.status_code == 400
    assert range_message() in response.content.decode()


def test_the_service_refuses_an_implausible_received_date(world):
    from escalations import services
    from escalations.models import Customer

    with pytest.raises(ValidationError) as refused:
        services.escalation_create(by=world.user, customer=Customer.objects.get(),
                                   category="complaint", priority="P2", summary="Old",
                                   received_at=datetime(1, 1, 1, tzinfo=UTC))
    assert refused.value.message_dict == {"received_at": [range_message()]}


@pytest.mark.parametrize("value", ["1900-01-01T00:00:00Z", "0001-01-01T00:00:00+00:00"])
def test_a_stage_time_corrected_to_long_ago_is_refused(api, world, value):
    response = api.post(f"/api/incidents/{ids(world, 'incidents')}/correct-timestamp/", {
        "field": "declared_at", "value": value, "reason": "Typo"}, format="json")
    assert_invalid(response, "value", range_message())


def test_the_stage_time_service_refuses_an_implausible_time(world):
    from incidents import services
    from incidents.models import Incident

    incident = Incident.objects.get(pk=ids(world, "incidents"))
    with pytest.raises(ValidationError) as refused:
        services.incident_correct_timestamp(incident=incident, by=world.user,
                                            field="declared_at", reason="Typo",
                                            value=datetime(1900, 1, 1, tzinfo=UTC))
    assert refused.value.message_dict == {"declared_at": [range_message()]}


@pytest.mark.parametrize("due", ["9999-12-31", "1900-01-01"])
def test_an_action_item_due_date_out_of_range_is_refused(api, world, due):
    body = {**world.bodies["POST /api/incidents/{id}/action-items/"], "due_date": due}
    response = api.post(f"/api/incidents/{ids(world, 'incidents')}/action-items/", body,
                        format="json")
    assert_invalid(response, "due_date", range_message())
    response = api.patch(f"/api/action-items/{ids(world, 'action-items')}/",
                         {"due_date": due}, format="json")
    assert_invalid(response, "due_date", range_message())


def test_an_action_item_due_in_9999_is_a_form_error_on_the_page(web, world):
    incident = ids(world, "incidents")
    response = web.post(f"/incidents/{incident}/action-items/",
                        {**world.forms[f"/incidents/{incident}/action-items/"],
                         "due_date": "9999-12-31"})
    assert response.status_code == 400
    assert range_message() in response.content.decode()


def test_the_action_item_model_refuses_an_implausible_due_date(world):
    from incidents import services
    from incidents.models import Incident

    with pytest.raises(ValidationError) as refused:
        services.action_item_create(incident=Incident.objects.get(pk=ids(world, "incidents")),
                                    by=world.user, kind="corrective", title="Far",
                                    due_date=date(9999, 12, 31))
    assert refused.value.message_dict == {"due_date": [range_message()]}


@pytest.mark.parametrize(("path", "parameter", "value"), [
    ("/api/incidents/", "declared_after", "1900-01-01T00:00:00Z"),
    ("/api/incidents/", "declared_before", "9999-12-31T23:59:59Z"),
    ("/api/escalations/", "created_before", "0001-01-01T00:00:00+14:00"),
])
def test_a_date_filter_out_of_range_is_refused_saying_the_range(api, path, parameter, value):
    assert_invalid(api.get(path, {parameter: value}), parameter, range_message())


def test_the_incident_list_shows_a_date_filter_out_of_range_as_its_error(web):
    response = web.get("/incidents/", {"declared_to": "9999-12-31"})
    assert response.status_code == 200
    assert range_message() in response.content.decode()


@pytest.mark.parametrize("field", ["final_response_days", "extended_days"])
def test_a_regulatory_regime_longer_than_any_regulator_allows_is_refused(api, world, field):
    body = {**world.bodies["POST /api/regulatory-regimes/"], field: 5000}
    response = api.post("/api/regulatory-regimes/", body, format="json")
    assert_invalid(response, field, "Ensure this value is less than or equal to 1098.")


def test_a_playbook_version_diff_takes_plain_numbers(web, world):
    from playbooks import services
    from playbooks.models import PlaybookVersion

    draft = PlaybookVersion.objects.get(pk=ids(world, "playbook-versions"))
    services.step_save(version=draft, by=world.user, title="Call the carrier back")
    page = f"/playbooks/{ids(world, 'playbooks')}/"
    assert 'data-testid="version-diff"' in web.get(page, {"from": "1", "to": "2"}).content \
        .decode()
    for version in ["٢", "²", "9" * 5000]:  # Arabic-Indic two, superscript two
        response = web.get(page, {"from": "1", "to": version})
        assert response.status_code == 200
        assert 'data-testid="version-diff"' not in response.content.decode()


def test_today_and_ten_years_ahead_are_plausible(api, world):
    today = date.today()
    for due in [today, today.replace(year=today.year + 9)]:
        response = api.patch(f"/api/action-items/{ids(world, 'action-items')}/",
                             {"due_date": due.isoformat()}, format="json")
        assert response.status_code == 200, response.json()


# --- Admin lists -----------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "parameter", "value"), [
    ("escalations/escalation", "created_at__year", str(10**30)),
    ("escalations/escalation", "created_at__year", "9999"),
    ("incidents/statusupdate", "posted_at__gte", "0001-01-01"),
    ("incidents/timelineevent", "at__gte", "2026-01-01T00:00:00+23:00"),
    ("escalations/customer", "created_at__lt", "9999-12-31 00:00:00+00:00"),
])
def test_an_admin_list_refuses_an_implausible_date_filter(web, path, parameter, value):
    response = web.get(f"/admin/{path}/", {parameter: value})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    assert web.get(f"/admin/{path}/", {parameter: value, "e": "1"}).status_code == 200


def test_an_admin_list_keeps_its_plausible_date_filters(web):
    response = web.get("/admin/escalations/escalation/",
                       {"created_at__gte": "2026-01-01 00:00:00+00:00"})
    assert response.status_code == 200


# --- ICS imports ----------------------------------------------------------------------------


def ics(*events):
    body = "".join(f"BEGIN:VEVENT\r\nSUMMARY:{summary}\r\n{dates}END:VEVENT\r\n"
                   for summary, dates in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n".encode()


AUGUST_BANK_HOLIDAY = ("Bank holiday", "DTSTART;VALUE=DATE:20260831\r\n")


@pytest.mark.parametrize("dates", [
    "DTSTART;VALUE=DATE:99991231\r\nDTEND;VALUE=DATE:99991231\r\n",
    "DTSTART:99991231T230000Z\r\nDTEND:99991231T235900Z\r\n",
    "DTSTART;VALUE=DATE:00010101\r\n",
    "DTSTART;VALUE=DATE:19950501\r\n",
])
def test_ics_events_outside_the_plausible_range_are_left_out(dates):
    rows = parse_ics(ics(("Far away", dates), AUGUST_BANK_HOLIDAY), tz=LONDON)
    assert [(row.date, row.name) for row in rows] == [(date(2026, 8, 31), "Bank holiday")]


def test_an_ics_event_in_a_zone_that_is_a_folder_is_refused():
    dates = "DTSTART;TZID=Europe:20261224T130000\r\nDTEND;TZID=Europe:20261224T170000\r\n"
    with pytest.raises(ValidationError) as refused:
        parse_ics(ics(("Christmas Eve", dates)), tz=LONDON)
    assert refused.value.message_dict == {"ics": [
        "This is not a readable ICS calendar: a TZID is not a known IANA time zone."]}


def test_an_ics_event_closing_for_years_is_refused():
    dates = "DTSTART;VALUE=DATE:20000101\r\nDTEND;VALUE=DATE:20360101\r\n"
    with pytest.raises(ValidationError) as refused:
        parse_ics(ics(("Closed", dates)), tz=LONDON)
    assert "The event 'Closed' lasts more than 366 days" in refused.value.messages[0]


def test_the_import_api_answers_a_far_ics_event_without_a_500(api, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("far.ics", ics(
        ("Far away", "DTSTART;VALUE=DATE:99991231\r\n"), AUGUST_BANK_HOLIDAY))
    response = api.post(f"/api/calendars/{ids(world, 'calendars')}/import-ics/",
                        {"file": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["holiday_count"] == 1


# --- The fuzz: nothing answers 500 -------------------------------------------------------


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """One world for the whole module, rolled back at its end (each fuzzed request runs
    in a savepoint of its own on top)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield nasty_input.build_world()
        transaction.set_rollback(True)


@pytest.mark.parametrize("operation", nasty_input.api_operations(), ids=str)
def test_no_api_operation_answers_500_to_nasty_input(shared_world, operation):
    client = nasty_input.fuzz_client(shared_world.user)
    assert nasty_input.fuzz_operation(client, operation, shared_world) == []


def test_every_base_body_of_the_fuzz_is_valid(shared_world):
    """The fuzz spoils one field of a valid body at a time, so the others get past
    validation and the spoiled one reaches the services."""
    client = nasty_input.fuzz_client(shared_world.user)
    operations = {str(op): op for op in nasty_input.api_operations()}
    for key, body in shared_world.bodies.items():
        operation = operations[key]
        status, error = nasty_input.send(
            client, operation.method, nasty_input.concrete_path(operation.path,
                                                                shared_world.ids), body)
        # 409: the body was valid and reached the service, which refused the move in
        # the object's current state (the world's credit is moved by earlier bodies).
        assert status < 400 or status == 409, (key, status, error)
    for url, data in shared_world.forms.items():
        status, error = nasty_input.send_form(client, url, data)
        assert status == 302, (url, status, error)


def test_no_page_answers_500_to_nasty_parameters(shared_world):
    client = nasty_input.fuzz_client(shared_world.user)
    assert nasty_input.fuzz_pages(client, shared_world.ids) == []


def test_no_form_answers_500_to_nasty_fields(shared_world):
    client = nasty_input.fuzz_client(shared_world.user)
    assert nasty_input.fuzz_forms(client, shared_world) == []

