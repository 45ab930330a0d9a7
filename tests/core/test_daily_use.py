"""Issue 19 items 5 and 10 (kernel side): bad input said in words — every error at once,
counts and money with their range, a range filter with start after end — and one format
for money and times."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from core.api.fields import CountField as CountSerializerField
from core.api.fields import DecimalNumberField, WholeNumberField
from core.choices import Role
from core.forms import ServiceForm
from core.models import BusinessCalendar
from core.templatetags.formatting import format_money, format_when
from core.validation import MAX_COUNT, CountField, MoneyField

pytestmark = pytest.mark.django_db


# --- Counts and money ------------------------------------------------------------------


class Numbers(ServiceForm):
    contacts = CountField(required=False)
    amount = MoneyField(required=False)


from django import forms  # noqa: E402


class Legacy(ServiceForm):
    plain = forms.IntegerField(required=False, min_value=0)
    price = forms.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=0)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"contacts": "-1"}, "contacts", "Enter a whole number from 0 to 10,000,000."),
    ({"contacts": "9223372036854775808"}, "contacts",
     "Enter a whole number from 0 to 10,000,000."),
    ({"amount": "12345678901234"}, "amount",
     "Enter an amount from 0.00 to 999,999,999.99, with at most 2 decimals."),
    ({"amount": "1.234"}, "amount",
     "Enter an amount from 0.00 to 999,999,999.99, with at most 2 decimals."),
    ({"plain": "9223372036854775807"}, "plain", "Enter a whole number from 0 to 10,000,000."),
    ({"price": "99999999999999"}, "price",
     "Enter an amount from 0.00 to 9,999,999,999.99, with at most 2 decimals."),
])
def test_numbers_are_refused_with_their_range_in_words(data, field, message):
    form = (Numbers if field in Numbers.base_fields else Legacy)(data)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_every_form_error_comes_at_once(client, make_user):
    client.force_login(make_user(Role.INCIDENT_RESPONDER))
    response = client.post(reverse("incidents:declare"), {
        "title": "", "priority": "P2", "contacts_affected": "-5", "agents_idle": "abc"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Give the incident a title people will recognise." in body
    assert body.count("Enter a whole number from 0 to 10,000,000.") == 2


def test_every_api_error_comes_at_once(api_as, make_user):
    api = api_as(make_user(Role.INCIDENT_RESPONDER))
    response = api.post("/api/incidents/", {"title": "", "contacts_affected": -5,
                                            "agents_idle": 99999999999}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["title"] == ["Give the incident a title people will recognise."]
    assert errors["contacts_affected"] == ["Enter a whole number from 0 to 10,000,000."]
    assert errors["agents_idle"] == ["Enter a whole number from 0 to 10,000,000."]


def test_serializer_fields_say_their_range():
    assert CountSerializerField().max_value == MAX_COUNT
    whole = WholeNumberField(min_value=0, max_value=2**63 - 1)
    assert whole.max_value == 2**31 - 1
    assert whole.error_messages["max_value"] == "Enter a whole number from 0 to 2,147,483,647."
    money = DecimalNumberField(max_digits=12, decimal_places=2)
    assert money.error_messages["max_whole_digits"] == (
        "Enter an amount from -9,999,999,999.99 to 9,999,999,999.99, with at most 2 decimals.")


# --- Ranges in filters ------------------------------------------------------------------


def test_a_range_filter_backwards_is_refused_on_the_page_and_in_the_api(client, api_as,
                                                                        make_user):
    user = make_user(Role.INCIDENT_RESPONDER)
    api = api_as(user)
    response = api.get("/api/incidents/", {"declared_after": "2026-05-10",
                                           "declared_before": "2026-05-01"})
    assert response.status_code == 400
    [message] = response.json()["errors"]["declared_before"]
    assert "is before" in message and "swap them" in message

    client.force_login(user)
    body = client.get(reverse("incidents:index"), {"declared_from": "2026-05-10",
                                                   "declared_to": "2026-05-01"}
                      ).content.decode()
    assert "swap them" in body

    response = api.get("/api/escalations/", {"created_after": "2026-05-10T00:00:00Z",
                                             "created_before": "2026-05-01T00:00:00Z"})
    assert response.status_code == 400
    assert "created_before" in response.json()["errors"]


def test_a_range_in_order_is_accepted(api_as, make_user):
    api = api_as(make_user(Role.INCIDENT_RESPONDER))
    response = api.get("/api/incidents/", {"declared_after": "2026-05-01",
                                           "declared_before": "2026-05-10"})
    assert response.status_code == 200


# --- Money and times ------------------------------------------------------------------


def test_money_is_one_format():
    assert format_money(Decimal("1840")) == "EUR 1,840.00"
    assert format_money(Decimal("1840.005"), "GBP") == "GBP 1,840.01"
    assert format_money(None) == "—"
    rendered = Template("{{ amount|money:currency }}").render(
        Context({"amount": Decimal("920"), "currency": "EUR"}))
    assert rendered == "EUR 920.00"


def test_times_are_24_hour_in_the_viewers_zone_without_microseconds():
    instant = datetime(2026, 12, 6, 14, 5, 7, 123456, tzinfo=UTC)
    with timezone.override("America/New_York"):
        assert format_when(instant) == "Sun 6 Dec 2026, 09:05"
        assert Template("{{ t }}").render(Context({"t": instant})) == "Sun 6 Dec 2026, 09:05"
    assert format_when(instant, "short") == "6 Dec, 14:05"
    assert format_when(date(2026, 12, 6)) == "6 Dec 2026"


# --- Calendars ------------------------------------------------------------------------


def test_holidays_are_generated_from_the_calendar_page(client, manager, make_user):
    calendar = BusinessCalendar.objects.create(name="UK office", time_zone="Europe/London")
    url = reverse("calendar-detail", args=[calendar.pk])
    client.force_login(manager)
    assert 'id="generate-holidays-form"' in client.get(url).content.decode()
    response = client.post(reverse("calendar-generate-holidays", args=[calendar.pk]), {
        "country": "GB", "subdivision": "ENG", "year_from": 2026, "year_to": 2027})
    assert response.status_code == 302
    assert calendar.holidays.filter(date=date(2026, 12, 25)).exists()

    response = client.post(reverse("calendar-generate-holidays", args=[calendar.pk]), {
        "country": "XX", "year_from": 2026, "year_to": 2027})
    assert response.status_code == 400
    assert "not a two-letter country code" in response.content.decode()

    viewer = make_user(Role.VIEWER)
    client.force_login(viewer)
    assert 'id="generate-holidays-form"' not in client.get(url).content.decode()
    assert client.post(reverse("calendar-generate-holidays", args=[calendar.pk]), {
        "country": "GB", "year_from": 2026, "year_to": 2027}).status_code == 403


def test_the_calendar_admin_picks_the_zone_from_a_list(client, make_user):
    admin = make_user(Role.MANAGER, is_staff=True, is_superuser=True, username="root")
    client.force_login(admin)
    body = client.get(reverse("admin:core_businesscalendar_add")).content.decode()
    assert '<select name="time_zone"' in body
    assert '<option value="Europe/London">Europe/London</option>' in body
