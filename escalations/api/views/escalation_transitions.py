"""The escalation API's transitions and tier moves: one ``@action`` each, calling its
service (which locks, checks state, permission and guards, audits, writes the
timeline and moves the clocks). Refusals come back through the shared exception
handler: 409 with the allowed transitions, 400 naming the field, 403."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from core.api.schema import TRANSITION_ERRORS, validated_input

from ... import services
from ...selectors import pending_tier_change
from ..serializers import (
    EscalationCloseSerializer,
    EscalationContainSerializer,
    EscalationReasonSerializer,
    EscalationResolveSerializer,
    EscalationSerializer,
    EscalationTriageSerializer,
    EscalationWithdrawSerializer,
)


class EscalationTransitions:
    """Mixed into ``EscalationViewSet`` (its ``action_permissions`` cover these)."""

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
        # The same "pending" as the page and the breach action: a later de-escalation
        # supersedes an unacknowledged climb.
        change = pending_tier_change(escalation)
        if change is None:
            raise serializers.ValidationError(
                {"tier": "There is no unacknowledged tier change on this escalation."})
        services.tier_change_acknowledge(tier_change=change, by=request.user)
        return self._respond(escalation)
