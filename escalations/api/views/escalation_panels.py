"""The escalation API's actions that are not transitions: notes, compensation, the
regulatory extension, the SLA policy version, incident links. Each service refuses
with its ``why_not_*`` check, the words the page shows beside a greyed-out button."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.schema import validated_input

from ... import services
from ..serializers import (
    CompensationOfferSerializer,
    EscalationNoteSerializer,
    EscalationReasonSerializer,
    EscalationSerializer,
    EscalationTimelineEventSerializer,
    IncidentRefSerializer,
)


class EscalationPanelActions:
    """Mixed into ``EscalationViewSet`` (its ``action_permissions`` cover these)."""

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
