"""SLA objectives, measurements, compliance and service credits in the API. Money
(fee base, credit amounts, the explanation that names them) only for money roles."""

from rest_framework import serializers

from ..choices import (
    BandKind,
    ClaimWindowFrom,
    Comparator,
    CreditPayment,
    ExclusionKind,
    MeasurementPeriod,
    MinimumRule,
    SlaMetric,
    UptimeFormula,
)
from ..models import (
    Compliance,
    CreditBand,
    CreditSchedule,
    Measurement,
    ServiceCredit,
    SlaObjective,
)
from ..visibility import can_see_money

FIGURE = {"max_digits": 16, "decimal_places": 4}
MONEY = {"max_digits": 14, "decimal_places": 2}


class FeeLineIds(serializers.ListField):
    """Fee line ids in and out (a related manager when read from a schedule)."""

    def to_representation(self, data):
        if hasattr(data, "all"):
            return [line.pk for line in data.all()]
        return super().to_representation(data)


class CreditBandSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=BandKind.choices, default=BandKind.VALUE)
    lower = serializers.DecimalField(**FIGURE, required=False, allow_null=True, default=None,
                                     help_text="Lower bound, inclusive (null: none).")
    upper = serializers.DecimalField(**FIGURE, required=False, allow_null=True, default=None,
                                     help_text="Upper bound, exclusive (null: none).")
    percent = serializers.DecimalField(**FIGURE, help_text="Credit in percent of the fee base.")

    class Meta:
        model = CreditBand
        fields = ["kind", "lower", "upper", "percent"]


class CreditScheduleSerializer(serializers.ModelSerializer):
    bands = CreditBandSerializer(many=True, required=False, default=list)
    fee_lines = FeeLineIds(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False,
        default=list, max_length=50,
        help_text="Fee line ids of the contract: the fee base (none: every recurring line).")
    minimum_amount = serializers.DecimalField(**MONEY, required=False, default=0, min_value=0)
    minimum_rule = serializers.ChoiceField(choices=MinimumRule.choices, default="at_least")
    cap_percent = serializers.DecimalField(**FIGURE, required=False, allow_null=True,
                                           default=None)
    cap_amount = serializers.DecimalField(**MONEY, required=False, allow_null=True, default=None)
    claim_window_days = serializers.IntegerField(min_value=1, max_value=365, default=30)
    claim_window_from = serializers.ChoiceField(choices=ClaimWindowFrom.choices,
                                                default="period_end")
    payment = serializers.ChoiceField(choices=CreditPayment.choices, default="future_invoices")
    earn_back_periods = serializers.IntegerField(min_value=1, max_value=12, required=False,
                                                 allow_null=True, default=None)
    duration_per_outage = serializers.BooleanField(default=True)

    class Meta:
        model = CreditSchedule
        fields = ["bands", "fee_lines", "duration_per_outage", "minimum_amount", "minimum_rule",
                  "cap_percent", "cap_amount", "claim_window_days", "claim_window_from",
                  "payment", "earn_back_periods"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not can_see_money(getattr(request, "user", None)):
            for name in ("minimum_amount", "cap_amount", "fee_lines"):
                data.pop(name, None)
        return data


class SlaObjectiveSerializer(serializers.ModelSerializer):
    schedule = CreditScheduleSerializer(read_only=True)
    contract_reference = serializers.CharField(source="contract.reference", read_only=True)

    class Meta:
        model = SlaObjective
        fields = ["id", "series", "version", "effective_from", "contract", "contract_reference",
                  "name", "metric", "comparator", "target", "period", "queue_ids", "options",
                  "uptime_formula", "excluded_kinds", "tolerance", "weight", "active",
                  "schedule", "created_at"]
        read_only_fields = fields


class SlaObjectiveWriteSerializer(serializers.Serializer):
    """An objective and its credit schedule (every public vendor shape as data)."""

    name = serializers.CharField(max_length=120)
    metric = serializers.ChoiceField(choices=SlaMetric.choices)
    comparator = serializers.ChoiceField(choices=Comparator.choices, default="at_least")
    target = serializers.DecimalField(**FIGURE)
    period = serializers.ChoiceField(choices=MeasurementPeriod.choices, default="month")
    queue_ids = serializers.ListField(child=serializers.IntegerField(min_value=1,
                                                                     max_value=2**31 - 1),
                                      required=False, default=list, max_length=200)
    options = serializers.DictField(required=False, default=dict,
                                    help_text="threshold_seconds, abandon_treatment, "
                                              "short_abandon_seconds, min_presented_seconds, "
                                              "priority, maintenance_notice_days, repeat_days, "
                                              "interval_target (service level or abandon rate "
                                              "judged per interval: the % each must reach)")
    uptime_formula = serializers.ChoiceField(choices=UptimeFormula.choices,
                                             default="excluded_added_back")
    excluded_kinds = serializers.ListField(child=serializers.ChoiceField(
        choices=ExclusionKind.choices), required=False, default=list(ExclusionKind.values),
        max_length=10)
    tolerance = serializers.DecimalField(**FIGURE, default=0)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, default=1)
    schedule = CreditScheduleSerializer(required=False)
    effective_from = serializers.DateField(required=False, allow_null=True, default=None)


class SlaObjectiveCreateSerializer(SlaObjectiveWriteSerializer):
    contract = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class SlaObjectiveReviseSerializer(serializers.Serializer):
    """New terms from a date: any objective field, and the whole schedule if given."""

    effective_from = serializers.DateField()
    name = serializers.CharField(max_length=120, required=False)
    comparator = serializers.ChoiceField(choices=Comparator.choices, required=False)
    target = serializers.DecimalField(**FIGURE, required=False)
    uptime_formula = serializers.ChoiceField(choices=UptimeFormula.choices, required=False)
    excluded_kinds = serializers.ListField(child=serializers.ChoiceField(
        choices=ExclusionKind.choices), required=False, max_length=10)
    tolerance = serializers.DecimalField(**FIGURE, required=False)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)
    active = serializers.BooleanField(required=False)
    schedule = CreditScheduleSerializer(required=False)


class MeasurementSerializer(serializers.ModelSerializer):
    objective_name = serializers.CharField(source="objective.name", read_only=True)

    class Meta:
        model = Measurement
        fields = ["id", "objective", "objective_name", "period_start", "period_end", "source",
                  "origin", "value", "detail", "basis", "recorded_by", "recorded_at"]
        read_only_fields = fields


class MeasurementRowSerializer(serializers.Serializer):
    objective = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    period_start = serializers.DateField(help_text="The period's first day.")
    value = serializers.CharField(max_length=40)
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MeasurementBatchSerializer(serializers.Serializer):
    """Vendor-reported figures pushed at once: all recorded, or none (every bad row
    named in ``errors.rows``)."""

    measurements = serializers.ListField(child=serializers.DictField(), min_length=1,
                                         max_length=5000)


class ComplianceSerializer(serializers.ModelSerializer):
    objective_name = serializers.CharField(source="objective.name", read_only=True)
    vendor = serializers.IntegerField(source="objective.contract.vendor_id", read_only=True)
    credit = serializers.SerializerMethodField()

    class Meta:
        model = Compliance
        fields = ["id", "objective", "objective_name", "vendor", "period_start", "period_end",
                  "source", "value", "met", "shortfall", "band", "percent", "fee_base",
                  "credit_amount", "currency", "explanation", "self_value", "vendor_value",
                  "flagged", "score", "computed_at", "credit"]
        read_only_fields = fields

    def get_credit(self, compliance) -> int | None:
        credit = getattr(compliance, "credit", None) if hasattr(compliance, "credit") else None
        return credit.pk if credit else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not can_see_money(getattr(request, "user", None)):
            for name in ("fee_base", "credit_amount", "explanation", "percent", "credit"):
                data.pop(name, None)
        return data


class ServiceCreditSerializer(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    objective_name = serializers.CharField(source="objective.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = ServiceCredit
        fields = ["id", "vendor", "vendor_name", "contract", "objective", "objective_name",
                  "compliance", "period_start", "period_end", "currency", "amount",
                  "explanation", "state", "state_label", "claim_deadline", "claim_window_start",
                  "window_missed_at", "claimed_at", "claimed_amount", "accepted_at",
                  "agreed_amount", "disputed_at", "dispute_reason", "received_at",
                  "received_amount", "received_reference", "waived_at", "waive_reason",
                  "created_at"]
        read_only_fields = fields


class ClaimSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, required=False, allow_null=True, default=None,
                                      help_text="Empty: the amount due.")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AcceptSerializer(serializers.Serializer):
    agreed_amount = serializers.DecimalField(**MONEY, required=False, allow_null=True,
                                             default=None,
                                             help_text="Empty: as claimed; less: in part.")


class DisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class ReclaimSerializer(serializers.Serializer):
    counter_amount = serializers.DecimalField(**MONEY)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReceiveSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, required=False, allow_null=True, default=None,
                                      help_text="Empty: as agreed.")
    reference = serializers.CharField(max_length=120, required=False, allow_blank=True,
                                      default="")


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class LetterSerializer(serializers.Serializer):
    markdown = serializers.CharField()
