"""SLA policies and regulatory regimes: managers' configuration."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from core.api.permissions import ActionPermissions

from ...models import EscalationSlaPolicy, RegulatoryRegime
from ..serializers import (
    EscalationSlaPolicySerializer,
    RegulatoryRegimeSerializer,
)

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
