"""Serializer fields for what people type into the API: dates, instants and durations
within the limits ``core/validation.py`` sets (and explains)."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from rest_framework import serializers

from core.validation import (
    DURATION_LIMIT_MESSAGE,
    MAX_COUNT,
    MAX_MONEY,
    aware,
    number_error_messages,
    validate_duration,
    validate_plausible_date,
)


class PlausibleDateTimeField(serializers.DateTimeField):
    """An ISO 8601 instant within the plausible range, with a real UTC offset. Without
    an offset it is a wall-clock time in the field's zone, read by the clock engine's
    rule (a time in the spring-forward gap: when the gap ends; a repeated one: its
    first occurrence), as the web forms read it."""

    def enforce_timezone(self, value):
        # Checked before DRF converts the value to the server's zone: the conversion
        # drops the offset that was typed and overflows at either end of the calendar.
        try:
            validate_plausible_date(value)
            if timezone.is_naive(value):
                zone = getattr(self, "timezone", None) or self.default_timezone()
                value = aware(value, zone)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc
        except OverflowError:
            self.fail("overflow")
        return super().enforce_timezone(value)


class PlausibleDateField(serializers.DateField):
    """A date within the plausible range."""

    default_validators = [validate_plausible_date]


class BusinessDurationField(serializers.DurationField):
    """A duration of business time (an SLA target, a due offset): ten years at most."""

    default_validators = [validate_duration]
    # "P9999999999D" has more days than a timedelta holds: the same words as the limit.
    default_error_messages = {**serializers.DurationField.default_error_messages,
                              "overflow": DURATION_LIMIT_MESSAGE}


class TimelineFieldsMixin(serializers.Serializer):
    """A typed timeline entry over the API: its ``event`` code and structured ``params``
    (what reports and integrations read instead of parsing English), and ``text`` worded
    from them now (``core.timeline``), so a wording fix reaches old entries too."""

    event = serializers.CharField(read_only=True, help_text=(
        "The registered event code (state-changed, clock-breached…); empty for a free "
        "note and for entries written before events were typed."))
    params = serializers.JSONField(read_only=True, help_text="The facts the text is worded "
                                                             "from.")
    text = serializers.SerializerMethodField()

    def get_text(self, entry) -> str:
        return entry.render()


class CountField(serializers.IntegerField):
    """A count: 0 to ``MAX_COUNT`` unless told otherwise (a model column's 2⁶³ − 1 is
    capped), refused in the words the web forms use."""

    def __init__(self, **kwargs):
        kwargs["min_value"] = kwargs.get("min_value", 0)
        if kwargs.get("max_value") is None or kwargs["max_value"] > MAX_COUNT:
            kwargs["max_value"] = MAX_COUNT
        # Given to DRF's constructor: its range validators take their words from here.
        kwargs["error_messages"] = {**number_error_messages(
            decimal=False, low=kwargs["min_value"], high=kwargs["max_value"]),
            **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)


class MoneyField(serializers.DecimalField):
    """An amount: 0.00 to ``MAX_MONEY`` unless told otherwise, in the web forms' words."""

    def __init__(self, max_digits=12, decimal_places=2, **kwargs):
        kwargs["min_value"] = kwargs.get("min_value", Decimal("0"))
        if kwargs.get("max_value") is None:
            kwargs["max_value"] = MAX_MONEY
        kwargs["error_messages"] = {**number_error_messages(
            decimal=True, low=kwargs["min_value"], high=kwargs["max_value"],
            places=decimal_places if decimal_places is not None else 2),
            **kwargs.get("error_messages", {})}
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)


INTEGER_COLUMN_MAX = 2**31 - 1  # PostgreSQL's integer; SQLite would take 2⁶³ − 1


class WholeNumberField(serializers.IntegerField):
    """A model's integer column in the API: its own range (capped at what every database
    stores), refused in words — "Enter a whole number from 0 to 2,147,483,647."."""

    def __init__(self, **kwargs):
        if kwargs.get("max_value") is None or kwargs["max_value"] > INTEGER_COLUMN_MAX:
            kwargs["max_value"] = INTEGER_COLUMN_MAX
        low = kwargs.get("min_value")
        kwargs["error_messages"] = {**number_error_messages(
            decimal=False, low=low if low is not None else -INTEGER_COLUMN_MAX - 1,
            high=kwargs["max_value"]), **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)


class DecimalNumberField(serializers.DecimalField):
    """A model's decimal column in the API, refused in words that say its range."""

    def __init__(self, max_digits=None, decimal_places=None, **kwargs):
        places = decimal_places or 0
        widest = (Decimal(10) ** (max_digits - places) - Decimal(10) ** -places
                  if max_digits else MAX_MONEY)
        high = kwargs.get("max_value") if kwargs.get("max_value") is not None else widest
        low = kwargs.get("min_value") if kwargs.get("min_value") is not None else -high
        kwargs["error_messages"] = {**number_error_messages(
            decimal=True, low=low, high=high, places=places), **kwargs.get("error_messages", {})}
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)


class ModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose writable instants and durations follow the same limits
    as the hand-written input serializers."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: PlausibleDateTimeField,
        models.DurationField: BusinessDurationField,
        models.IntegerField: WholeNumberField,
        models.PositiveIntegerField: WholeNumberField,
        models.PositiveSmallIntegerField: WholeNumberField,
        models.DecimalField: DecimalNumberField,
    }
