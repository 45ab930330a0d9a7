"""Serializer fields for what people type into the API: dates, instants and durations
within the limits ``core/validation.py`` sets (and explains)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from rest_framework import serializers

from core.validation import (
    DURATION_LIMIT_MESSAGE,
    aware,
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


class ModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose writable instants and durations follow the same limits
    as the hand-written input serializers."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: PlausibleDateTimeField,
        models.DurationField: BusinessDurationField,
    }
