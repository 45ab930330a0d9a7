"""`/api/incidents/{id}/escalations/`: the escalations an incident caused."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from core.api.permissions import ActionPermissions
from core.api.schema import validated_input
from core.clocks import running_clocks_by_object
from incidents.models import Incident

from ... import services
from ...models import Escalation
from ...services.links import LINK_PERMISSION
from ..serializers import (
    EscalationSerializer,
    LinkEscalationsSerializer,
    LinkResultSerializer,
)
from .escalations import EscalationViewSet

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
                   "clocks": running_clocks_by_object(escalations)}
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
