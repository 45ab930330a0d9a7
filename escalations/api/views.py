"""Customer, escalation and SLA policy API.

Customers: list, read, create, edit; export and erase on request. Escalations: list,
read, open, and one ``@action`` per transition, each calling its service in
``escalations/services.py`` (which locks, checks the state, the permission and the
guards, audits, writes the timeline and moves the clocks). Refusals come back through
the shared exception handler: 409 with the allowed transitions, 400 naming the missing
field, 403 for permissions. SLA policies: managers' configuration.

Who sees which customer fields is ``escalations/visibility.py``'s, in escalation
payloads too. Who may call which endpoint is declared once per viewset in
``action_permissions``.
"""

import django_filters
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.filters import (
    FilterBackend,
    FilterSet,
    IdFilter,
    PlausibleIsoDateTimeFilter,
    UserIdOrMeFilter,
)
from core.api.permissions import ActionPermissions
from core.api.schema import TRANSITION_ERRORS, validated_input
from incidents.models import Incident

from .. import services
from ..choices import (
    CustomerTier,
    EscalationCategory,
    EscalationPriority,
    EscalationState,
    Tier,
)
from ..models import Customer, Escalation, EscalationSlaPolicy, RegulatoryRegime
from ..selectors import escalation_timeline_for
from ..services.links import LINK_PERMISSION
from ..visibility import ERASE_PERMISSION, customer_search_fields
from .serializers import (
    CompensationOfferSerializer,
    CustomerEraseSerializer,
    CustomerExportSerializer,
    CustomerSerializer,
    CustomerWriteSerializer,
    EscalationCloseSerializer,
    EscalationContainSerializer,
    EscalationCreateSerializer,
    EscalationEditSerializer,
    EscalationNoteSerializer,
    EscalationReasonSerializer,
    EscalationResolveSerializer,
    EscalationSerializer,
    EscalationSlaPolicySerializer,
    EscalationTimelineEventSerializer,
    EscalationTriageSerializer,
    EscalationWithdrawSerializer,
    IncidentRefSerializer,
    LinkEscalationsSerializer,
    LinkResultSerializer,
    RegulatoryRegimeSerializer,
    running_clocks_by_escalation,
)


class CustomerSearchFilter(filters.SearchFilter):
    """``?search=`` matches the account reference; the name and email too, but only
    for roles that may see them (a match would reveal them otherwise)."""

    def get_search_fields(self, view, request):
        return customer_search_fields(request.user)


class CustomerFilter(FilterSet):
    tier = django_filters.MultipleChoiceFilter(choices=CustomerTier.choices,
                                               help_text="Repeat for several tiers.")
    erased = django_filters.BooleanFilter(field_name="erased_at", lookup_expr="isnull",
                                          exclude=True, help_text="Erased on request or not.")

    class Meta:
        model = Customer
        fields = ["tier", "erased"]


@extend_schema_view(
    list=extend_schema(summary="List customers"),
    retrieve=extend_schema(summary="One customer",
                           responses={200: CustomerSerializer}),
)
class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Customers whose escalations the desk works.

    Personal data (name, email, phone, address, notes) is in the body only for roles
    that see it (Manager, Escalation Lead); the annual value only for roles that see
    money (Manager, Vendor Manager, Finance). Everyone who may read customers sees the
    account reference and the tier.
    """

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = [FilterBackend, CustomerSearchFilter, filters.OrderingFilter]
    filterset_class = CustomerFilter
    ordering_fields = ["account_reference", "tier", "created_at"]
    ordering = ["account_reference", "pk"]
    action_permissions = {
        "create": ["escalations.add_customer"],
        "partial_update": ["escalations.change_customer"],
        "export": [ERASE_PERMISSION],
        "erase": [ERASE_PERMISSION],
    }

    def _respond(self, customer, status_code=status.HTTP_200_OK):
        customer = Customer.objects.get(pk=customer.pk)
        return Response(self.get_serializer(customer).data, status=status_code)

    @extend_schema(summary="Add a customer", request=CustomerWriteSerializer,
                   responses={201: CustomerSerializer})
    def create(self, request, *args, **kwargs):
        """Add a customer. Notes are PCI-redacted on input. A role may only set the
        fields it may see (403 otherwise)."""
        data = validated_input(self, CustomerWriteSerializer)
        customer = services.customer_create(by=request.user, **data)
        return self._respond(customer, status.HTTP_201_CREATED)

    @extend_schema(summary="Edit a customer", request=CustomerWriteSerializer,
                   responses={200: CustomerSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change some fields; the audit history lists which. An erased customer
        cannot be edited (400)."""
        data = validated_input(self, CustomerWriteSerializer, partial=True)
        customer = services.customer_update(customer=self.get_object(), by=request.user,
                                            **data)
        return self._respond(customer)

    @extend_schema(summary="Export everything held about the customer",
                   responses={200: CustomerExportSerializer})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """Managers only: the current fields and every history row (when, who, why,
        the fields as they were), for a subject-access request."""
        return Response(services.customer_export(customer=self.get_object(), by=request.user))

    @extend_schema(summary="Erase the customer's personal data on request",
                   request=CustomerEraseSerializer,
                   responses={200: CustomerSerializer})
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """Managers only: replaces the name, account reference, contact details and
        notes with a tombstone in the customer and in all of its history, keeps the
        tier, value and dates, and records the erasure with its `reason`. Erasing
        twice is refused (400)."""
        data = validated_input(self, CustomerEraseSerializer)
        customer = services.customer_erase(customer=self.get_object(), by=request.user,
                                           reason=data["reason"])
        return self._respond(customer)



# --- Escalations ------------------------------------------------------------------------

CHANGE_ESCALATION = ["escalations.change_escalation"]


class EscalationFilter(FilterSet):
    # distinct=False: no many-valued join here, and SELECT DISTINCT over every column
    # made large lists spill to disk (bench/bench_escalation_queue.py).
    state = django_filters.MultipleChoiceFilter(choices=EscalationState.choices, distinct=False,
                                                help_text="Repeat for several states.")
    category = django_filters.MultipleChoiceFilter(choices=EscalationCategory.choices,
                                                   distinct=False, help_text="Repeat for several.")
    priority = django_filters.MultipleChoiceFilter(choices=EscalationPriority.choices,
                                                   distinct=False, help_text="Repeat for several.")
    tier = django_filters.MultipleChoiceFilter(choices=Tier.choices, distinct=False,
                                               help_text="Repeat for several tiers.")
    owner = UserIdOrMeFilter(field_name="owner", help_text="A user id, or `me`.")
    customer = IdFilter(field_name="customer_id", help_text="Customer id.")
    created_after = PlausibleIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = PlausibleIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Escalation
        fields = ["state", "category", "priority", "tier", "owner", "customer",
                  "created_after", "created_before"]


@extend_schema_view(
    list=extend_schema(summary="List escalations"),
    retrieve=extend_schema(summary="One escalation",
                           responses={200: EscalationSerializer}),
)
class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Customer escalations: open, read, and run through their lifecycle.

    `new → triaged → contained → resolved → review → closed`, with `await-customer`
    (from triaged or contained; `customer-replied` returns to where it was), `reopen`
    (from resolved or closed, within the reopen window) and `withdraw`. Each transition
    is its own `POST /api/escalations/{id}/<transition>/`. `?ordering=next_due` puts the
    nearest deadline first. The customer is shown without personal data to roles that
    may not see it.
    """

    queryset = Escalation.objects.all()
    serializer_class = EscalationSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = EscalationFilter
    search_fields = ["reference", "summary"]
    ordering_fields = ["created_at", "reference", "priority", "state", "tier", "next_due"]
    ordering = ["-created_at", "-pk"]
    action_permissions = {
        "create": ["escalations.add_escalation"],
        "partial_update": CHANGE_ESCALATION,
        "notes": ["escalations.view_escalation"],  # reading; adding is checked below
        "offer_compensation": CHANGE_ESCALATION,
        "approve_compensation": ["escalations.approve_compensation"],
        "extend_regulatory_deadline": CHANGE_ESCALATION,
        "apply_policy": ["escalations.change_escalationslapolicy"],
        "link_incident": [LINK_PERMISSION],
        "unlink_incident": [LINK_PERMISSION],
        "triage": CHANGE_ESCALATION,
        "contain": CHANGE_ESCALATION,
        "await_customer": CHANGE_ESCALATION,
        "customer_replied": CHANGE_ESCALATION,
        "resolve": CHANGE_ESCALATION,
        "start_review": CHANGE_ESCALATION,
        "close": CHANGE_ESCALATION,
        "reopen": CHANGE_ESCALATION,
        "withdraw": CHANGE_ESCALATION,
        "escalate_tier": CHANGE_ESCALATION,
        "deescalate_tier": CHANGE_ESCALATION,
        # Who may acknowledge (the receiving tier's leads or a manager) is the service's
        # rule; reading the escalation is enough to ask.
        "acknowledge_tier": ["escalations.view_escalation"],
        "timeline": ["escalations.view_escalationtimelineevent"],
    }

    def read_queryset(self):
        """Everything the representation shows, in a fixed number of queries."""
        # Two joins, the rest prefetched: PostgreSQL spent ~40 ms *planning* a ten-table
        # join on every list request (bench/bench_escalation_queue.py), against ~1 ms to
        # run it; a prefetch is one small indexed query each, whatever the page size.
        return Escalation.objects.select_related("customer", "owner").prefetch_related(
            "channel", "team", "policy", "created_by", "regulatory_regime",
            "compensation_offered_by", "compensation_approved_by", Prefetch("incidents",
                                    queryset=Incident.objects.select_related("severity")
                                    .order_by("declared_at", "pk")))

    def get_queryset(self):
        if self.action == "list":
            # ?ordering=next_due orders by the column the clocks keep (indexed).
            return self.read_queryset().annotate(next_due=F("sla_due_at"))
        if self.action == "retrieve":
            return self.read_queryset()
        # Writes re-read the row under lock in the service.
        return Escalation.objects.all()

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        escalations = list(page if page is not None else queryset)
        # One query for the clocks of the whole page.
        serializer = self.get_serializer(escalations, many=True, context={
            **self.get_serializer_context(),
            "clocks": running_clocks_by_escalation(escalations),
        })
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def _respond(self, escalation, status_code=status.HTTP_200_OK):
        escalation = self.read_queryset().get(pk=escalation.pk)
        return Response(EscalationSerializer(escalation,
                                             context=self.get_serializer_context()).data,
                        status=status_code)

    @extend_schema(summary="Open an escalation", request=EscalationCreateSerializer,
                   responses={201: EscalationSerializer})
    def create(self, request, *args, **kwargs):
        """Open an escalation. It gets a reference; the first SLA policy that matches
        (priority, customer tier, category) is recorded and its clocks start. Free text
        is PCI-masked."""
        data = validated_input(self, EscalationCreateSerializer)
        escalation = services.escalation_create(by=request.user, **data)
        return self._respond(escalation, status.HTTP_201_CREATED)

    # --- Transitions -------------------------------------------------------------------

    @extend_schema(summary="Triage", request=EscalationTriageSerializer,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        """new → triaged. Needs `priority`, `owner` and `category` (given here or
        already set)."""
        data = validated_input(self, EscalationTriageSerializer)
        escalation = services.escalation_triage(escalation=self.get_object(),
                                                by=request.user, **data)
        return self._respond(escalation)

    @extend_schema(summary="Contain", request=EscalationContainSerializer,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def contain(self, request, pk=None):
        """triaged → contained. Needs `containment_note`: how the customer was contacted
        and the interim remedy. Stops the first-response and containment clocks."""
        data = validated_input(self, EscalationContainSerializer)
        escalation = services.escalation_contain(escalation=self.get_object(),
                                                 by=request.user,
                                                 note=data["containment_note"])
        return self._respond(escalation)

    @extend_schema(summary="Await the customer", request=EscalationReasonSerializer,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="await-customer")
    def await_customer(self, request, pk=None):
        """triaged or contained → awaiting_customer, with a `reason`. The clocks the
        policy names pause."""
        data = validated_input(self, EscalationReasonSerializer)
        escalation = services.escalation_await_customer(escalation=self.get_object(),
                                                        by=request.user, reason=data["reason"])
        return self._respond(escalation)

    @extend_schema(summary="The customer replied", request=None,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="customer-replied")
    def customer_replied(self, request, pk=None):
        """awaiting_customer → the state it came from. Paused clocks resume."""
        escalation = services.escalation_customer_replied(escalation=self.get_object(),
                                                          by=request.user)
        return self._respond(escalation)

    @extend_schema(summary="Resolve", request=EscalationResolveSerializer,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """triaged or contained → resolved. Needs `resolution`, agreed with the
        customer. Stops every clock."""
        data = validated_input(self, EscalationResolveSerializer)
        escalation = services.escalation_resolve(escalation=self.get_object(),
                                                 by=request.user, resolution=data["resolution"])
        return self._respond(escalation)

    @extend_schema(summary="Start the root-cause review", request=None,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        """resolved → review."""
        escalation = services.escalation_start_review(escalation=self.get_object(),
                                                      by=request.user)
        return self._respond(escalation)

    @extend_schema(summary="Close", request=EscalationCloseSerializer,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """review → closed. Needs `root_cause_review` (given here or already written)."""
        data = validated_input(self, EscalationCloseSerializer)
        escalation = services.escalation_close(escalation=self.get_object(), by=request.user,
                                               root_cause_review=data.get("root_cause_review"))
        return self._respond(escalation)

    @extend_schema(summary="Reopen", request=EscalationReasonSerializer,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """resolved or closed → triaged, with a `reason`, within the reopen window
        (400 `reopen_window` after it). The containment and resolution clocks start
        new cycles."""
        data = validated_input(self, EscalationReasonSerializer)
        escalation = services.escalation_reopen(escalation=self.get_object(),
                                                by=request.user, reason=data["reason"])
        return self._respond(escalation)

    @extend_schema(summary="Withdraw", request=EscalationWithdrawSerializer,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Any open state → withdrawn: the customer withdrew. Needs `withdraw_reason`.
        Stops every clock."""
        data = validated_input(self, EscalationWithdrawSerializer)
        escalation = services.escalation_withdraw(escalation=self.get_object(),
                                                  by=request.user,
                                                  reason=data["withdraw_reason"])
        return self._respond(escalation)

    @extend_schema(summary="Escalate one tier", request=EscalationReasonSerializer,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="escalate-tier")
    def escalate_tier(self, request, pk=None):
        """L1 → L2 → L3 → L4 with a `reason`; the receiving tier's leads must acknowledge
        (`acknowledge-tier`), and are re-notified until someone does."""
        data = validated_input(self, EscalationReasonSerializer)
        escalation = self.get_object()
        services.escalation_escalate_tier(escalation=escalation, by=request.user,
                                          reason=data["reason"])
        return self._respond(escalation)

    @extend_schema(summary="De-escalate one tier", request=EscalationReasonSerializer,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="deescalate-tier")
    def deescalate_tier(self, request, pk=None):
        """One tier down with a `reason` (no acknowledgement needed)."""
        data = validated_input(self, EscalationReasonSerializer)
        escalation = self.get_object()
        services.escalation_deescalate_tier(escalation=escalation, by=request.user,
                                            reason=data["reason"])
        return self._respond(escalation)

    @extend_schema(summary="Acknowledge the latest tier change", request=None,
                   responses={200: EscalationSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="acknowledge-tier")
    def acknowledge_tier(self, request, pk=None):
        """A lead of the receiving tier (or a manager) takes the escalation; stops the
        re-notifications."""
        escalation = self.get_object()
        change = escalation.tier_changes.filter(acknowledged_at__isnull=True).order_by(
            "-requested_at", "-pk").first()
        if change is None:
            raise serializers.ValidationError(
                {"tier": "There is no unacknowledged tier change on this escalation."})
        services.tier_change_acknowledge(tier_change=change, by=request.user)
        return self._respond(escalation)

    @extend_schema(summary="Edit an escalation", request=EscalationEditSerializer,
                   responses={200: EscalationSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change the summary, description, requested outcome, priority, category,
        channel, owner, team or regulatory regime. Free text is PCI-masked. A change that
        makes another SLA policy match applies its targets; a new regime starts its
        final-response clock. Closed and withdrawn escalations are refused (400)."""
        data = validated_input(self, EscalationEditSerializer, partial=True)
        escalation = services.escalation_edit(escalation=self.get_object(), by=request.user,
                                              **data)
        return self._respond(escalation)

    @extend_schema(summary="Add a note or log a customer update",
                   request=EscalationNoteSerializer,
                   responses={201: EscalationTimelineEventSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        """An internal note, or (`customer_update: true`) an update sent to the customer:
        it stops the first-response clock if still running and starts the next cycle
        of the update-cadence clock."""
        data = validated_input(self, EscalationNoteSerializer)
        event = services.escalation_add_note(escalation=self.get_object(), by=request.user,
                                             **data)
        return Response(EscalationTimelineEventSerializer(event).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="Offer compensation", request=CompensationOfferSerializer,
                   responses={200: EscalationSerializer})
    @action(detail=True, methods=["post"], url_path="offer-compensation")
    def offer_compensation(self, request, pk=None):
        """Offer (or change) compensation: `amount` and `note` (what it is for). A
        changed amount withdraws an approval already given; approvers are notified
        when the amount is above your own approval limit."""
        data = validated_input(self, CompensationOfferSerializer)
        escalation = services.escalation_offer_compensation(
            escalation=self.get_object(), by=request.user, **data)
        return self._respond(escalation)

    @extend_schema(summary="Approve the compensation offered", request=None,
                   responses={200: EscalationSerializer})
    @action(detail=True, methods=["post"], url_path="approve-compensation")
    def approve_compensation(self, request, pk=None):
        """Approve the amount offered, within your role's approval limit (403 naming
        the limit above it)."""
        escalation = services.escalation_approve_compensation(escalation=self.get_object(),
                                                              by=request.user)
        return self._respond(escalation)

    @extend_schema(summary="Extend the regulatory deadline",
                   request=EscalationReasonSerializer,
                   responses={200: EscalationSerializer})
    @action(detail=True, methods=["post"], url_path="extend-regulatory-deadline")
    def extend_regulatory_deadline(self, request, pk=None):
        """Use the regime's extension once (e.g. 15 → 35 business days after a holding
        reply), with a `reason`. 400 when the regime allows none or it was used."""
        data = validated_input(self, EscalationReasonSerializer)
        escalation = services.escalation_extend_regulatory_deadline(
            escalation=self.get_object(), by=request.user, reason=data["reason"])
        return self._respond(escalation)

    @extend_schema(summary="Apply the current SLA policy version",
                   request=EscalationReasonSerializer,
                   responses={200: EscalationSerializer})
    @action(detail=True, methods=["post"], url_path="apply-policy")
    def apply_policy(self, request, pk=None):
        """Managers: move the running clocks to the current version of the escalation's
        policy, with a `reason`. Editing a policy never moves clocks by itself."""
        data = validated_input(self, EscalationReasonSerializer)
        escalation = services.escalation_apply_policy(escalation=self.get_object(),
                                                      by=request.user, reason=data["reason"])
        return self._respond(escalation)

    @extend_schema(summary="Link to an incident", request=IncidentRefSerializer,
                   responses={200: EscalationSerializer})
    @action(detail=True, methods=["post"], url_path="link-incident")
    def link_incident(self, request, pk=None):
        """Link this escalation to the incident that caused it (by reference)."""
        data = validated_input(self, IncidentRefSerializer)
        escalation = self.get_object()
        services.escalation_link_incident(escalation=escalation, incident=data["incident"],
                                          by=request.user)
        return self._respond(escalation)

    @extend_schema(summary="Unlink from an incident", request=IncidentRefSerializer,
                   responses={200: EscalationSerializer})
    @action(detail=True, methods=["post"], url_path="unlink-incident")
    def unlink_incident(self, request, pk=None):
        """Remove a link made by mistake; both timelines say so."""
        data = validated_input(self, IncidentRefSerializer)
        escalation = self.get_object()
        services.escalation_unlink_incident(escalation=escalation, incident=data["incident"],
                                            by=request.user)
        return self._respond(escalation)

    @extend_schema(summary="Timeline",
                   responses={200: EscalationTimelineEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """What happened, oldest first (compensation lines only for roles that see
        compensation)."""
        events = escalation_timeline_for(self.get_object(), request.user, newest_first=False)
        return Response(EscalationTimelineEventSerializer(events, many=True).data)


# --- SLA policies ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List escalation SLA policies"),
    retrieve=extend_schema(summary="One SLA policy",
                           responses={200: EscalationSlaPolicySerializer}),
    create=extend_schema(summary="Add an SLA policy",
                         responses={201: EscalationSlaPolicySerializer}),
    update=extend_schema(summary="Replace an SLA policy",
                         responses={200: EscalationSlaPolicySerializer}),
    partial_update=extend_schema(summary="Edit an SLA policy",
                                 responses={200: EscalationSlaPolicySerializer}),
    destroy=extend_schema(summary="Delete an SLA policy",
                          responses={204: None}),
)
class EscalationSlaPolicyViewSet(viewsets.ModelViewSet):
    """Escalation SLA policies, checked in `order`: the first active one whose set
    conditions all match applies. Managers edit them; everyone who may read
    escalations reads them. Editing a policy does not move clocks already running.
    A policy applied to escalations cannot be deleted (409): deactivate it instead."""

    queryset = EscalationSlaPolicy.objects.select_related("calendar").order_by("order")
    serializer_class = EscalationSlaPolicySerializer
    permission_classes = [ActionPermissions]
    filterset_fields = ["active", "priority", "customer_tier", "category"]
    search_fields = ["name"]
    ordering_fields = ["order", "name"]
    ordering = ["order"]

    def perform_destroy(self, instance):
        instance._change_reason = "Deleted"
        instance.delete()


# --- Regulatory regimes --------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List regulatory regimes"),
    retrieve=extend_schema(summary="One regulatory regime",
                           responses={200: RegulatoryRegimeSerializer}),
    create=extend_schema(summary="Add a regulatory regime",
                         responses={201: RegulatoryRegimeSerializer}),
    partial_update=extend_schema(summary="Edit a regulatory regime",
                                 responses={200: RegulatoryRegimeSerializer}),
)
class RegulatoryRegimeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              mixins.CreateModelMixin, mixins.UpdateModelMixin,
                              viewsets.GenericViewSet):
    """Regulators' complaint rules: a final response within N calendar or business days
    of receipt, sometimes extendable. Seeded examples (`is_example`) must be checked
    against the current rules. Managers edit; retire a regime with `active: false`
    (regimes applied to escalations are never deleted)."""

    queryset = RegulatoryRegime.objects.select_related("calendar").order_by("name")
    serializer_class = RegulatoryRegimeSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["active", "counting", "is_example"]
    search_fields = ["name", "code", "jurisdiction"]
    ordering_fields = ["name", "code"]
    ordering = ["name"]


# --- An incident's escalations -------------------------------------------------------


class IncidentEscalationsView(generics.GenericAPIView):
    """`GET /api/incidents/{id}/escalations/`: the escalations linked to an incident.
    `POST` with `escalations` (ids) links many at once; those already linked are
    skipped. Incident responders, escalation leads and managers link."""

    serializer_class = EscalationSerializer
    permission_classes = [ActionPermissions]
    queryset = Escalation.objects.all()
    pagination_class = None
    action_permissions = {"get": ["escalations.view_escalation"],
                          "post": [LINK_PERMISSION]}

    @property
    def action(self):
        return self.request.method.lower()

    def _incident(self):
        return get_object_or_404(Incident, pk=self.kwargs["pk"])

    def _linked(self, incident):
        escalations = list(EscalationViewSet().read_queryset()
                           .filter(incident_links__incident=incident)
                           .order_by("created_at", "pk"))
        context = {**self.get_serializer_context(),
                   "clocks": running_clocks_by_escalation(escalations)}
        return EscalationSerializer(escalations, many=True, context=context).data

    @extend_schema(summary="Escalations linked to an incident",
                   responses={200: EscalationSerializer(many=True)})
    def get(self, request, pk):
        return Response(self._linked(self._incident()))

    @extend_schema(summary="Link escalations to an incident", request=LinkEscalationsSerializer,
                   responses={200: LinkResultSerializer})
    def post(self, request, pk):
        incident = self._incident()
        data = validated_input(self, LinkEscalationsSerializer)
        links = services.incident_link_escalations(incident=incident,
                                                   escalations=data["escalations"],
                                                   by=request.user)
        return Response({"linked": [link.escalation_id for link in links],
                         "escalations": self._linked(incident)})
