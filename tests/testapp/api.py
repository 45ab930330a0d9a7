from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.permissions import ActionPermissions

from . import services
from .models import Ticket


class TicketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["id", "title", "owner", "resolution", "state"]
        read_only_fields = ["state"]


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(allow_blank=True)


class TicketViewSet(viewsets.ModelViewSet):
    queryset = Ticket.objects.order_by("pk")
    serializer_class = TicketSerializer
    permission_classes = [ActionPermissions]
    action_permissions = {
        "start": ["testapp.change_ticket"],
        "resolve": ["testapp.change_ticket"],
        "close": ["testapp.change_ticket"],
    }

    @extend_schema(request=None, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start work on the ticket (needs an owner)."""
        ticket = services.ticket_transition(
            ticket_id=self.get_object().pk, name="start", by=request.user, reason="Started"
        )
        return Response(TicketSerializer(ticket).data)

    @extend_schema(request=ResolveSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve the ticket with a resolution summary."""
        payload = ResolveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ticket = services.ticket_resolve(
            ticket_id=self.get_object().pk, by=request.user,
            resolution=payload.validated_data["resolution"],
        )
        return Response(TicketSerializer(ticket).data)

    @extend_schema(request=None, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a resolved ticket (needs the close permission)."""
        ticket = services.ticket_transition(
            ticket_id=self.get_object().pk, name="close", by=request.user, reason="Closed"
        )
        return Response(TicketSerializer(ticket).data)
