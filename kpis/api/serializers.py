from rest_framework import serializers

from ..choices import GroupBy
from ..models import COUNT_FIELDS, IntervalImport, IntervalStat, Queue
from ..services import MAX_PUSH, QUEUE_FIELDS


class QueueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Queue
        fields = ["id", *QUEUE_FIELDS]


class IntervalSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntervalStat
        fields = ["id", "queue", "start", "length_minutes", *COUNT_FIELDS]
        read_only_fields = fields


class IntervalPushItemSerializer(serializers.Serializer):
    """One interval of a push (documentation: the service validates every item)."""

    queue = serializers.CharField(help_text="The queue's id, name or export name.")
    start = serializers.DateTimeField(help_text="ISO 8601; without an offset, UTC.")
    length_minutes = serializers.ChoiceField(choices=[15, 30], required=False, default=30)

    def get_fields(self):
        fields = super().get_fields()
        for name in COUNT_FIELDS:
            fields[name] = serializers.IntegerField(min_value=0, required=False, default=0)
        return fields


class IntervalPushSerializer(serializers.Serializer):
    intervals = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=MAX_PUSH,
        help_text=f"Up to {MAX_PUSH:,} intervals ({{queue, start, length_minutes, counts…}}); "
                  "all are loaded or none.")
    dry_run = serializers.BooleanField(required=False, default=False,
                                       help_text="Validate and count; write nothing.")


class LoadResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    replaced = serializers.IntegerField()
    import_id = serializers.IntegerField(allow_null=True)



class IntervalImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntervalImport
        fields = ["id", "source", "format", "file_name", "by", "at", "outcome", "rows",
                  "created", "replaced", "errors", "rows_validated", "rows_written",
                  "attempts", "failure", "finished_at"]
        read_only_fields = fields


class MetricsQuerySerializer(serializers.Serializer):
    queue = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                  help_text="Queue ids (repeat the parameter); all if none.")
    channel = serializers.CharField(required=False)
    site = serializers.CharField(required=False, max_length=120)
    vendor = serializers.IntegerField(required=False, min_value=1)
    start = serializers.DateTimeField(help_text="From (inclusive), ISO 8601.")
    end = serializers.DateTimeField(help_text="To (exclusive), ISO 8601.")
    group_by = serializers.ChoiceField(choices=GroupBy.choices, default=GroupBy.QUEUE)
    treatment = serializers.ChoiceField(choices=["ignored", "negative", "positive"],
                                        required=False,
                                        help_text="Abandon treatment (default: each queue's "
                                                  "own when grouped by queue, else negative).")
    time_zone = serializers.CharField(required=False, default="UTC",
                                      help_text="Zone of days, weeks, months and intervals.")

    def validate_time_zone(self, value):
        from django.core.exceptions import ValidationError

        from core.validation import validate_time_zone

        try:
            validate_time_zone(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    def validate(self, data):
        if data["end"] <= data["start"]:
            raise serializers.ValidationError({"end": "After the start."})
        if (data["end"] - data["start"]).days > 3 * 366:
            raise serializers.ValidationError({"end": "At most three years at once."})
        return data


class MetricRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Queue id, channel, site, vendor id, ISO date or "
                                          "HH:MM, per group_by.")
    label = serializers.CharField()
    offered = serializers.IntegerField()
    answered = serializers.IntegerField()
    abandoned = serializers.IntegerField()
    short_abandons = serializers.IntegerField()
    callbacks_queued = serializers.IntegerField()
    handled = serializers.IntegerField()
    transfers = serializers.IntegerField()
    service_level_events = serializers.IntegerField()
    service_level = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    abandon_rate = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    short_abandon_rate = serializers.DecimalField(max_digits=7, decimal_places=2,
                                                  allow_null=True)
    aht = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    talk = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    hold = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    acw = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    asa = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    fcr = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    net_fcr = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    csat = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    nps = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    cost_per_contact = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, required=False,
        help_text="Money roles only, once a spend source (budgets) is installed.")
