"""The calendar pages: list, the next 14 days, the due-date preview, who may see them."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse

from core.calendars import holiday_save, holidays_generate
from core.choices import Role
from core.models import Holiday
from tests.core.test_calendars import make_calendar

pytestmark = pytest.mark.django_db

# Monday 21 December 2026, mid-morning in London.
BEFORE_CHRISTMAS = datetime(2026, 12, 21, 10, 0, tzinfo=UTC)


@pytest.fixture
def calendar(manager):
    calendar = make_calendar(manager)
    holidays_generate(calendar=calendar, country="GB", subdivision="ENG", year_from=2026,
                      year_to=2027, by=manager)
    holiday_save(holiday=Holiday(calendar=calendar, date=date(2026, 12, 24),
                                 name="Christmas Eve", closed_from=time(13)),
                 by=manager, reason="Half day")
    return calendar


def detail(calendar):
    return reverse("calendar-detail", args=[calendar.pk])


def test_anonymous_visitors_are_sent_to_log_in(client, calendar):
    for path in (reverse("calendar-list"), detail(calendar)):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD,
                                  Role.VENDOR_MANAGER, Role.FINANCE, Role.VIEWER])
def test_every_role_reads_the_calendars_and_sees_the_link(client, make_user, calendar, role):
    client.force_login(make_user(role))
    assert client.get(reverse("calendar-list")).status_code == 200
    assert client.get(detail(calendar)).status_code == 200
    assert ">Calendars</a>" in client.get("/").content.decode()


def test_a_user_without_the_permission_is_refused(client, make_user, calendar):
    client.force_login(make_user())  # signed in, no role
    assert client.get(reverse("calendar-list")).status_code == 403
    assert client.get(detail(calendar)).status_code == 403
    assert ">Calendars</a>" not in client.get("/").content.decode()


def test_an_unknown_calendar_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get("/calendars/999999/").status_code == 404


def test_the_list_shows_zone_weekly_hours_and_holiday_count(client, viewer, calendar):
    client.force_login(viewer)
    html = client.get(reverse("calendar-list")).content.decode()
    assert html.count('data-testid="calendar-row"') == 2
    assert "UK office" in html
    assert "Europe/London" in html
    assert "Mon–Fri 09:00–17:00" in html
    assert "Mon–Sun all day" in html  # the built-in 24×7
    count = calendar.holidays.count()
    assert f'<td class="num">{count}</td>' in html


@time_machine.travel(BEFORE_CHRISTMAS, tick=False)
def test_the_calendar_page_shows_the_next_14_days_with_holidays(client, viewer, calendar):
    client.force_login(viewer)
    html = client.get(detail(calendar)).content.decode()

    assert html.count('data-testid="calendar-day"') == 14
    assert "Mon 21 Dec" in html
    assert "Sun 3 Jan" in html
    assert "Mon 4 Jan" not in html
    assert "09:00–17:00" in html
    # Christmas Eve is a half day: open in the morning, marked as a partial closure.
    assert "09:00–13:00" in html
    assert "<mark data-partial>Christmas Eve</mark> <small>(closed from 13:00)</small>" in html
    assert "<mark>Christmas Day</mark> <small>(closed all day)</small>" in html
    assert "Boxing Day (observed)" in html
    assert "New Year&#x27;s Day" in html
    # Weekly hours and the feed with its sync time.
    assert "<th scope=\"row\">Saturday</th><td>closed</td>" in html
    assert "GB-ENG 2026–2027" in html
    assert "Public holidays of a country" not in html  # the feed kind label is used instead
    assert "Country (holidays package)" in html


@time_machine.travel(BEFORE_CHRISTMAS, tick=False)
def test_a_feed_error_is_shown(client, viewer, calendar):
    feed = calendar.feeds.get()
    feed.last_error = "Cannot read https://example.com/x.ics: timed out"
    feed.save()
    client.force_login(viewer)
    html = client.get(detail(calendar)).content.decode()
    assert "Cannot read https://example.com/x.ics: timed out" in html


def test_the_preview_form_answers_without_javascript(client, viewer, calendar):
    client.force_login(viewer)
    response = client.get(detail(calendar), {"start": "2026-01-09T16:30", "hours": "2"})
    html = response.content.decode()
    assert 'data-testid="preview-result"' in html
    assert '<strong data-testid="preview-due">Mon 12 Jan 2026, 10:30 GMT</strong>' in html


def test_the_preview_reads_start_as_the_calendars_wall_clock(client, viewer, manager):
    calendar = make_calendar(manager, name="New York", time_zone="America/New_York")
    client.force_login(viewer)
    html = client.get(detail(calendar), {"start": "2026-07-10T16:30", "hours": "2.5"}).content \
        .decode()
    assert '<strong data-testid="preview-due">Mon 13 Jul 2026, 11:00 EDT</strong>' in html
    assert "(2026-07-13 15:00 UTC)" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "next friday", "hours": "2"}, "Enter a valid date/time."),
        ({"start": "2026-01-09T16:30", "hours": "-1"}, "greater than or equal to 0"),
        ({"start": "2026-01-09T16:30"}, "This field is required."),
    ],
)
def test_bad_preview_input_is_explained_on_the_page(client, viewer, calendar, params, message):
    client.force_login(viewer)
    response = client.get(detail(calendar), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'data-testid="preview-result"' not in html


def test_a_time_the_clocks_skip_or_repeat_follows_the_engines_rule(client, viewer, calendar):
    """01:30 does not exist in London on 29 March 2026 (clocks go forward at 01:00):
    it means the instant the gap ends, as in the API and the engine — not an error."""
    client.force_login(viewer)
    html = client.get(detail(calendar), {"start": "2026-03-29T01:30", "hours": "1"}) \
        .content.decode()
    assert '<strong data-testid="preview-due">Mon 30 Mar 2026, 10:00 BST</strong>' in html


def test_coverage_of_public_holidays_is_shown_and_a_preview_past_it_warns(client, viewer,
                                                                          calendar):
    with time_machine.travel(BEFORE_CHRISTMAS, tick=False):
        client.force_login(viewer)
        html = client.get(detail(calendar), {"start": "2027-12-30T16:00", "hours": "16"}) \
            .content.decode()
        # Generated 2026–2027 in 2026: short of two years ahead until the nightly run.
        assert "Public holidays known until 31 Dec 2027: due dates after that" in html
        assert 'data-testid="preview-beyond-holidays"' in html
        html = client.get(detail(calendar), {"start": "2027-06-01T09:00", "hours": "2"}) \
            .content.decode()
        assert 'data-testid="preview-beyond-holidays"' not in html


def test_a_calendar_that_never_opens_says_so(client, viewer, manager):
    calendar = make_calendar(manager, name="Mondays only", ranges=[(0, time(9), time(17))])
    # Every Monday closed for eleven years: the arithmetic gives up, and the page says why.
    Holiday.objects.bulk_create(
        Holiday(calendar=calendar, date=date(2026, 1, 5) + timedelta(weeks=week), name="Closed")
        for week in range(52 * 11)
    )
    client.force_login(viewer)
    response = client.get(detail(calendar), {"start": "2026-01-05T08:00", "hours": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert">calendar has no open time within 3653 days' in html
    assert 'data-testid="preview-result"' not in html
