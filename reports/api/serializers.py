"""Vendor review and pack API serializers: output renders, input parses; the services
in ``reports/services.py`` decide."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import BusinessCalendar
from vendors.models import Vendor, VendorContact

from ..choices import ActionItemState, PackFormat, PackKind, ReviewPeriod
from ..models import PackSchedule, ReportPack, ReviewActionItem, VendorReview


def _people():
    return get_user_model().objects.filter(is_active=True)


class ReviewActionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewActionItem
        fields = ["id", "review", "title", "owner", "due_date", "state", "done_at", "closed_in"]
        read_only_fields = fields


class ReviewActionItemInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = serializers.PrimaryKeyRelatedField(queryset=_people())
    due_date = serializers.DateField()


class ReviewActionItemCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[ActionItemState.DONE, ActionItemState.DROPPED],
                                      help_text="done or dropped")
    review = serializers.PrimaryKeyRelatedField(
        queryset=VendorReview.objects.all(), required=False, allow_null=True,
        help_text="The review in which it was closed.")


class PackSerializer(serializers.ModelSerializer):
    files = serializers.SerializerMethodField(
        help_text="Download links by format (only when done; downloads need money roles).")

    class Meta:
        model = ReportPack
        fields = ["id", "kind", "review", "vendor", "period", "period_start", "period_end",
                  "formats",
                  "version", "status", "progress", "step", "error", "attempts", "parameters",
                  "data_version", "created_by", "created_at", "started_at", "finished_at",
                  "files"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_files(self, pack) -> dict:
        names = {"html": pack.html, "pdf": pack.pdf, "xlsx": pack.xlsx, "csv": pack.csv_zip}
        return {fmt: reverse("reports:pack-file", args=[pack.pk, fmt])
                for fmt, stored in names.items() if stored}


class PackInputSerializer(serializers.Serializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all())
    period = serializers.ChoiceField(choices=ReviewPeriod.choices)
    period_start = serializers.DateField(help_text="A day in the month or quarter.")
    formats = serializers.ListField(child=serializers.ChoiceField(choices=PackFormat.choices),
                                    required=False, allow_empty=False)


class GenerateSerializer(serializers.Serializer):
    formats = serializers.ListField(child=serializers.ChoiceField(choices=PackFormat.choices),
                                    required=False, allow_empty=False)


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = VendorReview
        fields = ["id", "vendor", "period", "period_start", "period_end", "meeting_date",
                  "attendees", "vendor_attendees", "agenda", "decisions", "state", "pack",
                  "held_at", "published_at", "created_by", "created_at"]
        read_only_fields = fields


class ReviewDetailSerializer(ReviewSerializer):
    """One review, with the open action items of earlier reviews carried over to it."""

    carried_over = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "carried_over"]
        read_only_fields = fields

    @extend_schema_field(ReviewActionItemSerializer(many=True))
    def get_carried_over(self, review):
        from ..services import carried_over_items

        return ReviewActionItemSerializer(carried_over_items(review), many=True).data


class ReviewInputSerializer(serializers.Serializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all())
    period = serializers.ChoiceField(choices=ReviewPeriod.choices)
    period_start = serializers.DateField(help_text="A day in the month or quarter.")
    meeting_date = serializers.DateField()
    attendees = serializers.PrimaryKeyRelatedField(queryset=_people(), many=True,
                                                   required=False)
    vendor_attendees = serializers.PrimaryKeyRelatedField(
        queryset=VendorContact.objects.all(), many=True, required=False)
    agenda = serializers.CharField(required=False, allow_blank=True)


class ReviewUpdateSerializer(serializers.Serializer):
    meeting_date = serializers.DateField(required=False)
    agenda = serializers.CharField(required=False, allow_blank=True)


class DecisionsSerializer(serializers.Serializer):
    decisions = serializers.CharField(allow_blank=False)


class EmptySerializer(serializers.Serializer):
    pass


class PackScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = PackSchedule
        fields = ["id", "name", "kind", "active", "period", "formats", "calendar", "owner",
                  "email_owners", "next_run_at", "last_error", "created_by", "created_at"]
        read_only_fields = fields


class PackScheduleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=PackKind.choices, required=False,
                                   default=PackKind.VENDOR)
    formats = serializers.ListField(child=serializers.ChoiceField(choices=PackFormat.choices),
                                    required=False, allow_empty=False)
    calendar = serializers.PrimaryKeyRelatedField(
        queryset=BusinessCalendar.objects.all(), required=False, allow_null=True,
        help_text="Business calendar whose first working day runs it (weekdays when empty).")
    owner = serializers.PrimaryKeyRelatedField(
        queryset=_people(), required=False, allow_null=True,
        help_text="Executive pack: who receives it and whose view it shows (you by default).")
    email_owners = serializers.BooleanField(required=False, default=True)
