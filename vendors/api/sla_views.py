"""SLA objectives (with their schedules), measurements (batch push), compliance
(read) and service credits (one POST per transition) in the API. Each write calls
``vendors/sla_services.py``; refusals come back through the shared handler (400 naming
the field, 403, 409 with the allowed transitions)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.permissions import ActionPermissions
from core.api.schema import TRANSITION_ERRORS, validated_input

from .. import sla_services
from ..choices import MeasurementOrigin
from ..models import Compliance, Contract, Measurement, ServiceCredit, SlaObjective
from ..sla_import import import_measurements
from ..visibility import can_see_money
from .sla_serializers import (
    AcceptSerializer,
    ClaimSerializer,
    ComplianceSerializer,
    DisputeSerializer,
    LetterSerializer,
    MeasurementBatchSerializer,
    MeasurementSerializer,
    ReceiveSerializer,
    ReclaimSerializer,
    ServiceCreditSerializer,
    SlaObjectiveCreateSerializer,
    SlaObjectiveReviseSerializer,
    SlaObjectiveSerializer,
    WaiveSerializer,
)


def _schedule(data):
    schedule = data.pop("schedule", None)
    if schedule is not None:
        schedule = dict(schedule)
        schedule["bands"] = [dict(band) for band in schedule.get("bands", [])]
    return schedule


@extend_schema_view(list=extend_schema(summary="List SLA objectives (every version)"),
                    retrieve=extend_schema(summary="One SLA objective version"))
class SlaObjectiveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """SLA objectives on contracts, versioned: each row is one version of a `series`,
    in force from its `effective_from`; the credit `schedule` is part of the version."""

    queryset = (SlaObjective.objects.select_related("contract", "schedule")
                .prefetch_related("schedule__bands", "schedule__fee_lines")
                .order_by("contract", "name", "effective_from", "pk"))
    serializer_class = SlaObjectiveSerializer
    permission_classes = [ActionPermissions]
    filterset_fields = ["contract", "metric", "series"]
    action_permissions = {"create": ["vendors.add_slaobjective"],
                          "revise": ["vendors.change_slaobjective"]}

    def _respond(self, objective, code=status.HTTP_200_OK):
        objective = self.get_queryset().get(pk=objective.pk)
        return Response(SlaObjectiveSerializer(objective,
                                               context=self.get_serializer_context()).data,
                        status=code)

    @extend_schema(summary="Define an SLA objective with its credit schedule",
                   request=SlaObjectiveCreateSerializer, responses={201: SlaObjectiveSerializer})
    def create(self, request, *args, **kwargs):
        """Bands are lower-inclusive and upper-exclusive; `kind` is `value` (on the
        measured value), `duration` (outage minutes) or `floor` (replaces the bands)."""
        data = validated_input(self, SlaObjectiveCreateSerializer)
        contract = Contract.objects.filter(pk=data.pop("contract")).first()
        if contract is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"contract": ["No such contract."]})
        schedule = _schedule(data)
        objective = sla_services.objective_create(contract=contract, by=request.user,
                                                  schedule=schedule, **data)
        return self._respond(objective, status.HTTP_201_CREATED)

    @extend_schema(summary="New terms from a date (a new version)",
                   request=SlaObjectiveReviseSerializer, responses={201: SlaObjectiveSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """Periods before `effective_from` keep the terms they were measured under."""
        data = validated_input(self, SlaObjectiveReviseSerializer)
        schedule = _schedule(data)
        version = sla_services.objective_revise(objective=self.get_object(), by=request.user,
                                                schedule=schedule, **data)
        return self._respond(version, status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="List measurements"),
                    retrieve=extend_schema(summary="One measurement"))
class MeasurementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Figures per objective and period: self-measured (computed from our own data,
    with its `basis`) and vendor-reported (entered, imported or pushed)."""

    queryset = Measurement.objects.select_related("objective").order_by("-period_start", "pk")
    serializer_class = MeasurementSerializer
    permission_classes = [ActionPermissions]
    filterset_fields = ["objective", "source", "period_start"]
    action_permissions = {"batch": ["vendors.add_measurement"]}

    @extend_schema(summary="Push vendor-reported measurements (all or nothing)",
                   request=MeasurementBatchSerializer,
                   responses={201: MeasurementSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Each row: `objective` (id), `period_start` (the period's first day),
        `value`, optional `detail`. A bad row refuses the whole batch (400) with every
        bad row named in `errors.rows`; the periods' compliance is recomputed."""
        data = validated_input(self, MeasurementBatchSerializer)
        recorded = import_measurements(rows=data["measurements"], by=request.user,
                                       origin=MeasurementOrigin.PUSHED)
        return Response(MeasurementSerializer(recorded, many=True).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="List compliance per objective and period"),
                    retrieve=extend_schema(summary="One period's compliance"))
class ComplianceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Value used, met or missed, shortfall, score, both sources side by side and the
    reconciliation flag; the credit and its explanation for money roles."""

    queryset = (Compliance.objects.select_related("objective__contract", "credit")
                .order_by("-period_start", "pk"))
    serializer_class = ComplianceSerializer
    permission_classes = [ActionPermissions]
    filterset_fields = ["objective", "period_start", "met", "flagged"]


CREDIT_STEP = ["vendors.view_servicecredit"]


@extend_schema_view(list=extend_schema(summary="List service credits"),
                    retrieve=extend_schema(summary="One service credit"))
class ServiceCreditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """`accrued → claimed → accepted | disputed → received | waived`; one POST per
    transition. Credits are money: roles that do not see money get 403."""

    queryset = (ServiceCredit.objects.select_related("vendor", "objective")
                .order_by("claim_deadline", "pk"))
    serializer_class = ServiceCreditSerializer
    permission_classes = [ActionPermissions]
    filterset_fields = ["vendor", "contract", "state", "objective"]
    # The transitions' own permissions decide (403), as for contracts.
    action_permissions = {name: CREDIT_STEP for name in (
        "claim", "accept", "dispute", "reclaim", "receive", "waive", "letter")}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not can_see_money(request.user):
            raise PermissionDenied("Service credits are money: your role does not see them.")

    def _step(self, name, serializer_class):
        data = validated_input(self, serializer_class)
        credit = sla_services.CREDIT_ACTIONS[name](credit=self.get_object(),
                                                   by=self.request.user, **data)
        return Response(ServiceCreditSerializer(
            self.get_queryset().get(pk=credit.pk)).data)

    @extend_schema(summary="Claim the credit", request=ClaimSerializer,
                   responses={200: ServiceCreditSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Accrued → claimed (the amount due unless another is given)."""
        return self._step("claim", ClaimSerializer)

    @extend_schema(summary="The vendor accepted (in full or in part)", request=AcceptSerializer,
                   responses={200: ServiceCreditSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Claimed or disputed → accepted; `agreed_amount` at most the claim."""
        return self._step("accept", AcceptSerializer)

    @extend_schema(summary="The vendor disputes the claim", request=DisputeSerializer,
                   responses={200: ServiceCreditSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        """Claimed → disputed, with what the vendor says."""
        return self._step("dispute", DisputeSerializer)

    @extend_schema(summary="Claim again with a counter-figure", request=ReclaimSerializer,
                   responses={200: ServiceCreditSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def reclaim(self, request, pk=None):
        """Disputed → claimed with `counter_amount`."""
        return self._step("reclaim", ReclaimSerializer)

    @extend_schema(summary="Record the credit received", request=ReceiveSerializer,
                   responses={200: ServiceCreditSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """Accepted → received (Finance too)."""
        return self._step("receive", ReceiveSerializer)

    @extend_schema(summary="Waive the credit", request=WaiveSerializer,
                   responses={200: ServiceCreditSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        """Any open state → waived; the reason is required (400)."""
        return self._step("waive", WaiveSerializer)

    @extend_schema(summary="The claim letter (Markdown)", responses={200: LetterSerializer})
    @action(detail=True, methods=["get"])
    def letter(self, request, pk=None):
        credit = self.get_object()
        return Response({"markdown": sla_services.claim_letter([credit])})
