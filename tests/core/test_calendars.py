"""Business calendar services: validation, holiday sources, preview, deletion, audit."""

import contextlib
import http.server
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calendars import (
    calendar_delete,
    calendar_preview,
    calendar_save,
    feed_delete,
    feed_refresh,
    fetch_ics,
    holiday_delete,
    holiday_save,
    holidays_generate,
    holidays_import_ics,
    open_hours_by_day,
    parse_ics,
    validate_working_ranges,
)
from core.choices import HolidayFeedKind, HolidaySource
from core.models import BusinessCalendar, Holiday, HolidayFeed, SlaClock, WorkingHours

LONDON = ZoneInfo("Europe/London")
OFFICE_HOURS = [(day, time(9), time(17)) for day in range(5)]  # Mon–Fri 09:00–17:00

CHRISTMAS_ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Switchboard tests//EN
BEGIN:VEVENT
UID:closed-christmas@example.com
DTSTART;VALUE=DATE:20261225
DTEND;VALUE=DATE:20261227
SUMMARY:Christmas closure
END:VEVENT
BEGIN:VEVENT
UID:eve@example.com
DTSTART;TZID=Europe/London:20261224T130000
DTEND;TZID=Europe/London:20261225T000000
SUMMARY:Christmas Eve afternoon
END:VEVENT
END:VCALENDAR
"""


# --- Helpers shared by the calendar test modules -----------------------------------


def make_calendar(user, *, name="UK office", time_zone="Europe/London", ranges=OFFICE_HOURS):
    return calendar_save(calendar=BusinessCalendar(name=name, time_zone=time_zone),
                         ranges=ranges, by=user, reason="Set up for a test")


@contextlib.contextmanager
def serve(body: bytes, status: int = 200, *, host="127.0.0.1", headers=None):
    """A real HTTP server on ``host`` answering every GET with ``body``; yields its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            self.send_response(status)
            self.send_header("Content-Type", "text/calendar")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass  # keep test output quiet

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/holidays.ics"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def messages_of(excinfo):
    return " ".join(excinfo.value.messages)


# --- Working hours validation ----------------------------------------------------------


def test_a_week_without_hours_is_refused():
    with pytest.raises(ValidationError, match="needs working hours on at least one day") as exc:
        validate_working_ranges([])
    assert exc.value.code == "no_working_hours"


def test_overlapping_ranges_on_one_day_are_named():
    with pytest.raises(ValidationError) as exc:
        validate_working_ranges([(0, time(9), time(17)), (0, time(16), time(20))])
    assert messages_of(exc) == "Working hours overlap: Monday 09:00–17:00 and Monday 16:00–20:00."


def test_a_night_shift_overlapping_the_next_morning_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_working_ranges([(0, time(22), time(6)), (1, time(5), time(9))])
    assert messages_of(exc) == "Working hours overlap: Monday 22:00–06:00 and Tuesday 05:00–09:00."


def test_a_sunday_night_shift_wraps_into_monday():
    with pytest.raises(ValidationError) as exc:
        validate_working_ranges([(6, time(22), time(6)), (0, time(5), time(9))])
    assert messages_of(exc) == "Working hours overlap: Sunday 22:00–06:00 and Monday 05:00–09:00."


def test_adjacent_ranges_and_whole_days_are_fine():
    validate_working_ranges([(0, time(9), time(12)), (0, time(12), time(17))])
    validate_working_ranges([(day, time(0), time(0)) for day in range(7)])
    validate_working_ranges([(6, time(22), time(6)), (0, time(6), time(9))])


def test_a_range_that_starts_and_ends_together_is_empty():
    with pytest.raises(ValidationError, match="Monday 09:00–09:00 is empty"):
        validate_working_ranges([(0, time(9), time(9))])


def _slots(weekday, start, end):
    """The obvious oracle: the 15-minute slots of the week a range covers."""
    week = 7 * 96
    first = weekday * 96 + (start.hour * 60 + start.minute) // 15
    length = ((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)) // 15 % 96 or 96
    return [(first + i) % week for i in range(length)]


quarter_hours = st.builds(lambda q: time(q // 4, q % 4 * 15), st.integers(0, 95))


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 6), quarter_hours, quarter_hours), max_size=6))
def test_overlap_check_agrees_with_counting_slots(ranges):
    covered = [slot for r in ranges if not (r[1] == r[2] != time(0)) for slot in _slots(*r)]
    if not ranges:
        expected = "no_working_hours"
    elif any(start == end != time(0) for _, start, end in ranges):
        expected = "empty_range"
    elif len(covered) != len(set(covered)):  # some slot is covered twice
        expected = "overlapping_ranges"
    else:
        expected = None

    if expected is None:
        validate_working_ranges(ranges)
    else:
        with pytest.raises(ValidationError) as exc:
            validate_working_ranges(ranges)
        assert exc.value.code == expected


# --- Saving and deleting calendars --------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_time_zone_is_refused_and_nothing_is_written(manager):
    with pytest.raises(ValidationError) as exc:
        make_calendar(manager, time_zone="Europe/Londn")
    assert exc.value.message_dict["time_zone"] == [
        "'Europe/Londn' is not a known IANA time zone (e.g. Europe/London, America/New_York)."
    ]
    assert not BusinessCalendar.objects.filter(name="UK office").exists()


@pytest.mark.django_db
def test_overlapping_hours_refuse_the_whole_save(manager):
    with pytest.raises(ValidationError, match="overlap"):
        make_calendar(manager, ranges=[(0, time(9), time(17)), (0, time(12), time(13))])
    assert not BusinessCalendar.objects.filter(name="UK office").exists()
    assert not WorkingHours.objects.filter(calendar__name="UK office").exists()


@pytest.mark.django_db
def test_saving_replaces_the_hours_exactly(manager):
    calendar = make_calendar(manager)
    calendar_save(calendar=calendar, ranges=[(5, time(10), time(14))], by=manager,
                  reason="Weekend desk only")
    assert [(h.weekday, h.start, h.end) for h in calendar.working_hours.all()] == [
        (5, time(10), time(14))
    ]


@pytest.mark.django_db
def test_history_rows_say_who_and_why(manager):
    calendar = make_calendar(manager)
    calendar_save(calendar=calendar, ranges=[(0, time(8), time(16))], by=manager,
                  reason="Earlier shift from March")

    latest = calendar.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (
        manager, "Earlier shift from March")
    removed = WorkingHours.history.filter(history_type="-", weekday=4).get()
    assert (removed.history_user, removed.history_change_reason) == (
        manager, "Earlier shift from March")
    added = WorkingHours.history.filter(history_type="+", start=time(8)).get()
    assert added.history_user == manager


@pytest.mark.django_db
def test_the_builtin_calendar_cannot_be_deleted(manager):
    builtin = BusinessCalendar.objects.get(is_builtin=True)
    with pytest.raises(ValidationError) as exc:
        calendar_delete(calendar=builtin, by=manager)
    assert exc.value.code == "builtin_calendar"
    assert messages_of(exc) == "'24×7' is built in and cannot be deleted."
    assert BusinessCalendar.objects.filter(pk=builtin.pk).exists()


@pytest.mark.django_db
def test_a_calendar_clocks_count_on_cannot_be_deleted(manager):
    calendar = make_calendar(manager)
    SlaClock.objects.create(
        content_type=ContentType.objects.get_for_model(BusinessCalendar), object_id=calendar.pk,
        kind="test", calendar=calendar, target=timedelta(hours=4),
        started_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
    )
    with pytest.raises(ValidationError, match="used by SLA clocks") as exc:
        calendar_delete(calendar=calendar, by=manager)
    assert exc.value.code == "calendar_in_use"


@pytest.mark.django_db
def test_deleting_a_calendar_is_audited(manager):
    calendar = make_calendar(manager)
    pk = calendar.pk
    calendar_delete(calendar=calendar, by=manager, reason="Office closed for good")
    assert not BusinessCalendar.objects.filter(pk=pk).exists()
    gone = BusinessCalendar.history.filter(id=pk, history_type="-").get()
    assert (gone.history_user, gone.history_change_reason) == (manager, "Office closed for good")


# --- Public holidays ----------------------------------------------------------------------


@pytest.mark.django_db
def test_generating_english_holidays_includes_christmas_and_does_not_duplicate(manager):
    calendar = make_calendar(manager)

    feed = holidays_generate(calendar=calendar, country="gb", subdivision="eng",
                             year_from=2026, year_to=2026, by=manager)

    christmas = calendar.holidays.get(date=date(2026, 12, 25))
    assert christmas.name == "Christmas Day"
    assert christmas.source == HolidaySource.COUNTRY
    assert calendar.holidays.filter(date=date(2026, 8, 31)).exists()  # England, not Scotland
    count = calendar.holidays.count()
    assert count == feed.holiday_count == 9
    assert str(feed) == "GB-ENG 2026–2026"

    again = holidays_generate(calendar=calendar, country="GB", subdivision="ENG",
                              year_from=2026, year_to=2026, by=manager)
    assert again.pk == feed.pk
    assert calendar.holidays.count() == count
    assert calendar.holidays.filter(date=date(2026, 12, 25)).count() == 1
    history = Holiday.history.filter(date=date(2026, 12, 25), history_type="+").first()
    assert history.history_user == manager
    assert history.history_change_reason == "Generated GB-ENG 2026–2026"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "subdivision", "years", "field", "message"),
    [
        ("ZZ", "", (2026, 2026), "country", "'ZZ' is not a two-letter country code"),
        ("GBR", "", (2026, 2026), "country", "'GBR' is not a two-letter country code"),
        ("GB", "XX", (2026, 2026), "subdivision", "GB has no subdivision 'XX'. Known: ENG"),
        ("GB", "", (2026, 2025), "year_to", "ending no earlier than it starts"),
        ("GB", "", (2000, 2040), "year_to", "at most 30 years"),
    ],
)
def test_bad_holiday_requests_name_the_field(manager, country, subdivision, years, field,
                                             message):
    calendar = make_calendar(manager)
    with pytest.raises(ValidationError) as exc:
        holidays_generate(calendar=calendar, country=country, subdivision=subdivision,
                          year_from=years[0], year_to=years[1], by=manager)
    assert message in " ".join(exc.value.message_dict[field])
    assert not HolidayFeed.objects.exists()


# --- ICS ------------------------------------------------------------------------------------


def test_an_all_day_event_closes_each_of_its_days_with_an_exclusive_end():
    rows = parse_ics(CHRISTMAS_ICS, tz=LONDON)
    whole = [(h.date, h.name) for h in rows if not h.is_partial]
    assert whole == [(date(2026, 12, 25), "Christmas closure"),
                     (date(2026, 12, 26), "Christmas closure")]


def test_a_timed_event_is_a_partial_closure_ending_at_midnight():
    (eve,) = [h for h in parse_ics(CHRISTMAS_ICS, tz=LONDON) if h.is_partial]
    assert (eve.date, eve.closed_from, eve.closed_until) == (date(2026, 12, 24), time(13), None)


def test_timed_events_are_read_in_the_calendars_zone():
    ics = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Training\r\n"
           b"DTSTART:20260701T130000Z\r\nDTEND:20260701T150000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    (row,) = parse_ics(ics, tz=LONDON)
    assert (row.closed_from, row.closed_until) == (time(14), time(16))  # BST


def test_a_zero_length_event_closes_nothing():
    ics = (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Blip\r\nDTSTART:20260701T100000\r\n"
           b"DTEND:20260701T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert parse_ics(ics, tz=LONDON) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a calendar", "This is not a readable ICS calendar"),
        (b"", "This is not a readable ICS calendar"),
        (b"BEGIN:VEVENT\r\nSUMMARY:x\r\nDTSTART:20260101\r\nEND:VEVENT\r\n",
         "does not contain a VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Lost\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
         "The event 'Lost' has no DTSTART."),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Odd\r\nDTSTART:soon\r\nEND:VEVENT\r\n"
         b"END:VCALENDAR\r\n", "The event 'Odd' has a start or end that is not a date or time."),
        (b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
    ],
)
def test_a_broken_ics_is_refused_with_the_reason(content, message):
    with pytest.raises(ValidationError) as exc:
        parse_ics(content)
    assert message in " ".join(exc.value.message_dict["ics"])


@pytest.mark.django_db
def test_imported_closures_shape_the_days_and_the_preview(manager):
    calendar = make_calendar(manager)
    feed = holidays_import_ics(calendar=calendar, content=CHRISTMAS_ICS, by=manager,
                               name="Office closures")
    assert feed.kind == HolidayFeedKind.ICS_FILE
    assert feed.holiday_count == 3

    days = {d["day"]: d for d in open_hours_by_day(calendar, date(2026, 12, 21), days=14)}
    assert len(days) == 14
    assert days[date(2026, 12, 24)]["open_time"] == timedelta(hours=4)  # 09:00–13:00
    assert days[date(2026, 12, 25)]["intervals"] == []
    assert [h.name for h in days[date(2026, 12, 25)]["holidays"]] == ["Christmas closure"]

    # Thursday 24 Dec 12:00 + 2h: one hour before the afternoon closure, the rest on Monday.
    result = calendar_preview(calendar=calendar, start=datetime(2026, 12, 24, 12, tzinfo=LONDON),
                              duration=timedelta(hours=2))
    assert result["due_at"] == datetime(2026, 12, 28, 10, tzinfo=LONDON)


@pytest.mark.django_db
def test_an_ics_address_is_read_and_reimporting_it_replaces_its_holidays(manager):
    calendar = make_calendar(manager)
    with serve(CHRISTMAS_ICS) as url:
        first = holidays_import_ics(calendar=calendar, content=fetch_ics(url), by=manager, url=url)
        second = holidays_import_ics(calendar=calendar, content=fetch_ics(url), by=manager,
                                     url=url)
    assert first.pk == second.pk
    assert second.kind == HolidayFeedKind.ICS_URL
    assert calendar.holidays.count() == 3


@pytest.mark.django_db
def test_a_failed_refresh_keeps_the_holidays_and_records_a_readable_error(manager):
    calendar = make_calendar(manager)
    with serve(CHRISTMAS_ICS) as url:
        feed = holidays_import_ics(calendar=calendar, content=fetch_ics(url), by=manager, url=url)
    with serve(b"not a calendar") as url:
        feed.url = url
        feed.save()
        assert feed_refresh(feed=feed) is False
    feed.refresh_from_db()
    assert feed.last_error.startswith("This is not a readable ICS calendar")
    assert calendar.holidays.count() == 3


@pytest.mark.django_db
def test_an_unreachable_or_malformed_address_fails_cleanly(manager):
    with pytest.raises(OSError, match="Connection refused"):
        fetch_ics("http://127.0.0.1:1/closed.ics")  # nothing listens on port 1
    with pytest.raises(ValidationError, match="Cannot read"):
        fetch_ics("http://exa mple.com/x.ics")
    with pytest.raises(ValidationError, match="Only http"):
        fetch_ics("file:///etc/passwd")


# --- Manual holidays ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_manual_partial_closure_is_saved_audited_and_counted(manager):
    calendar = make_calendar(manager)
    before = calendar.updated_at
    holiday = holiday_save(
        holiday=Holiday(calendar=calendar, date=date(2026, 1, 9), name="Team offsite",
                        closed_from=time(13)),
        by=manager, reason="Offsite afternoon",
    )
    assert holiday.source == HolidaySource.MANUAL
    calendar.refresh_from_db()
    assert calendar.updated_at > before  # cached engines are rebuilt
    record = holiday.history.get()
    assert (record.history_user, record.history_change_reason) == (manager, "Offsite afternoon")
    friday = open_hours_by_day(calendar, date(2026, 1, 9), days=1)[0]
    assert friday["open_time"] == timedelta(hours=4)


@pytest.mark.django_db
def test_a_closure_that_ends_before_it_starts_is_refused(manager):
    calendar = make_calendar(manager)
    with pytest.raises(ValidationError) as exc:
        holiday_save(holiday=Holiday(calendar=calendar, date=date(2026, 1, 9), name="Oops",
                                     closed_from=time(15), closed_until=time(10)),
                     by=manager, reason="test")
    assert exc.value.message_dict["closed_until"] == [
        "Closed until 10:00 must be later than closed from 15:00; leave it empty to close "
        "to the end of the day."
    ]
    assert not calendar.holidays.exists()


@pytest.mark.django_db
def test_feed_holidays_are_not_edited_by_hand_but_go_with_their_feed(manager):
    calendar = make_calendar(manager)
    feed = holidays_generate(calendar=calendar, country="GB", subdivision="ENG", year_from=2026,
                             year_to=2026, by=manager)
    christmas = calendar.holidays.get(date=date(2026, 12, 25))
    with pytest.raises(ValidationError, match="comes from the feed 'GB-ENG 2026–2026'"):
        holiday_delete(holiday=christmas, by=manager)
    christmas.name = "Xmas"
    with pytest.raises(ValidationError, match="cannot be changed by hand"):
        holiday_save(holiday=christmas, by=manager, reason="rename")

    feed_delete(feed=feed, by=manager, reason="Not a UK team after all")
    assert not calendar.holidays.exists()
    record = Holiday.history.filter(history_type="-").first()
    assert record.history_change_reason == "Not a UK team after all"


# --- Preview ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Winter (GMT) and summer (BST): Friday 16:30 + 2 business hours = Monday 10:30.
        (datetime(2026, 1, 9, 16, 30, tzinfo=LONDON), datetime(2026, 1, 12, 10, 30, tzinfo=LONDON)),
        (datetime(2026, 7, 10, 16, 30, tzinfo=LONDON),
         datetime(2026, 7, 13, 10, 30, tzinfo=LONDON)),
    ],
)
def test_preview_friday_afternoon_runs_into_monday(manager, start, due):
    calendar = make_calendar(manager)
    result = calendar_preview(calendar=calendar, start=start, duration=timedelta(hours=2))
    assert result["due_at"] == due
    assert result["next_open_at"] == start  # already open
    assert result["calendar_time_zone"] == "Europe/London"
    assert result["wall_clock_span"] == timedelta(days=2, hours=18)


@pytest.mark.django_db
def test_preview_outside_hours_starts_counting_at_the_next_opening(manager):
    calendar = make_calendar(manager)
    result = calendar_preview(calendar=calendar, start=datetime(2026, 1, 10, 12, tzinfo=LONDON),
                              duration=timedelta(hours=1))
    assert result["next_open_at"] == datetime(2026, 1, 12, 9, tzinfo=LONDON)
    assert result["due_at"] == datetime(2026, 1, 12, 10, tzinfo=LONDON)


@pytest.mark.django_db
def test_uploading_the_same_ics_file_again_replaces_its_holidays(manager):
    calendar = make_calendar(manager)
    holidays_import_ics(calendar=calendar, content=CHRISTMAS_ICS, by=manager, name="closures.ics")
    holidays_import_ics(calendar=calendar, content=CHRISTMAS_ICS, by=manager, name="closures.ics")

    assert calendar.feeds.count() == 1
    assert calendar.holidays.count() == 3


@pytest.mark.django_db
def test_the_builtin_calendars_hours_cannot_be_changed(manager):
    builtin = BusinessCalendar.objects.get(is_builtin=True)
    with pytest.raises(ValidationError, match="built in and always open"):
        calendar_save(calendar=builtin, ranges=OFFICE_HOURS, by=manager, reason="Narrow it")
    assert builtin.working_hours.count() == 7


@pytest.mark.django_db
def test_preview_reports_business_time_elapsed_to_now(manager):
    calendar = make_calendar(manager)
    monday_9 = datetime(2026, 3, 2, 9, tzinfo=LONDON)
    result = calendar_preview(calendar=calendar, start=monday_9, duration=timedelta(hours=8),
                              now=monday_9 + timedelta(days=1, hours=3))
    assert result["business_elapsed_to_now"] == timedelta(hours=11)  # 8 Monday + 3 Tuesday
    future = calendar_preview(calendar=calendar, start=monday_9, duration=timedelta(hours=1),
                              now=monday_9 - timedelta(days=1))
    assert future["business_elapsed_to_now"] == timedelta(0)


def test_ics_urls_on_private_addresses_are_refused_by_default(settings):
    from core.calendars import fetch_ics

    settings.ICS_ALLOW_PRIVATE_NETWORKS = False
    for url in ["http://127.0.0.1:8000/holidays.ics", "http://10.0.0.5/cal.ics",
                "http://localhost/cal.ics"]:
        with pytest.raises(ValidationError, match="private network address"):
            fetch_ics(url)


# --- Fetching ICS addresses safely (issue 11: SSRF) -----------------------------------------
# The guard itself is tested in test_safe_http.py; these check the calendar feed uses it.
SECRET = "SECRET-INTERNAL-BANNER"


def test_an_ics_redirect_to_loopback_is_refused(settings):
    # Only 127.0.0.2 is allowed (an "intranet calendar server"); 127.0.0.1 stays refused.
    settings.ICS_ALLOW_PRIVATE_NETWORKS = ["127.0.0.2/32"]
    with (
        serve(SECRET.encode()) as internal,
        serve(b"", status=302, host="127.0.0.2", headers={"Location": internal}) as url,
        pytest.raises(ValidationError, match="redirected to a private network address") as exc,
    ):
        fetch_ics(url)
    assert SECRET not in messages_of(exc)


def test_an_oversize_ics_download_is_refused():
    with serve(b"x" * (2 * 1024 * 1024 + 1)) as url, \
            pytest.raises(ValidationError, match="larger than 2 MB"):
        fetch_ics(url)


@pytest.mark.django_db
def test_a_fetched_body_is_never_quoted_in_the_feed_error(manager):
    calendar = make_calendar(manager)
    with serve(CHRISTMAS_ICS) as url:
        feed = holidays_import_ics(calendar=calendar, content=fetch_ics(url), by=manager, url=url)
    # An internal service's answer: not a calendar, or a calendar whose event names leak.
    leaky_calendar = (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:" + SECRET.encode()
                      + b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    for body in [SECRET.encode() + b" db_password=hunter2", leaky_calendar]:
        with serve(body) as url:
            feed.url = url
            feed.save()
            assert feed_refresh(feed=feed) is False
        feed.refresh_from_db()
        assert feed.last_error
        assert SECRET not in feed.last_error
        assert "hunter2" not in feed.last_error


def test_country_holidays_roll_two_years_ahead_so_a_2028_due_date_skips_its_holiday(manager):
    """The demo's UK calendar had 2025–2027 only, so a due date in 2028 ignored Monday
    3 January 2028 (New Year's Day, substitute). The daily roll keeps two years ahead."""
    from core.calendars import calendar_preview, country_holidays_roll, holidays_known_until

    calendar = make_calendar(manager)  # London, Mon–Fri 09:00–17:00
    holidays_generate(calendar=calendar, country="GB", subdivision="ENG", year_from=2025,
                      year_to=2027, by=manager)
    friday = datetime(2027, 12, 31, 16, 0, tzinfo=UTC)
    before = calendar_preview(calendar=calendar, start=friday, duration=timedelta(hours=2))
    assert before["beyond_holiday_coverage"]
    assert country_holidays_roll(today=date(2026, 12, 6)) == 1
    assert country_holidays_roll(today=date(2026, 12, 6)) == 0  # already two years ahead
    calendar.refresh_from_db()
    assert holidays_known_until(calendar) == date(2028, 12, 31)
    assert calendar.holidays.filter(date=date(2028, 1, 3)).exists()
    after = calendar_preview(calendar=calendar, start=friday, duration=timedelta(hours=2))
    # 16:00–17:00 on Friday, then Monday 3 January is a holiday: Tuesday 10:00.
    assert after["due_at"] == datetime(2028, 1, 4, 10, 0, tzinfo=UTC)
    assert not after["beyond_holiday_coverage"]
    feed = calendar.feeds.get()
    assert (feed.year_from, feed.year_to) == (2025, 2028)
