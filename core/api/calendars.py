"""Business calendars over the API: CRUD, a due-date preview, holiday sources.

Thin by design: serializers parse, ``core.calendars`` decides. Django
``ValidationError`` from a service reaches the exception handler and becomes the
one 400 body, naming the field when the service names it.
"""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api.fields import BusinessDurationField, PlausibleDateTimeField
from core.api.permissions import ActionPermissions
from core.calendars import (
    MAX_ICS_BYTES,
    calendar_delete,
    calendar_preview,
    calendar_save,
    fetch_ics,
    holiday_delete,
    holiday_save,
    holidays_generate,
    holidays_import_ics,
    validate_working_ranges,
)
from core.exceptions import DomainError
from core.models import BusinessCalendar, Holiday, HolidayFeed

# --- Serializers ---------------------------------------------------------------------


class WorkingHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(
        min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday."
    )
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(
        format="%H:%M",
        help_text="At or before start: the range crosses midnight. 00:00–00:00 is all day.",
    )

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        # A PATCH skips missing fields everywhere below it, but a range is all or nothing:
        # the hours sent replace all the calendar's hours.
        missing = [name for name in self.fields if name not in value]
        if missing:
            raise serializers.ValidationError(
                {name: [self.fields[name].error_messages["required"]] for name in missing})
        return value


class HolidayFeedSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = HolidayFeed
        fields = [
            "id", "label", "kind", "country", "subdivision", "year_from", "year_to", "url",
            "name", "last_synced_at", "last_error", "holiday_count",
        ]
        read_only_fields = fields


class BusinessCalendarSerializer(serializers.ModelSerializer):
    """A calendar with its weekly hours; holidays are at ``/api/holidays/?calendar=ID``."""

    working_hours = WorkingHoursSerializer(many=True)
    feeds = HolidayFeedSerializer(many=True, read_only=True)
    holiday_count = serializers.SerializerMethodField()

    class Meta:
        model = BusinessCalendar
        fields = [
            "id", "name", "time_zone", "description", "is_builtin", "working_hours",
            "holiday_count", "feeds", "created_at", "updated_at",
        ]
        read_only_fields = ["is_builtin", "created_at", "updated_at"]

    def get_holiday_count(self, calendar) -> int:
        # Annotated on lists (one query for the page); counted after a create or update.
        count = getattr(calendar, "_holiday_count", None)
        return calendar.holidays.count() if count is None else count

    def validate_working_hours(self, value):
        ranges = [(item["weekday"], item["start"], item["end"]) for item in value]
        # The rule lives in the service; this only puts its message under the field.
        try:
            validate_working_ranges(ranges)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return ranges

    def create(self, validated_data):
        ranges = validated_data.pop("working_hours")
        calendar = BusinessCalendar(**validated_data)
        return calendar_save(calendar=calendar, ranges=ranges, by=self.context["request"].user,
                             reason="Created through the API")

    def update(self, instance, validated_data):
        changed = ", ".join(sorted(validated_data))
        ranges = validated_data.pop("working_hours", None)
        if ranges is None:  # PATCH without hours keeps them
            ranges = [(h.weekday, h.start, h.end) for h in instance.working_hours.all()]
        for field, value in validated_data.items():
            setattr(instance, field, value)
        calendar_save(calendar=instance, ranges=ranges, by=self.context["request"].user,
                      reason=f"Changed through the API: {changed}")
        # Drop the prefetched hours so the response shows what was written.
        instance = (BusinessCalendar.objects.annotate(_holiday_count=Count("holidays"))
                    .prefetch_related("working_hours", "feeds").get(pk=instance.pk))
        return instance


class HolidaySerializer(serializers.ModelSerializer):
    is_partial = serializers.BooleanField(read_only=True)

    class Meta:
        model = Holiday
        fields = [
            "id", "calendar", "date", "name", "closed_from", "closed_until", "is_partial",
            "source", "feed",
        ]
        read_only_fields = ["source", "feed"]
        extra_kwargs = {
            "closed_from": {"format": "%H:%M"},
            "closed_until": {"format": "%H:%M"},
        }

    def create(self, validated_data):
        return holiday_save(holiday=Holiday(**validated_data), by=self.context["request"].user,
                            reason="Created through the API")

    def update(self, instance, validated_data):
        for field, value in validated_data.items():
            setattr(instance, field, value)
        return holiday_save(holiday=instance, by=self.context["request"].user,
                            reason=f"Changed through the API: {', '.join(sorted(validated_data))}")


class PreviewInputSerializer(serializers.Serializer):
    start = PlausibleDateTimeField(
        help_text="ISO 8601. Without an offset it is the calendar's local time; a time "
                  "the clocks skip (spring forward) means the instant the gap ends, a time "
                  "they repeat (fall back) its first occurrence."
    )
    duration = BusinessDurationField(
        min_value=timedelta(0),
        help_text="Business time to add: ISO 8601 (PT2H, P1DT4H) or [DD ]HH:MM:SS.",
    )

    def __init__(self, *args, time_zone="UTC", **kwargs):
        super().__init__(*args, **kwargs)
        # A naive start means the calendar's wall clock, the zone its hours are written in.
        self.fields["start"].timezone = ZoneInfo(time_zone)


class CalendarInstantField(serializers.DateTimeField):
    """An instant shown with the calendar's UTC offset, as RFC 3339 writes it (±HH:MM).

    Before standard time a zone's offset is its local mean time, with seconds (New York
    −04:56:02 until 1883) that RFC 3339 cannot write; such instants are shown in UTC.
    """

    def enforce_timezone(self, value):
        value = super().enforce_timezone(value)
        offset = value.utcoffset()
        if offset is not None and offset.total_seconds() % 60:
            return value.astimezone(UTC)
        return value


class PreviewOutputSerializer(serializers.Serializer):
    start = CalendarInstantField()
    duration = serializers.DurationField()
    due_at = CalendarInstantField(help_text="When the business time runs out.")
    next_open_at = CalendarInstantField(help_text="When the clock would start counting.")
    calendar_time_zone = serializers.CharField()
    holidays_known_until = serializers.DateField(
        allow_null=True, help_text="The last day the generated public holidays cover.")
    beyond_holiday_coverage = serializers.BooleanField(
        help_text="The due date is past the holidays known: one may be missed.")
    wall_clock_span = serializers.DurationField(help_text="Real time from start to due.")
    business_elapsed_to_now = serializers.DurationField(
        help_text="Business time between start and now (zero when start is in the future)."
    )

    def __init__(self, *args, time_zone="UTC", **kwargs):
        super().__init__(*args, **kwargs)
        # Instants are shown with the calendar's offset: what a manager reads as local time.
        for name in ("start", "due_at", "next_open_at"):
            self.fields[name].timezone = ZoneInfo(time_zone)


class GenerateHolidaysSerializer(serializers.Serializer):
    country = serializers.CharField(max_length=2, min_length=2, help_text="ISO 3166, e.g. GB.")
    subdivision = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default="",
        help_text="e.g. ENG for England, NY for New York.",
    )
    year_from = serializers.IntegerField(min_value=1900, max_value=2200)
    year_to = serializers.IntegerField(min_value=1900, max_value=2200)


class ImportIcsSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="An .ics file (multipart).")
    url = serializers.URLField(required=False, help_text="An http(s) ICS address, re-read daily.")
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if bool(attrs.get("file")) == bool(attrs.get("url")):
            raise serializers.ValidationError("Send either an ICS file or a url, not both.")
        return attrs


# --- Views ---------------------------------------------------------------------------


# Refusals because of what the object is (built in, in use, owned by a feed) rather than
# what was sent: 409, with the service's own code, so a client can tell them from bad input.
CONFLICT_CODES = {"builtin_calendar", "calendar_in_use", "feed_holiday"}


class Refused(DomainError):
    status = 409

    def __init__(self, error: DjangoValidationError):
        super().__init__(" ".join(error.messages))
        self.code = error.code


def _conflicts_as_409(call, **kwargs):
    try:
        return call(**kwargs)
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) in CONFLICT_CODES:
            raise Refused(exc) from exc
        raise


@extend_schema_view(destroy=extend_schema(responses={
    204: None,
    409: OpenApiResponse(description="Built in, or still used by SLA clocks (code says which)."),
}))
class BusinessCalendarViewSet(viewsets.ModelViewSet):
    """Business calendars: a time zone, weekly working hours and holiday sources.

    Everyone with a role reads and previews; Managers create, change and delete.
    """

    queryset = (
        BusinessCalendar.objects.annotate(_holiday_count=Count("holidays"))
        .prefetch_related("working_hours", "feeds")
        .order_by("name")
    )
    serializer_class = BusinessCalendarSerializer
    permission_classes = [ActionPermissions]
    # The one place that says who may run each action; others follow the HTTP method.
    action_permissions = {
        "preview": ["core.view_businesscalendar"],
        "generate_holidays": ["core.change_businesscalendar", "core.add_holiday"],
        "import_ics": ["core.change_businesscalendar", "core.add_holiday"],
    }
    filterset_fields = ["time_zone", "is_builtin"]
    search_fields = ["name", "description", "time_zone"]
    ordering_fields = ["name", "time_zone", "created_at"]

    def perform_destroy(self, instance):
        _conflicts_as_409(calendar_delete, calendar=instance, by=self.request.user,
                          reason="Deleted through the API")

    @extend_schema(
        request=PreviewInputSerializer,
        responses={200: PreviewOutputSerializer},
        examples=[OpenApiExample(
            "Two business hours from Friday afternoon",
            value={"start": "2026-01-09T16:30:00+00:00", "duration": "PT2H"},
            request_only=True,
        )],
    )
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        """When a clock started at ``start`` for ``duration`` of business time falls due.

        Changes nothing; anyone who can read the calendar may ask. Instants come back
        in ISO 8601 with the calendar's offset.
        """
        calendar = self.get_object()
        serializer = PreviewInputSerializer(data=request.data, time_zone=calendar.time_zone)
        serializer.is_valid(raise_exception=True)
        result = calendar_preview(calendar=calendar, **serializer.validated_data)
        return Response(PreviewOutputSerializer(result, time_zone=calendar.time_zone).data)

    @extend_schema(request=GenerateHolidaysSerializer, responses={200: HolidayFeedSerializer})
    @action(detail=True, methods=["post"], url_path="generate-holidays")
    def generate_holidays(self, request, pk=None):
        """Add a country's public holidays for a span of years (Managers).

        Re-running for the same country and subdivision replaces that feed's holidays,
        so nothing is listed twice.
        """
        calendar = self.get_object()
        serializer = GenerateHolidaysSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feed = holidays_generate(calendar=calendar, by=request.user, **serializer.validated_data)
        return Response(HolidayFeedSerializer(feed).data)

    @extend_schema(
        request={"multipart/form-data": ImportIcsSerializer,
                 "application/json": ImportIcsSerializer},
        responses={200: HolidayFeedSerializer,
                   400: OpenApiResponse(description="Unreadable ICS, or the url failed")},
    )
    @action(detail=True, methods=["post"], url_path="import-ics",
            parser_classes=[MultiPartParser, FormParser, JSONParser])
    def import_ics(self, request, pk=None):
        """Import closures from an ICS calendar: an uploaded ``file`` or a ``url`` (Managers).

        All-day events close whole days; timed events close part of a day. A ``url``
        is read now and re-read daily; importing the same url again replaces its holidays.
        """
        calendar = self.get_object()
        serializer = ImportIcsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        url = serializer.validated_data.get("url", "")
        upload = serializer.validated_data.get("file")
        if url:
            try:
                content = fetch_ics(url)
            except OSError as exc:  # network failures: the caller's address, so a 400
                raise serializers.ValidationError({"url": [f"Cannot read {url}: {exc}"]}) from exc
        else:
            # One byte more than allowed, so the service can tell the file is too big.
            content = upload.read(MAX_ICS_BYTES + 1)
        feed = holidays_import_ics(
            calendar=calendar, content=content, by=request.user, url=url,
            name=serializer.validated_data["name"] or (upload.name if upload else ""),
        )
        return Response(HolidayFeedSerializer(feed).data)


@extend_schema_view(
    update=extend_schema(responses={200: HolidaySerializer, 409: OpenApiResponse(
        description="The holiday comes from a feed (code feed_holiday).")}),
    partial_update=extend_schema(responses={200: HolidaySerializer, 409: OpenApiResponse(
        description="The holiday comes from a feed (code feed_holiday).")}),
    destroy=extend_schema(responses={204: None, 409: OpenApiResponse(
        description="The holiday comes from a feed (code feed_holiday).")}),
)
class HolidayViewSet(viewsets.ModelViewSet):
    """Holidays of every calendar; filter with ``?calendar=ID``.

    Manual holidays are created, changed and deleted here (Managers); generated and
    imported ones are read-only, they belong to their feed.
    """

    queryset = Holiday.objects.order_by("calendar", "date", "closed_from")
    serializer_class = HolidaySerializer
    filterset_fields = {
        "calendar": ["exact"], "source": ["exact"], "feed": ["exact"],
        "date": ["exact", "gte", "lte"],
    }
    search_fields = ["name"]
    ordering_fields = ["date", "name"]

    def perform_update(self, serializer):
        _conflicts_as_409(serializer.save)

    def perform_destroy(self, instance):
        _conflicts_as_409(holiday_delete, holiday=instance, by=self.request.user,
                          reason="Deleted through the API")

