"""Read-only API for SLA clocks and the signed-in user's notifications."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.filters import FilterSet
from core.calendars import EngineCache
from core.clocks import clock_kind, clock_remaining, clock_status
from core.models import Notification, SlaClock, SlaClockEvent


class SlaClockEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaClockEvent
        fields = ["kind", "threshold", "at", "by", "detail"]


class SlaClockSerializer(serializers.ModelSerializer):
    owner_type = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    remaining_seconds = serializers.SerializerMethodField()
    events = SlaClockEventSerializer(many=True, read_only=True)

    class Meta:
        model = SlaClock
        fields = [
            "id", "owner_type", "object_id", "kind", "label", "cycle", "calendar", "target",
            "state", "status", "outcome", "started_at", "paused_at", "pause_reason",
            "paused_total", "stopped_at", "due_at", "breached_at", "warn_thresholds",
            "warnings_fired", "remaining_seconds", "events",
        ]

    def get_owner_type(self, clock) -> str:
        return f"{clock.content_type.app_label}.{clock.content_type.model}"

    def get_label(self, clock) -> str:
        return clock_kind(clock.kind).label

    def get_status(self, clock) -> str:
        return clock_status(clock, self.context["now"]).value

    def get_remaining_seconds(self, clock) -> int:
        remaining = clock_remaining(clock, self.context["now"], self.context["engines"])
        return int(remaining.total_seconds())


class SlaClockFilter(FilterSet):
    owner_type = django_filters.CharFilter(method="filter_owner_type",
                                           help_text="app_label.model, e.g. incidents.incident")
    breached = django_filters.BooleanFilter(field_name="breached_at", lookup_expr="isnull",
                                            exclude=True)

    class Meta:
        model = SlaClock
        fields = ["owner_type", "object_id", "kind", "state", "outcome", "breached"]

    def filter_owner_type(self, queryset, name, value):
        app_label, _, model = value.lower().partition(".")
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        return queryset.filter(content_type=content_type) if content_type else queryset.none()


class SlaClockViewSet(viewsets.ReadOnlyModelViewSet):
    """SLA clocks, read-only: filter by `owner_type` + `object_id` for one object's clocks.

    Clocks change only through the workflows that own them (incident, escalation…).
    """

    queryset = (
        SlaClock.objects.select_related("calendar", "content_type")
        # Calendars' hours and holidays come with the page, so the remaining time of
        # every clock is computed without a query per clock.
        .prefetch_related("events", "calendar__working_hours", "calendar__holidays")
        .order_by("due_at", "pk")
    )
    serializer_class = SlaClockSerializer
    filterset_class = SlaClockFilter
    ordering_fields = ["due_at", "started_at", "breached_at"]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now(),
                "engines": EngineCache()}


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's notifications ("my work"), newest first."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        return Notification.objects.filter(recipient=self.request.user).order_by("-created_at")

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read."""
        notification = self.get_object()
        if notification.read_at is None:
            # Bookkeeping, not an audited change (only snoozes are recorded).
            notification.read_at = timezone.now()
            Notification.objects.filter(pk=notification.pk).update(read_at=notification.read_at)
        return Response(NotificationSerializer(notification).data)
