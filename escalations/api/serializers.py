"""Customer, escalation and SLA policy API serializers.

``CustomerSerializer`` renders only what the reader may see
(``escalations/visibility.py``), on its own and inside an escalation; the input
serializers parse and hand the fields to ``escalations/services.py``, which decides.
No serializer saves, except the SLA policy's (plain configuration, validated by the
model's ``full_clean``).
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from core.api.fast_read import FastReadMixin, PrefetchedListSerializer
from core.api.fields import ModelSerializer, PlausibleDateTimeField, TimelineFieldsMixin
from core.api.serializers import UserSummarySerializer, allowed_transitions_for
from core.audit import save_with_audit
from core.clocks import running_clocks_by_object
from core.models import Team
from incidents.api.serializers import ClockSummarySerializer, clock_summaries
from incidents.models import Channel, Incident

from .. import services
from ..choices import EscalationCategory, EscalationPriority
from ..clock_kinds import REGULATORY_CLOCK
from ..models import (
    Customer,
    Escalation,
    EscalationSlaPolicy,
    EscalationTimelineEvent,
    RegulatoryRegime,
)
from ..visibility import (
    COMPENSATION_FIELDS,
    CUSTOMER_FIELDS,
    MONEY_FIELDS,
    PERSONAL_FIELDS,
    can_see_compensation,
    customer_hidden_fields,
)

PERSONAL_HELP = "Personal data: present only for roles that see it (Manager, Escalation Lead)."
MONEY_HELP = "Money: present only for roles that see it (Manager, Vendor Manager, Finance)."


class CustomerSerializer(FastReadMixin, serializers.ModelSerializer):
    """A customer as the reader may see it. Fields the reader's role may not see are
    left out of the body altogether (not nulled), so their absence is unambiguous."""

    tier_label = serializers.CharField(source="get_tier_display", read_only=True)

    class Meta:
        model = Customer
        fields = [*CUSTOMER_FIELDS, "tier_label"]
        read_only_fields = [name for name in fields
                            if name not in (*PERSONAL_FIELDS, *MONEY_FIELDS)]
        # Never used for input (writes have their own serializers); not read-only, so
        # that the schema marks these conditional fields as optional.
        extra_kwargs = {
            **{name: {"required": False, "help_text": PERSONAL_HELP}
               for name in PERSONAL_FIELDS},
            **{name: {"required": False, "help_text": MONEY_HELP} for name in MONEY_FIELDS},
        }

    def _hidden(self):
        if "hidden" not in self.context:
            request = self.context.get("request")
            self.context["hidden"] = customer_hidden_fields(getattr(request, "user", None))
        return self.context["hidden"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in self._hidden():
            data.pop(name, None)
        return data


class CustomerWriteSerializer(serializers.ModelSerializer):
    """The fields a customer is created or edited with (the service checks the
    reader may see each one)."""

    class Meta:
        model = Customer
        fields = ["account_reference", "name", "tier", "annual_value", "email", "phone",
                  "address", "notes"]
        extra_kwargs = {
            # Uniqueness and the tombstone prefix are the service's (full_clean) to check.
            "account_reference": {"validators": []},
            "annual_value": {"required": False},
        }


class CustomerEraseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        help_text="Why the customer is erased, e.g. the request's reference. Kept in the "
                  "audit history: no personal data here.")


class CustomerExportHistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    change = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    by = serializers.CharField(allow_null=True, help_text="Username of who made the change.")
    reason = serializers.CharField()
    fields = serializers.DictField(help_text="The customer's fields as they were then.")


class CustomerExportSerializer(serializers.Serializer):
    """Everything held about a customer (documentation of the export's shape)."""

    exported_at = serializers.DateTimeField()
    exported_by = serializers.CharField()
    customer = serializers.DictField(help_text="Every current field, personal data included.")
    history = CustomerExportHistorySerializer(many=True, help_text="Oldest first.")
    escalations = serializers.ListField(
        child=serializers.DictField(),
        help_text="Their escalations, oldest first, each with its fields, compensation, "
                  "linked incidents, timeline (notes and updates as read), tier changes, "
                  "clock pause reasons and history.")
    compensation_total = serializers.DictField(
        help_text="Compensation offered and approved across their escalations.")
    notifications = serializers.ListField(
        child=serializers.DictField(),
        help_text="Notifications about their escalations or naming them: when, to whom, "
                  "title, body, link.")


# --- Escalations ------------------------------------------------------------------------


COMPENSATION_HELP = ("Compensation: present only for roles that work escalations or see "
                     "money.")


class RegimeSummarySerializer(FastReadMixin, serializers.ModelSerializer):
    class Meta:
        model = RegulatoryRegime
        fields = ["id", "code", "name", "is_example"]
        read_only_fields = fields


class LinkedIncidentSerializer(FastReadMixin, serializers.ModelSerializer):
    """A linked incident as the escalation shows it: its live state and severity."""

    severity = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)

    class Meta:
        model = Incident
        fields = ["id", "reference", "title", "state", "severity"]
        read_only_fields = fields
        list_serializer_class = PrefetchedListSerializer  # the list view prefetches them


class EscalationSerializer(FastReadMixin, serializers.ModelSerializer):
    """An escalation as read. Every field is read-only: writes go through the actions.
    The customer is shown as the reader may see it (no personal data without
    ``core.view_customer_personal_data``)."""

    customer = CustomerSerializer(read_only=True)
    channel = serializers.SlugRelatedField(slug_field="key", read_only=True)
    owner = UserSummarySerializer(read_only=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = UserSummarySerializer(read_only=True)
    policy_name = serializers.CharField(source="policy.name", read_only=True, allow_null=True,
                                        default=None)
    clocks = serializers.SerializerMethodField(
        help_text="Running and paused SLA clocks (all of them are at "
                  "/api/clocks/?owner_type=escalations.escalation&object_id=…)."
    )
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Transitions you may try from the current state (requirements unchecked)."
    )
    policy_current_version = serializers.IntegerField(
        source="policy.version", read_only=True, allow_null=True, default=None,
        help_text="The policy's version now; when it is above `policy_version` the clocks "
                  "still hold the older targets (a manager may `apply-policy`).")
    regulatory_regime = RegimeSummarySerializer(read_only=True, allow_null=True)
    regulatory_deadline = serializers.SerializerMethodField(
        help_text="When the regulator's final response is due (the regulatory clock's due "
                  "instant), or null.")
    incidents = LinkedIncidentSerializer(many=True, read_only=True,
                                         help_text="Linked incidents, with their state now.")
    compensation_offered_by = UserSummarySerializer(read_only=True, allow_null=True)
    compensation_approved_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Escalation
        fields = [
            "id", "reference", "customer", "channel", "category", "priority", "summary",
            "description", "requested_outcome", "owner", "team", "tier", "state",
            "previous_state", "allowed_transitions", "containment_note", "resolution",
            "root_cause_review", "withdraw_reason", "policy", "policy_name", "policy_version",
            "policy_current_version", "regulatory_regime", "regulatory_deadline",
            "regulatory_extended_at", "regulatory_extension_reason", *COMPENSATION_FIELDS,
            "incidents", "created_by", "created_at", "triaged_at", "contained_at",
            "resolved_at", "closed_at", "reopened_at", "clocks",
        ]
        read_only_fields = fields
        # Left out of the body for roles that may not see them (to_representation).
        fields_shown_by_role = COMPENSATION_FIELDS
        extra_kwargs = {name: {"help_text": COMPENSATION_HELP}
                        for name in ("compensation_offered", "compensation_note",
                                     "compensation_offered_at", "compensation_approved",
                                     "compensation_approved_at")}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if "show_compensation" not in self.context:
            request = self.context.get("request")
            self.context["show_compensation"] = can_see_compensation(
                getattr(request, "user", None))
        if not self.context["show_compensation"]:
            for name in COMPENSATION_FIELDS:
                data.pop(name, None)
        return data

    def _clocks(self, escalation):
        clocks = self.context.get("clocks")
        if clocks is None:  # one escalation rendered on its own
            clocks = running_clocks_by_object([escalation])
        return clocks.get(escalation.pk, [])

    def get_regulatory_deadline(self, escalation) -> datetime | None:
        if not escalation.regulatory_regime_id:
            return None
        for clock in self._clocks(escalation):
            if clock.kind == REGULATORY_CLOCK:
                return serializers.DateTimeField().to_representation(clock.due_at) \
                    if clock.due_at else None
        return None

    @extend_schema_field(ClockSummarySerializer(many=True))
    def get_clocks(self, escalation):
        return clock_summaries(self, self._clocks(escalation))

    def get_allowed_transitions(self, escalation) -> list[str]:
        return allowed_transitions_for(self, escalation)


def _regime_field():
    return serializers.SlugRelatedField(
        slug_field="code", queryset=RegulatoryRegime.objects.all(), required=False,
        allow_null=True, help_text="Regulatory regime code, e.g. uk-fca-disp.")


def _user_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), **kwargs)


class EscalationCreateSerializer(serializers.Serializer):
    """Open an escalation (``escalation_create``)."""

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(),
                                                  help_text="Customer id.")
    category = serializers.ChoiceField(choices=EscalationCategory.choices, required=False,
                                       allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=EscalationPriority.choices, required=False,
                                       allow_blank=True, default="")
    summary = serializers.CharField(max_length=200, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        help_text="Card numbers are masked on input.")
    requested_outcome = serializers.CharField(required=False, allow_blank=True, default="")
    channel = serializers.SlugRelatedField(slug_field="key", required=False, allow_null=True,
                                           queryset=Channel.objects.filter(active=True),
                                           help_text="Channel key, e.g. chat.")
    owner = _user_field(required=False, allow_null=True, help_text="User id.")
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(),
                                        required=False, allow_null=True,
                                        help_text="Team slug.")
    regulatory_regime = _regime_field()
    received_at = PlausibleDateTimeField(
        required=False, allow_null=True,
        help_text="When the customer complained, if earlier than now (ISO 8601): the "
                  "clocks count from then.")


class EscalationEditSerializer(serializers.Serializer):
    """Change some fields (``escalation_edit``); the others stay as they are."""

    summary = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    requested_outcome = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=EscalationCategory.choices, required=False,
                                       allow_blank=True)
    priority = serializers.ChoiceField(choices=EscalationPriority.choices, required=False,
                                       allow_blank=True)
    channel = serializers.SlugRelatedField(slug_field="key", required=False, allow_null=True,
                                           queryset=Channel.objects.all())
    owner = _user_field(required=False, allow_null=True, help_text="User id.")
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(),
                                        required=False, allow_null=True)
    regulatory_regime = _regime_field()


class EscalationNoteSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text="Card numbers are masked.")
    customer_update = serializers.BooleanField(
        default=False, help_text="An update sent to the customer: it is the first response "
                                 "if none was given yet and restarts the update cadence.")


class CompensationOfferSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2,
                                      help_text="In the configured currency.")
    note = serializers.CharField(allow_blank=True, help_text="What the compensation is for.")


class IncidentRefSerializer(serializers.Serializer):
    incident = serializers.SlugRelatedField(slug_field="reference",
                                            queryset=Incident.objects.all(),
                                            help_text="The incident's reference, e.g. "
                                                      "INC-2026-0042.")


class LinkEscalationsSerializer(serializers.Serializer):
    escalations = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Escalation.objects.all(), help_text="Escalation ids.")


class LinkResultSerializer(serializers.Serializer):
    linked = serializers.ListField(child=serializers.IntegerField(),
                                   help_text="Ids of the escalations linked by this call.")
    escalations = EscalationSerializer(many=True, help_text="Every linked escalation.")


# Transition inputs. Text a guard requires is optional here on purpose: the model's
# guard is the one rule, and its 400 names the field (e.g. ``containment_note``).


class EscalationTriageSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=EscalationPriority.choices, required=False,
                                       help_text="Defaults to the escalation's.")
    owner = _user_field(required=False, help_text="User id; defaults to the escalation's.")
    category = serializers.ChoiceField(choices=EscalationCategory.choices, required=False,
                                       help_text="Defaults to the escalation's.")


class EscalationContainSerializer(serializers.Serializer):
    containment_note = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="How the customer was contacted and the interim remedy (required).")


class EscalationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="Required.")


class EscalationResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="The resolution agreed with the customer (required).")


class EscalationCloseSerializer(serializers.Serializer):
    root_cause_review = serializers.CharField(
        required=False, allow_blank=True,
        help_text="The root-cause review; defaults to the one already written (required).")


class EscalationWithdrawSerializer(serializers.Serializer):
    withdraw_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Why the customer withdrew the escalation (required).")


class EscalationTimelineEventSerializer(TimelineFieldsMixin, serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True)

    class Meta:
        model = EscalationTimelineEvent
        fields = ["id", "kind", "event", "params", "at", "actor", "text"]
        read_only_fields = fields


# --- SLA policies ------------------------------------------------------------------------


class EscalationSlaPolicySerializer(ModelSerializer):
    """An SLA policy. Checked by the model's ``full_clean`` (positive targets, known
    clock kinds); saved with an audited reason. Clocks already running keep their
    targets."""

    class Meta:
        model = EscalationSlaPolicy
        fields = [
            "id", "name", "order", "active", "priority", "customer_tier", "category",
            "regulatory_regime", "first_response", "update_cadence", "containment",
            "resolution", "calendar", "first_response_calendar", "update_calendar",
            "containment_calendar", "resolution_calendar", "pause_in_awaiting_customer",
            "pause_cap", "pause_cap_unit", "version",
        ]
        read_only_fields = ["id", "version"]

    def validate(self, attrs):
        instance = self.instance or EscalationSlaPolicy()
        fields = EscalationSlaPolicy._meta.concrete_fields
        candidate = EscalationSlaPolicy(
            **{field.attname: getattr(instance, field.attname) for field in fields})
        candidate._state.adding = instance._state.adding  # unique checks exclude itself
        for name, value in attrs.items():
            setattr(candidate, name, value)
        try:
            candidate.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from exc
        return attrs

    def _save(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.policy_save(policy=instance, by=self.context["request"].user)

    def create(self, validated_data):
        return self._save(EscalationSlaPolicy(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class RegulatoryRegimeSerializer(serializers.ModelSerializer):
    """A regulator's complaint rule. Validated by the model (an extension must allow
    more days); saved with an audited reason."""

    rule = serializers.CharField(source="rule_text", read_only=True)

    class Meta:
        model = RegulatoryRegime
        fields = ["id", "code", "name", "jurisdiction", "description", "final_response_days",
                  "counting", "calendar", "extended_days", "extension_conditions",
                  "reference_url", "is_example", "active", "rule"]
        read_only_fields = ["id", "rule"]

    def validate(self, attrs):
        candidate = RegulatoryRegime(**{
            field.attname: getattr(self.instance, field.attname)
            for field in RegulatoryRegime._meta.concrete_fields} if self.instance else {})
        candidate._state.adding = self.instance is None
        for name, value in attrs.items():
            setattr(candidate, name, value)
        try:
            candidate.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from exc
        return attrs

    def _save(self, instance, validated_data, reason):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        save_with_audit(instance, by=self.context["request"].user, reason=reason)
        return instance

    def create(self, validated_data):
        return self._save(RegulatoryRegime(), validated_data, "Created")

    def update(self, instance, validated_data):
        return self._save(instance, validated_data,
                          f"Changed: {', '.join(sorted(validated_data)) or 'nothing'}")
