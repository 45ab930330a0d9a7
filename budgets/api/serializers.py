"""Budget, spend, initiative and rate API serializers.

Output serializers render what the reader may see: an initiative's amounts and its
baseline's rates only for roles that see money (``budgets/visibility.py``), left out of
the body otherwise. Input serializers parse and hand the fields to the services, which
decide; none of them saves.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import PlausibleDateField
from core.api.filters import MAX_ID
from core.api.serializers import UserSummarySerializer, allowed_transitions_for

from .. import money
from ..choices import BenefitKind, BenefitMethod, BudgetCategory, CostType, RateKind
from ..importing import MAX_PUSH
from ..models import (
    MONEY,
    RATE,
    Baseline,
    BenefitRecord,
    Budget,
    BudgetAlert,
    CostCenter,
    CostRate,
    FiscalYear,
    Initiative,
    SpendEntry,
    SpendImport,
)
from ..visibility import (
    BASELINE_MONEY_FIELDS,
    INITIATIVE_MONEY_FIELDS,
    baseline_hidden_fields,
    initiative_hidden_fields,
)

# Sums and ratios of amounts: wider than one amount's column, so rendering never overflows.
TOTAL = {"max_digits": 24, "decimal_places": 2}
MONEY_HELP = "Money: present only for roles that see it (Manager, Vendor Manager, Finance)."


def _people():
    return get_user_model().objects.filter(is_active=True)


def _money_field(**kwargs):
    return serializers.DecimalField(**MONEY, **kwargs)


class _HidesMoney:
    """Leaves the fields the reader may not see out of the body (not nulled)."""

    hidden_fields = staticmethod(lambda user: set())

    def _hidden(self):
        key = f"hidden:{type(self).__name__}"
        if key not in self.context:
            request = self.context.get("request")
            self.context[key] = type(self).hidden_fields(getattr(request, "user", None))
        return self.context[key]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in self._hidden():
            data.pop(name, None)
        return data


# --- Fiscal years and cost centers ------------------------------------------------------------


class FiscalYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = FiscalYear
        fields = ["id", "name", "first_day", "last_day"]
        read_only_fields = fields


class CostCenterSerializer(serializers.ModelSerializer):
    class Meta:
        model = CostCenter
        fields = ["id", "code", "name", "active"]
        # Uniqueness is the service's (full_clean) to check, with the rest.
        extra_kwargs = {"code": {"validators": []}}


# --- Budgets ----------------------------------------------------------------------------------


class BudgetSerializer(serializers.ModelSerializer):
    """A budget with what has been spent against it (summed in the list's one query)."""

    fiscal_year_name = serializers.CharField(source="fiscal_year.name", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    cost_center_code = serializers.CharField(source="cost_center.code", read_only=True)
    label = serializers.CharField(read_only=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    planned = _money_field(source="amount", read_only=True,
                           help_text="The budget's amount for the year.")
    actual = serializers.SerializerMethodField(
        help_text="Spend booked against it, credits offset (negative entries) included.")
    remaining = serializers.SerializerMethodField(help_text="Planned − actual.")
    consumption_percent = serializers.SerializerMethodField(
        help_text="Actual ÷ planned × 100, to two decimals; null for a zero budget.")
    monthly = serializers.SerializerMethodField(
        help_text="The twelve monthly amounts from the year's first month (the phasing, or "
                  "even).")
    contracts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Budget
        fields = ["id", "fiscal_year", "fiscal_year_name", "category", "category_label",
                  "cost_center", "cost_center_code", "name", "label", "owner", "amount",
                  "currency", "planned", "actual", "remaining", "consumption_percent",
                  "phasing", "monthly", "alert_thresholds", "contracts", "notes",
                  "created_at"]
        read_only_fields = fields

    def _actual(self, budget) -> Decimal:
        actual = budget.__dict__.get("actual")  # lists annotate it in the query
        if actual is None:
            from ..services import spent

            actual = spent([budget])
        return Decimal(actual).quantize(money.CENT)

    @extend_schema_field(serializers.DecimalField(**TOTAL))
    def get_actual(self, budget):
        return str(self._actual(budget))

    @extend_schema_field(serializers.DecimalField(**TOTAL))
    def get_remaining(self, budget):
        return str((budget.amount - self._actual(budget)).quantize(money.CENT))

    @extend_schema_field(serializers.DecimalField(max_digits=40, decimal_places=2,
                                                  allow_null=True))
    def get_consumption_percent(self, budget):
        percent = money.consumption_percent(self._actual(budget), budget.amount)
        return None if percent is None else str(percent)

    @extend_schema_field(serializers.ListField(child=serializers.DecimalField(**MONEY)))
    def get_monthly(self, budget):
        return [str(value) for value in money.phasing_of(budget.amount, budget.phasing)]


class BudgetWriteSerializer(serializers.Serializer):
    fiscal_year = serializers.CharField(
        max_length=20, help_text="The fiscal year's id or its name (FY2027), a year created "
                                 "on first use.")
    category = serializers.ChoiceField(choices=BudgetCategory.choices)
    cost_center = serializers.PrimaryKeyRelatedField(queryset=CostCenter.objects.all())
    amount = _money_field(min_value=Decimal("0"))
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    owner = serializers.PrimaryKeyRelatedField(queryset=_people(), required=False,
                                               allow_null=True, help_text="A user id.")
    phasing = serializers.ListField(
        child=_money_field(min_value=Decimal("0")), required=False, max_length=12,
        help_text="Twelve monthly amounts adding up to the amount; empty: even.")
    alert_thresholds = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=1000), required=False,
        max_length=20, help_text="Percentages that alert once each, e.g. [80, 100].")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class BudgetUpdateSerializer(serializers.Serializer):
    """What a budget changes after it is set (its year, category and cost center stay)."""

    amount = _money_field(min_value=Decimal("0"), required=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    owner = serializers.PrimaryKeyRelatedField(queryset=_people(), required=False,
                                               allow_null=True, help_text="A user id.")
    phasing = serializers.ListField(child=_money_field(min_value=Decimal("0")),
                                    required=False, max_length=12)
    alert_thresholds = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=1000), required=False,
        max_length=20)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                   help_text="Why (kept in the history).")


class BudgetAlertSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = BudgetAlert
        fields = ["id", "scope", "fiscal_year", "category", "category_label", "budget",
                  "threshold", "consumed", "planned", "fired_at"]
        read_only_fields = fields


# --- Spend ------------------------------------------------------------------------------------


class SpendEntrySerializer(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True, allow_null=True,
                                        default=None)
    contract_reference = serializers.CharField(source="contract.reference", read_only=True,
                                               allow_null=True, default=None)
    initiative_reference = serializers.CharField(source="initiative.reference",
                                                 read_only=True, allow_null=True, default=None)
    recorded_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = SpendEntry
        fields = ["id", "budget", "date", "amount", "currency", "cost_type", "vendor",
                  "vendor_name", "contract", "contract_reference", "initiative",
                  "initiative_reference", "invoice_reference", "description", "origin",
                  "service_credit", "spend_import", "recorded_by", "recorded_at"]
        read_only_fields = fields


def _vendor_field(**kwargs):
    from vendors.models import Vendor

    return serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all(), required=False,
                                              allow_null=True, **kwargs)


def _contract_field(**kwargs):
    from vendors.models import Contract

    return serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all(), required=False,
                                              allow_null=True, **kwargs)


class SpendWriteSerializer(serializers.Serializer):
    budget = serializers.PrimaryKeyRelatedField(queryset=Budget.objects.all())
    date = PlausibleDateField()
    amount = _money_field(help_text="Negative for a refund or a credit.")
    cost_type = serializers.ChoiceField(choices=CostType.choices, required=False)
    vendor = _vendor_field()
    contract = _contract_field(help_text="A contract alone gives its vendor.")
    initiative = serializers.PrimaryKeyRelatedField(queryset=Initiative.objects.all(),
                                                    required=False, allow_null=True)
    invoice_reference = serializers.CharField(required=False, allow_blank=True, max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SpendUpdateSerializer(SpendWriteSerializer):
    budget = serializers.PrimaryKeyRelatedField(queryset=Budget.objects.all(), required=False)
    date = PlausibleDateField(required=False)
    amount = _money_field(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                   help_text="Why it is corrected (kept in the history).")


class ReasonQuerySerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=300)


class SpendPushSerializer(serializers.Serializer):
    entries = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=MAX_PUSH,
        help_text=f"Up to {MAX_PUSH:,} entries, each {{date, amount, budget, vendor?, "
                  "contract?, initiative?, invoice_reference?, description?, cost_type?}}: "
                  "budget by id or FY2026/category/cost center code, vendor, contract and "
                  "initiative by id (a number) or name/reference (text). All are written or "
                  "none.")


class SpendPushResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    total = serializers.DecimalField(**TOTAL)
    entries = serializers.ListField(child=serializers.IntegerField(),
                                    help_text="The ids of the entries written, in order.")


class SpendImportSerializer(serializers.ModelSerializer):
    by = UserSummarySerializer(read_only=True)

    class Meta:
        model = SpendImport
        fields = ["id", "file_name", "by", "at", "outcome", "rows", "total", "errors"]
        read_only_fields = fields


class SpendImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX with a header row: date, amount, "
                                           "budget, vendor, contract, initiative, "
                                           "invoice_reference, description, cost_type.")


# --- Initiatives ------------------------------------------------------------------------------


class InitiativeSerializer(_HidesMoney, serializers.ModelSerializer):
    """An initiative as the reader may see it: every role reads it, amounts only for
    roles that see money."""

    hidden_fields = staticmethod(initiative_hidden_fields)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    owner = UserSummarySerializer(read_only=True)
    approved_by = UserSummarySerializer(read_only=True, allow_null=True)
    queues = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Transitions you may try from the current state (requirements unchecked).")

    class Meta:
        model = Initiative
        fields = ["id", "reference", "title", "description", "state", "state_label", "owner",
                  "budget", "vendor", "contract", "queues", "currency", "estimated_cost",
                  "expected_benefit", "approved_cost", "approved_by", "approved_at",
                  "started_at", "delivered_at", "review_after_months", "review_due_on",
                  "reviewed_at", "realised_benefit", "review_notes", "cancelled_at",
                  "cancel_reason", "allowed_transitions", "created_at"]
        read_only_fields = fields
        # Left out of the body for roles that may not see them (to_representation).
        fields_shown_by_role = INITIATIVE_MONEY_FIELDS
        extra_kwargs = {name: {"help_text": MONEY_HELP} for name in INITIATIVE_MONEY_FIELDS}

    def get_allowed_transitions(self, initiative) -> list[str]:
        return allowed_transitions_for(self, initiative)


class InitiativeWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    owner = serializers.PrimaryKeyRelatedField(queryset=_people(), required=False,
                                               allow_null=True,
                                               help_text="A user id; default: you.")
    budget = serializers.PrimaryKeyRelatedField(queryset=Budget.objects.all(), required=False,
                                                allow_null=True)
    vendor = _vendor_field()
    contract = _contract_field()
    queues = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                                   required=False, max_length=200,
                                   help_text="The ids of the queues it is meant to improve.")
    estimated_cost = _money_field(required=False, allow_null=True, min_value=Decimal("0"))
    expected_benefit = _money_field(required=False, allow_null=True, min_value=Decimal("0"),
                                    help_text="Expected benefit per year.")
    review_after_months = serializers.IntegerField(required=False, min_value=1, max_value=36)

    def validate_queues(self, value):
        from kpis.models import Queue

        found = set(Queue.objects.filter(pk__in=value).values_list("pk", flat=True))
        missing = [pk for pk in value if pk not in found]
        if missing:
            raise serializers.ValidationError(f"No queue with id {missing[0]}.")
        return list(Queue.objects.filter(pk__in=value))


class InitiativeUpdateSerializer(InitiativeWriteSerializer):
    title = serializers.CharField(max_length=200, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ApproveSerializer(serializers.Serializer):
    approved_cost = _money_field(min_value=Decimal("0"), help_text="The cost approved.")
    expected_benefit = _money_field(required=False, allow_null=True, min_value=Decimal("0"),
                                    help_text="Expected benefit per year (required unless "
                                              "stated before).")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ReviewBenefitsSerializer(serializers.Serializer):
    realised_benefit = _money_field(required=False, allow_null=True,
                                    help_text="Empty: the measured benefits so far.")
    notes = serializers.CharField(allow_blank=True, max_length=5000)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000,
                                   help_text="Why the initiative is cancelled (required).")


class BaselineSerializer(_HidesMoney, serializers.ModelSerializer):
    hidden_fields = staticmethod(baseline_hidden_fields)
    taken_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = Baseline
        fields = ["initiative", "method", "period_start", "period_end", "aht_seconds",
                  "containment_percent", "contacts_per_month", "cost_per_minute",
                  "cost_per_contact", "from_kpi_data", "taken_by", "taken_at"]
        read_only_fields = fields
        fields_shown_by_role = BASELINE_MONEY_FIELDS
        extra_kwargs = {name: {"help_text": MONEY_HELP} for name in BASELINE_MONEY_FIELDS}


class BaselineTakeSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=[BenefitMethod.AHT_REDUCTION,
                                              BenefitMethod.CONTAINMENT])
    period_start = PlausibleDateField(required=False, allow_null=True,
                                      help_text="With period_end: take the figures from the "
                                                "queues' KPI data over the period.")
    period_end = PlausibleDateField(required=False, allow_null=True,
                                    help_text="The day after the period's last day.")
    cost_per_minute = serializers.DecimalField(**RATE, min_value=Decimal("0"), required=False,
                                               allow_null=True,
                                               help_text="Loaded agent cost per minute.")
    cost_per_contact = serializers.DecimalField(**RATE, min_value=Decimal("0"), required=False,
                                                allow_null=True)
    aht_seconds = serializers.DecimalField(max_digits=10, decimal_places=2,
                                           min_value=Decimal("0"), required=False,
                                           allow_null=True,
                                           help_text="Used where the period has no KPI data.")
    containment = serializers.DecimalField(max_digits=6, decimal_places=2,
                                           min_value=Decimal("0"), max_value=Decimal("100"),
                                           required=False, allow_null=True,
                                           help_text="Percent; used where the period has no "
                                                     "KPI data.")
    contacts_per_month = serializers.IntegerField(min_value=0, max_value=2_000_000_000,
                                                  required=False, allow_null=True)


class BenefitRecordSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    recorded_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = BenefitRecord
        fields = ["id", "initiative", "period_start", "period_end", "kind", "kind_label",
                  "method", "method_label", "amount", "currency", "basis", "note",
                  "recorded_by", "recorded_at"]
        read_only_fields = fields


class BenefitInputSerializer(serializers.Serializer):
    period_start = PlausibleDateField(help_text="Any day of the month the benefit is for.")
    amount = _money_field()
    kind = serializers.ChoiceField(choices=BenefitKind.choices, required=False,
                                   default=BenefitKind.COST_SAVED)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DeriveBenefitSerializer(serializers.Serializer):
    period_start = PlausibleDateField(help_text="Any day of the month to derive.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class SeriesPointSerializer(serializers.Serializer):
    month = serializers.DateField()
    cost = serializers.DecimalField(**TOTAL, help_text="Cumulative cost to this month.")
    benefit = serializers.DecimalField(**TOTAL, help_text="Cumulative benefit to this month.")


class InitiativeFiguresSerializer(serializers.Serializer):
    cost = serializers.DecimalField(**TOTAL, help_text="What ROI divides by.")
    cost_source = serializers.ChoiceField(
        choices=["spend", "approved", "estimated"],
        help_text="The spend entries booked on it, else the approved, else the estimated "
                  "cost.")
    one_time_cost = serializers.DecimalField(**TOTAL)
    recurring_cost = serializers.DecimalField(**TOTAL)
    benefit = serializers.DecimalField(**TOTAL, help_text="Measured benefits to date.")
    months_measured = serializers.IntegerField()
    roi_percent = serializers.DecimalField(max_digits=40, decimal_places=2, allow_null=True,
                                           help_text="(benefit − cost) ÷ cost × 100.")
    payback_months = serializers.DecimalField(
        max_digits=40, decimal_places=1, allow_null=True,
        help_text="One-time cost ÷ (monthly benefit − monthly recurring cost).")
    expected_roi_percent = serializers.DecimalField(
        max_digits=40, decimal_places=2, allow_null=True,
        help_text="(expected yearly benefit − approved cost) ÷ approved cost × 100.")
    expected_payback_months = serializers.DecimalField(
        max_digits=40, decimal_places=1, allow_null=True,
        help_text="Approved cost ÷ (expected yearly benefit ÷ 12).")
    series = SeriesPointSerializer(many=True, help_text="Cumulative cost and benefit by month, "
                                                        "for the chart.")
    formulas = serializers.DictField(child=serializers.CharField(),
                                     help_text="How each figure is computed, to show beside "
                                               "it.")


FORMULAS = {
    "roi_percent": "ROI = (benefit − cost) ÷ cost",
    "payback_months": "Payback = one-time cost ÷ (monthly benefit − monthly recurring cost)",
    "expected_roi_percent": "Expected ROI = (expected yearly benefit − approved cost) ÷ "
                            "approved cost",
    "expected_payback_months": "Expected payback = approved cost ÷ (expected yearly benefit "
                               "÷ 12)",
}


# --- Rates ------------------------------------------------------------------------------------


class CostRateSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CostRate
        fields = ["id", "kind", "kind_label", "role", "channel", "queue", "amount", "currency",
                  "effective_from"]
        read_only_fields = fields


class CostRateWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RateKind.choices)
    role = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                 help_text="Responder rates: the incident role.")
    channel = serializers.CharField(required=False, allow_blank=True, max_length=12,
                                    help_text="Lost-contact rates: the queue channel.")
    queue = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                     max_value=MAX_ID,
                                     help_text="Lost-contact rates: one queue's id (wins over "
                                               "its channel).")
    amount = serializers.DecimalField(**RATE, min_value=Decimal("0"))
    effective_from = PlausibleDateField()

    def validate_queue(self, value):
        if value is None:
            return None
        from kpis.models import Queue

        queue = Queue.objects.filter(pk=value).first()
        if queue is None:
            raise serializers.ValidationError(f"No queue with id {value}.")
        return queue


class CostRateUpdateSerializer(CostRateWriteSerializer):
    kind = serializers.ChoiceField(choices=RateKind.choices, required=False)
    amount = serializers.DecimalField(**RATE, min_value=Decimal("0"), required=False)
    effective_from = PlausibleDateField(required=False)
