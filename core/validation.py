"""What a date, instant, duration, time zone or id that a person types may be.

One place for these rules. The web forms use the fields at the bottom of this
module, the API the serializer fields and filters of ``core/api/fields.py``, the
models these functions as field validators (so the admin refuses the same values),
and the services ``check_plausible`` for values that reach them another way. A value
refused on a page is refused in the API with the same words.

Why these limits
----------------
* **Dates and instants: from 2000-01-01 to ten years after today.** Nothing
  Switchboard records happened before 2000 (the contact-centre platforms it tracks
  did not exist) or falls due more than ten years ahead (contracts, regulatory
  deadlines and action items are months away, not decades). Outside that window a
  value is a typo — 0026 for 2026, 9999 for "never", 1900 from a spreadsheet's
  empty cell — and it is not harmless: Python's datetime stops at the years 1 and
  9999, so showing a year-1 instant in New York's zone, or adding an SLA target to a
  9999 due date, overflowed and answered 500. Inside the window every sum and
  every zone conversion the code does stays far from either end.
* **UTC offsets: at most ±14:00**, the widest any place on Earth uses (Kiribati's
  +14:00). Python accepts up to ±23:59 and PostgreSQL refuses anything past ±15:59,
  so a filter ``?declared_after=…+23:00`` used to fail inside the database.
* **Durations (SLA targets, step due offsets, a preview's business time): at most
  ten years**, the same horizon as dates. ``P999999999D`` parses, but no calendar
  arithmetic survives it (and SQLite cannot even store it).
* **Time zones: a name the IANA database lists.** ``zoneinfo.ZoneInfo("Europe")``
  opens the database's *folder* and raises ``IsADirectoryError``, a 300-character
  name ``OSError``; only names in ``zoneinfo.available_timezones()`` are zones.
* **Counts (contacts affected, agents idle, people…): 0 to 10,000,000**, and **money:
  0.00 to 999,999,999.99** with two decimals. A contact centre counts in thousands and
  spends in millions; past these a value is a typo, and the database's own limits
  (2⁶³ − 1, "no more than 12 digits") are not words people can act on. Every numeric
  field of a form (``humanise_number_errors``) and of a serializer says the range in
  the same words: "Enter a whole number from 0 to 10,000,000."
* **Ids: ASCII digits, within a 64-bit column.** ``"¹".isdigit()`` is true but
  ``int("¹")`` fails, and ``int("٣")`` is 3: ``str.isdigit()`` is no parser.
"""

import re
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.fields import BaseTemporalField
from django.utils import timezone
from django.utils.dateparse import parse_datetime

PLAUSIBLE_FROM = date(2000, 1, 1)
PLAUSIBLE_YEARS_AHEAD = 10
MAX_UTC_OFFSET = timedelta(hours=14)
MAX_DURATION = timedelta(days=3653)  # ten years
MAX_ID = 2**63 - 1  # a 64-bit primary key column
MAX_COUNT = 10_000_000
MAX_MONEY = Decimal("999999999.99")
DURATION_LIMIT_MESSAGE = f"Enter a duration of at most {MAX_DURATION.days} days (ten years)."

_ID = re.compile(r"[0-9]{1,19}")


# --- Dates and instants ----------------------------------------------------------------


def plausible_until(today: date | None = None) -> date:
    """The last plausible date: ten years after today (28 February for a 29th)."""
    today = today or timezone.now().date()
    try:
        return today.replace(year=today.year + PLAUSIBLE_YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + PLAUSIBLE_YEARS_AHEAD, day=28)


def plausible_range_text() -> str:
    """``"from 2000-01-01 to 2036-05-14"``, for messages and help texts."""
    return f"from {PLAUSIBLE_FROM:%Y-%m-%d} to {plausible_until():%Y-%m-%d}"


def validate_utc_offset(value: datetime) -> None:
    """An aware instant's offset is one a real time zone uses (±14:00 at most)."""
    offset = value.utcoffset() if isinstance(value, datetime) else None
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError(
            "Use a UTC offset between -14:00 and +14:00 (the widest any time zone uses).",
            code="utc_offset")


def validate_plausible_date(value: date | datetime) -> None:
    """A date, or an instant, lies within the plausible range (see the module's docstring).

    Used as a model field validator and by every form and serializer field below.
    """
    if value is None:
        return
    if isinstance(value, datetime):
        validate_utc_offset(value)
        # The date as written, in its own offset: no conversion that could overflow.
        day = value.date()
    else:
        day = value
    if not PLAUSIBLE_FROM <= day <= plausible_until():
        raise ValidationError(f"Enter a date {plausible_range_text()}.",
                              code="implausible_date")


def check_plausible(**values) -> None:
    """Services: refuse ``field=value`` pairs outside the plausible range, naming each
    field (``ValidationError({field: message})``, which every surface shows there)."""
    errors = {}
    for field, value in values.items():
        try:
            validate_plausible_date(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)


def validate_duration(value: timedelta) -> None:
    """A typed duration (an SLA target, a due offset) is at most ten years."""
    if value is not None and abs(value) > MAX_DURATION:
        raise ValidationError(DURATION_LIMIT_MESSAGE, code="duration_too_long")


# --- Time zones ------------------------------------------------------------------------


@cache
def known_time_zones() -> frozenset[str]:
    """Every zone name of the IANA database (read from disk once per process)."""
    return frozenset(zoneinfo.available_timezones())


def time_zone(name) -> zoneinfo.ZoneInfo | None:
    """The zone called ``name``, or None when it is not a zone (a folder of the
    database such as ``Europe``, a path, a 300-character string, a NUL…)."""
    if not isinstance(name, str) or name not in known_time_zones():
        return None
    return zoneinfo.ZoneInfo(name)


def validate_time_zone(value) -> None:
    if time_zone(value) is None:
        shown = value if isinstance(value, str) and len(value) <= 64 else "That"
        raise ValidationError(
            f"'{shown}' is not a known IANA time zone (e.g. Europe/London, America/New_York).",
            code="unknown_time_zone")


# --- Ids -------------------------------------------------------------------------------


def parse_id(value) -> int | None:
    """An id typed in a URL or a form: ASCII digits that fit the column, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _ID.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


# --- Web form fields -------------------------------------------------------------------


class PlausibleDateField(forms.DateField):
    """A date within the plausible range; the error says the range."""

    default_validators = [validate_plausible_date]


class PlausibleDateTimeField(forms.DateTimeField):
    """An instant within the plausible range, with a real UTC offset if it has one."""

    default_validators = [validate_plausible_date]

    def to_python(self, value):
        """Like Django's, except a time without an offset follows the clock engine's
        rule in the current zone (``core.business_time.wall_to_utc``: a time in the
        spring-forward gap is the instant the gap ends, a repeated one its first
        occurrence) instead of being refused — the same reading as the API's."""
        if value in self.empty_values:
            return None
        try:
            if isinstance(value, datetime):
                parsed = value
            else:
                try:
                    parsed = parse_datetime(str(value).strip())
                except ValueError:
                    raise ValidationError(self.error_messages["invalid"],
                                          code="invalid") from None
                if parsed is None:  # the other input formats ("2026-03-29 01:30")
                    parsed = BaseTemporalField.to_python(self, value)
            return aware(parsed, timezone.get_current_timezone())
        except OverflowError as exc:  # a wall time at the very edge of what Python holds
            raise ValidationError(f"Enter a date {plausible_range_text()}.",
                                  code="implausible_date") from exc


def aware(value: datetime, zone) -> datetime:
    """``value`` as an aware instant: kept if it has an offset, else read as a wall-clock
    time in ``zone`` by the clock engine's rule."""
    from .business_time import wall_to_utc

    if timezone.is_aware(value):
        return value
    return wall_to_utc(value, zone).astimezone(zone)



class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Objects ticked by id. An id that is not plain digits within a 64-bit column is
    "not a valid choice" before any query: SQLite cannot even compare a 30-digit
    number with a column (OverflowError), PostgreSQL refuses it as out of range."""

    def _check_values(self, value):
        key = (self.queryset.model._meta.get_field(self.to_field_name) if self.to_field_name
               else self.queryset.model._meta.pk)
        if isinstance(key, models.IntegerField | models.AutoField):
            for item in value:
                if parse_id(item if isinstance(item, int) else str(item)) is None:
                    raise ValidationError(self.error_messages["invalid_choice"],
                                          code="invalid_choice", params={"value": item})
        return super()._check_values(value)


# --- Counts and money -------------------------------------------------------------------


def _bound(value, default):
    return default if value is None else value


def count_message(low=0, high=MAX_COUNT) -> str:
    return f"Enter a whole number from {low:,} to {high:,}."


def money_message(low=Decimal("0"), high=MAX_MONEY, places=2) -> str:
    return (f"Enter an amount from {low:,.{places}f} to {high:,.{places}f}, with at most "
            f"{places} decimals.")


def number_error_messages(*, decimal: bool, low=None, high=None, places=2) -> dict:
    """The error messages of a numeric field, every code in the same words."""
    if decimal:
        text = money_message(_bound(low, Decimal("0")), _bound(high, MAX_MONEY), places)
        codes = ["invalid", "min_value", "max_value", "max_digits", "max_decimal_places",
                 "max_whole_digits", "max_string_length"]
    else:
        text = count_message(_bound(low, 0), _bound(high, MAX_COUNT))
        codes = ["invalid", "min_value", "max_value", "max_string_length"]
    return dict.fromkeys(codes, text)


def _once(run_validators):
    """Several validators failing in the same words (a range and a digit count) say it
    once."""

    def run(value):
        try:
            run_validators(value)
        except ValidationError as exc:
            raise ValidationError(list(dict.fromkeys(exc.messages))) from None

    return run


class CountField(forms.IntegerField):
    """A count people type (contacts affected, agents idle): 0 to ``MAX_COUNT``."""

    def __init__(self, *, min_value=0, max_value=MAX_COUNT, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        self.error_messages.update(number_error_messages(decimal=False, low=min_value,
                                                         high=max_value))

    def run_validators(self, value):
        _once(super().run_validators)(value)


class MoneyField(forms.DecimalField):
    """An amount of money: 0.00 to ``MAX_MONEY``, two decimals."""

    def __init__(self, *, min_value=Decimal("0"), max_value=MAX_MONEY, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        self.error_messages.update(number_error_messages(
            decimal=True, low=min_value, high=max_value, places=self.decimal_places))

    def run_validators(self, value):
        _once(super().run_validators)(value)


def humanise_number_errors(form) -> None:
    """Give every number field of ``form`` the human range message (and a count without
    a ceiling the ``MAX_COUNT`` one, a 64-bit column's limit being no answer)."""
    for field in form.fields.values():
        if isinstance(field, CountField | MoneyField):
            continue
        if isinstance(field, forms.IntegerField):  # DecimalField is one too
            field.run_validators = _once(field.run_validators)
        if isinstance(field, forms.DecimalField):
            places = field.decimal_places if field.decimal_places is not None else 2
            high = field.max_value
            if high is None:
                high = (Decimal(10) ** (field.max_digits - places) - Decimal(10) ** -places
                        if field.max_digits else MAX_MONEY)
            low = field.min_value if field.min_value is not None else -high
            field.error_messages.update(number_error_messages(
                decimal=True, low=low, high=high, places=places))
        elif isinstance(field, forms.IntegerField):
            if field.max_value is None or field.max_value > MAX_COUNT:
                field.max_value = MAX_COUNT
                field.validators = [v for v in field.validators
                                    if getattr(v, "code", "") != "max_value"]
                field.validators.append(validators.MaxValueValidator(MAX_COUNT))
                field.widget.attrs["max"] = MAX_COUNT
            field.error_messages.update(number_error_messages(
                decimal=False, low=field.min_value, high=field.max_value))
