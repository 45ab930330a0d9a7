"""Vendor, contract and attribution API serializers.

Output serializers render what the reader may see: a contract's value and fee lines
only for roles that see money (``vendors/visibility.py``), left out of the body
otherwise. Input serializers parse and hand the fields to ``vendors/services.py``,
which decides; none of them saves.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import UserSummarySerializer

from ..choices import (
    ExclusionKind,
    FeeKind,
    RenewalDecision,
    RiskRating,
)
from ..models import (
    Contract,
    ContractDeadline,
    ContractDocument,
    ContractRenewal,
    DowntimeExclusion,
    FeeLine,
    Vendor,
    VendorAttribution,
    VendorContact,
)
from ..visibility import contract_hidden_fields

MONEY_HELP = "Money: present only for roles that see it (Manager, Vendor Manager, Finance)."


def _people():
    return get_user_model().objects.filter(is_active=True)


# --- Vendors --------------------------------------------------------------------------------


class VendorContactSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = VendorContact
        fields = ["id", "vendor", "name", "role", "role_label", "email", "phone", "hours",
                  "escalation_order", "notes"]


class VendorContactWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = VendorContact
        fields = ["name", "role", "email", "phone", "hours", "escalation_order", "notes"]


class VendorContactCreateSerializer(VendorContactWriteSerializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all())

    class Meta(VendorContactWriteSerializer.Meta):
        fields = ["vendor", *VendorContactWriteSerializer.Meta.fields]


class VendorSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    risk_rating_label = serializers.CharField(source="get_risk_rating_display", read_only=True)
    account_manager = UserSummarySerializer(read_only=True)
    risk_reviewed_by = UserSummarySerializer(read_only=True)
    contacts = VendorContactSerializer(many=True, read_only=True)

    class Meta:
        model = Vendor
        fields = ["id", "name", "category", "category_label", "status", "status_label",
                  "risk_rating", "risk_rating_label", "risk_reason", "risk_reviewed_at",
                  "risk_reviewed_by", "account_manager", "website", "support_portal",
                  "status_page_url", "notes", "contacts", "created_at"]
        read_only_fields = fields


class VendorWriteSerializer(serializers.ModelSerializer):
    account_manager = serializers.PrimaryKeyRelatedField(queryset=_people(), required=False,
                                                         allow_null=True,
                                                         help_text="A user id (ours).")

    class Meta:
        model = Vendor
        fields = ["name", "category", "account_manager", "website", "support_portal",
                  "status_page_url", "notes"]
        # Uniqueness is the service's (full_clean) to check, with the others.
        extra_kwargs = {"name": {"validators": []}}


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=300)


class RiskReviewSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=RiskRating.choices)
    reason = serializers.CharField(allow_blank=True)
    reviewed_on = serializers.DateField(required=False, allow_null=True, default=None)


# --- Contracts ------------------------------------------------------------------------------


class FeeLineSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=FeeKind.choices, default=FeeKind.SUBSCRIPTION)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    class Meta:
        model = FeeLine
        fields = ["name", "kind", "amount", "notes"]


class ContractSerializer(serializers.ModelSerializer):
    """A contract as the reader may see it (money only for money roles)."""

    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    vendor_category = serializers.CharField(source="vendor.category", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    owner = UserSummarySerializer(read_only=True)
    decided_by = serializers.PrimaryKeyRelatedField(read_only=True)
    fee_lines = FeeLineSerializer(many=True, read_only=True, help_text=MONEY_HELP)
    next_date = serializers.SerializerMethodField(
        help_text="The notice date while it is ahead and the contract may renew; "
                  "else the end date.")
    awaiting_decision = serializers.SerializerMethodField(
        help_text="Running, open to renewal, and no renewal decision recorded yet.")
    notice_missed = serializers.SerializerMethodField(
        help_text="Past the notice date with no decision: a breach.")

    class Meta:
        model = Contract
        fields = ["id", "reference", "vendor", "vendor_name", "vendor_category", "title",
                  "services", "start_date", "end_date", "notice_date", "next_date",
                  "value", "billing_period", "currency", "fee_lines", "owner", "predecessor",
                  "renewal_type", "renewal_term_months", "notice_period", "notice_unit",
                  "downtime_counts_until", "maintenance_notice_days", "state", "state_label",
                  "decision", "decision_reason", "decided_by", "decided_at",
                  "awaiting_decision", "notice_missed", "notice_given_on", "notice_note",
                  "terminated_on", "termination_reason", "created_at"]
        read_only_fields = fields
        extra_kwargs = {"value": {"help_text": MONEY_HELP}}

    def _today(self):
        if "today" not in self.context:
            self.context["today"] = timezone.localdate()
        return self.context["today"]

    def _hidden(self):
        if "hidden" not in self.context:
            request = self.context.get("request")
            self.context["hidden"] = contract_hidden_fields(getattr(request, "user", None))
        return self.context["hidden"]

    def get_next_date(self, contract) -> str:
        annotated = contract.__dict__.get("next_date")  # lists annotate it in the query
        return (annotated or contract.next_date_on(self._today())).isoformat()

    def get_awaiting_decision(self, contract) -> bool:
        return contract.awaits_decision

    def get_notice_missed(self, contract) -> bool:
        return contract.awaits_decision and contract.notice_date < self._today()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in self._hidden():
            data.pop(name, None)
        return data


class ContractWriteSerializer(serializers.ModelSerializer):
    """The fields a contract is created or edited with. ``value`` and ``fee_lines`` are
    money: a role that does not see money may not send them (403)."""

    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all())
    owner = serializers.PrimaryKeyRelatedField(queryset=_people(), required=False,
                                               allow_null=True, help_text="A user id.")
    predecessor = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all(),
                                                     required=False, allow_null=True)
    fee_lines = FeeLineSerializer(many=True, required=False,
                                  help_text="Replaces every fee line. " + MONEY_HELP)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                      help_text="Empty: the next CTR-<year>-NNNN.")

    class Meta:
        model = Contract
        fields = ["reference", "vendor", "title", "services", "start_date", "end_date",
                  "value", "billing_period", "owner", "predecessor", "renewal_type",
                  "renewal_term_months", "notice_period", "notice_unit",
                  "downtime_counts_until", "maintenance_notice_days", "fee_lines"]
        extra_kwargs = {"value": {"help_text": MONEY_HELP}}


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=RenewalDecision.choices)
    reason = serializers.CharField(allow_blank=True)


class NoticeSerializer(serializers.Serializer):
    given_on = serializers.DateField(required=False, allow_null=True, default=None,
                                     help_text="The day notice was given to the vendor.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RenewSerializer(serializers.Serializer):
    new_end_date = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text="Empty: one renewal term.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TerminateSerializer(serializers.Serializer):
    terminated_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ContractDocumentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    uploaded_by = UserSummarySerializer(read_only=True)
    file_name = serializers.CharField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ContractDocument
        fields = ["id", "contract", "title", "kind", "kind_label", "file_name", "size",
                  "uploaded_by", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, document) -> str:
        return reverse("vendors:document", args=[document.contract_id, document.pk])


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, allow_null=True, default=None)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    kind = serializers.ChoiceField(choices=ContractDocument._meta.get_field("kind").choices,
                                   default="contract")


class ContractRenewalSerializer(serializers.ModelSerializer):
    renewed_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = ContractRenewal
        fields = ["id", "renewed_at", "renewed_by", "automatic", "previous_end_date",
                  "new_end_date", "decision", "note"]


class ContractDeadlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractDeadline
        fields = ["id", "kind", "lead_days", "for_date", "due_at", "fired_at", "outcome"]


# --- Attribution and downtime ---------------------------------------------------------------


class VendorAttributionSerializer(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    added_by = UserSummarySerializer(read_only=True)
    incident_reference = serializers.CharField(source="incident.reference", read_only=True,
                                               default=None)
    escalation_reference = serializers.CharField(source="escalation.reference",
                                                 read_only=True, default=None)

    class Meta:
        model = VendorAttribution
        fields = ["id", "vendor", "vendor_name", "contract", "incident", "incident_reference",
                  "escalation", "escalation_reference", "reason", "added_by", "added_at"]
        read_only_fields = fields


class AttributionCreateSerializer(serializers.Serializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all())
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all(),
                                                  required=False, allow_null=True,
                                                  default=None)
    incident = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        help_text="An incident id (or an escalation).")
    escalation = serializers.IntegerField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class WorkItemVendorSerializer(serializers.Serializer):
    """A vendor named on an incident or escalation, with the contacts to call."""

    attribution = serializers.IntegerField(source="pk")
    vendor = serializers.IntegerField(source="vendor_id")
    vendor_name = serializers.CharField(source="vendor.name")
    category = serializers.CharField(source="vendor.category")
    status_page_url = serializers.CharField(source="vendor.status_page_url")
    contract = serializers.CharField(source="contract.reference", default=None)
    reason = serializers.CharField()
    call_list = VendorContactSerializer(source="vendor.call_list", many=True)


class WorkItemVendorAddSerializer(serializers.Serializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all())
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all(),
                                                  required=False, allow_null=True,
                                                  default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DowntimeExclusionSerializer(serializers.ModelSerializer):
    tagged_by = UserSummarySerializer(read_only=True)
    kind = serializers.ChoiceField(choices=ExclusionKind.choices)

    class Meta:
        model = DowntimeExclusion
        fields = ["id", "vendor", "incident", "kind", "starts_at", "ends_at", "reason",
                  "notice_given_at", "tagged_by", "tagged_at"]
        read_only_fields = ["id", "tagged_by", "tagged_at"]
        extra_kwargs = {"reason": {"allow_blank": True}}

    def validate(self, attrs):
        # The rules (window order, notice, the incident being the vendor's) are the
        # service's; the model's own check would answer them first and differently.
        return attrs


class MonthMinutesSerializer(serializers.Serializer):
    month = serializers.DateField()
    minutes = serializers.FloatField()


class IncidentDowntimeSerializer(serializers.Serializer):
    incident = serializers.IntegerField(source="attribution.incident_id")
    reference = serializers.CharField(source="incident.reference")
    title = serializers.CharField(source="incident.title")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    ongoing = serializers.BooleanField()
    counts_until = serializers.CharField()
    minutes = serializers.SerializerMethodField(
        help_text="In the period, after exclusions; overlapping incidents each count "
                  "here but once in the vendor's total.")

    def get_minutes(self, row) -> float:
        return round(row.seconds / 60, 2)


class DowntimeSerializer(serializers.Serializer):
    vendor = serializers.IntegerField(source="vendor_id")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    minutes = serializers.SerializerMethodField()
    months = serializers.SerializerMethodField()
    incidents = IncidentDowntimeSerializer(many=True)
    exclusions = DowntimeExclusionSerializer(many=True)

    def get_minutes(self, downtime) -> float:
        return round(downtime.seconds / 60, 2)

    @extend_schema_field(MonthMinutesSerializer(many=True))
    def get_months(self, downtime):
        return [{"month": month.date().isoformat(), "minutes": round(seconds / 60, 2)}
                for month, seconds in sorted(downtime.months.items())]

