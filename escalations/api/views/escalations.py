"""Escalations API: list (one FilterSet with the queue page), read, open, edit,
timeline; the transitions and panel actions are mixins of the same viewset.

Who may call which endpoint is declared once in ``action_permissions``; the names
are ``escalations/rules.py``'s."""

from django.db.models import F, Prefetch
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.filters import FilterBackend as _FilterBackend
from core.api.permissions import ActionPermissions
from core.api.schema import validated_input
from core.clocks import running_clocks_by_object
from core.search import match_condition
from incidents.models import Incident

from ... import services
from ...filters import EscalationFilterSet
from ...models import Escalation
from ...search import escalation_search_fields
from ...selectors import escalation_list, escalation_timeline_for
from ...services.links import LINK_PERMISSION
from ..serializers import (
    EscalationCreateSerializer,
    EscalationEditSerializer,
    EscalationSerializer,
    EscalationTimelineEventSerializer,
)
from .escalation_panels import EscalationPanelActions
from .escalation_transitions import EscalationTransitions


class EscalationSearchFilter(filters.SearchFilter):
    """``?search=``: reference, summary or the customer's account number, and the
    customer's name for roles that see it (the queue page's and global search's
    fields, ``escalations.search``)."""

    def get_search_fields(self, view, request):
        return escalation_search_fields(request.user)

    def filter_queryset(self, request, queryset, view):
        # DRF's terms (each must match a field), each matched as the queue page
        # matches: the customer's fields on the customers' own indexes first.
        fields = self.get_search_fields(view, request)
        for term in self.get_search_terms(request) if fields else ():
            queryset = queryset.filter(match_condition(queryset.model, fields, term))
        return queryset


class EscalationListFilterBackend(_FilterBackend):
    """Filters the list through ``selectors.escalation_list`` (400 naming the
    parameter when one is invalid); the schema still comes from ``filterset_class``."""

    def filter_queryset(self, request, queryset, view):
        filterset = escalation_list(filters=request.query_params, user=request.user,
                                    queryset=queryset)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset.qs


# Declared in escalations/rules.py.
CHANGE_ESCALATION = ["escalations.work_escalation"]


@extend_schema_view(
    list=extend_schema(summary="List escalations"),
    retrieve=extend_schema(summary="One escalation",
                           responses={200: EscalationSerializer}),
)
class EscalationViewSet(EscalationTransitions, EscalationPanelActions,
                        mixins.ListModelMixin, mixins.RetrieveModelMixin,
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
    # The one FilterSet of the escalation list, through the selector (as the queue page).
    filter_backends = [EscalationListFilterBackend, EscalationSearchFilter,
                       filters.OrderingFilter]
    filterset_class = EscalationFilterSet
    search_fields = ["reference", "summary", "customer__account_reference"]
    ordering_fields = ["created_at", "reference", "priority", "state", "tier", "next_due"]
    ordering = ["-created_at", "-pk"]
    action_permissions = {
        "create": ["escalations.add_escalation"],
        "partial_update": CHANGE_ESCALATION,
        "notes": ["escalations.view_escalation"],  # reading; adding is checked below
        "offer_compensation": CHANGE_ESCALATION,
        "approve_compensation": ["escalations.approve_escalation_compensation"],
        "extend_regulatory_deadline": CHANGE_ESCALATION,
        "apply_policy": ["escalations.apply_escalation_policy"],
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
            "clocks": running_clocks_by_object(escalations),
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

    @extend_schema(summary="Timeline",
                   responses={200: EscalationTimelineEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """What happened, oldest first (compensation lines only for roles that see
        compensation)."""
        events = escalation_timeline_for(self.get_object(), request.user, newest_first=False)
        return Response(EscalationTimelineEventSerializer(events, many=True).data)
