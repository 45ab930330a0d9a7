"""Budgets API: fiscal years, cost centers, budgets (with actual spend), spend (entered,
pushed in batches, imported from files), consumption alerts, initiatives with one
``@action`` per transition, their baseline, benefits and ROI figures, and cost rates.

Every write calls a service (``budgets/services.py``, ``initiatives.py``, ``importing.py``,
``configuration.py``), which checks the permission, validates and audits. Refusals come
back through the shared exception handler: 409 with the allowed transitions, 400 naming
the field (or every bad row of a batch), 403. Who may call what is declared once per
viewset in ``action_permissions`` with the names of ``budgets/rules.py``; object rules
(the initiative's owner moves it along) are the services'. Budgets, spend, alerts,
benefits and rates are money: money roles only. Every role reads initiatives, without
their amounts (``budgets/visibility.py``).
"""

import dataclasses
from decimal import Decimal

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api.filters import FilterBackend
from core.api.permissions import ActionPermissions
from core.api.schema import TRANSITION_ERRORS, validated_input

from .. import configuration, importing, initiatives, services
from ..choices import SpendOrigin
from ..filters import SpendFilter
from ..models import (
    MONEY,
    Baseline,
    BenefitRecord,
    Budget,
    BudgetAlert,
    CostCenter,
    CostRate,
    FiscalYear,
    Initiative,
    SpendEntry,
    SpendImport,
)
from .serializers import (
    FORMULAS,
    ApproveSerializer,
    BaselineSerializer,
    BaselineTakeSerializer,
    BenefitInputSerializer,
    BenefitRecordSerializer,
    BudgetAlertSerializer,
    BudgetSerializer,
    BudgetUpdateSerializer,
    BudgetWriteSerializer,
    CancelSerializer,
    CostCenterSerializer,
    CostRateSerializer,
    CostRateUpdateSerializer,
    CostRateWriteSerializer,
    DeriveBenefitSerializer,
    FiscalYearSerializer,
    InitiativeFiguresSerializer,
    InitiativeSerializer,
    InitiativeUpdateSerializer,
    InitiativeWriteSerializer,
    ReasonQuerySerializer,
    ReviewBenefitsSerializer,
    SpendEntrySerializer,
    SpendImportSerializer,
    SpendImportUploadSerializer,
    SpendPushResultSerializer,
    SpendPushSerializer,
    SpendUpdateSerializer,
    SpendWriteSerializer,
)

READ_BUDGETS = ["budgets.read_budgets"]
MANAGE_BUDGETS = ["budgets.manage_budget"]
RECORD_SPEND = ["budgets.record_spend"]
READ_INITIATIVES = ["budgets.read_initiatives"]
# Every initiative write needs money (budgets/rules.py): the object rule (its owner, or
# whoever edits initiatives) is the service's, or the transition's own permission.
WORK_INITIATIVES = ["budgets.read_initiatives", "budgets.see_amounts"]
SEE_AMOUNTS = ["budgets.read_initiatives", "budgets.see_amounts"]
MANAGE_RATES = ["budgets.manage_rates"]
READ_RATES = ["budgets.see_amounts", "budgets.view_costrate"]


def _reading(permissions, **writes):
    return {"list": permissions, "retrieve": permissions, **writes}


# --- Fiscal years, cost centers, budgets --------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List fiscal years"),
    retrieve=extend_schema(summary="One fiscal year"),
)
class FiscalYearViewSet(viewsets.ReadOnlyModelViewSet):
    """Fiscal years, starting in the configured month and named after the calendar year
    they end in (April 2026 – March 2027 is FY2027). A year is created on first use (a
    budget set for it, spend dated in it)."""

    queryset = FiscalYear.objects.order_by("first_day", "pk")
    serializer_class = FiscalYearSerializer
    permission_classes = [ActionPermissions]
    action_permissions = _reading(READ_BUDGETS)


@extend_schema_view(
    list=extend_schema(summary="List cost centers"),
    retrieve=extend_schema(summary="One cost center"),
)
class CostCenterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Cost centers budgets are set for. Finance and managers add and change them; one
    that has budgets cannot be deleted (409): deactivate it."""

    queryset = CostCenter.objects.order_by("code", "pk")
    serializer_class = CostCenterSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_fields = ["active"]
    action_permissions = _reading(READ_BUDGETS, create=MANAGE_BUDGETS,
                                  partial_update=MANAGE_BUDGETS, destroy=MANAGE_BUDGETS)

    @extend_schema(summary="Add a cost center", request=CostCenterSerializer,
                   responses={201: CostCenterSerializer})
    def create(self, request, *args, **kwargs):
        data = validated_input(self, CostCenterSerializer)
        center = configuration.cost_center_create(by=request.user, **data)
        return Response(CostCenterSerializer(center).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a cost center", request=CostCenterSerializer,
                   responses={200: CostCenterSerializer})
    def partial_update(self, request, *args, **kwargs):
        data = validated_input(self, CostCenterSerializer, partial=True)
        center = configuration.cost_center_update(cost_center=self.get_object(),
                                                  by=request.user, **data)
        return Response(CostCenterSerializer(center).data)

    @extend_schema(summary="Delete a cost center no budget uses", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        configuration.cost_center_delete(cost_center=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def budgets_with_actual():
    """Budgets with their actual spend summed in the same query (no query per row)."""
    return (Budget.objects.select_related("fiscal_year", "cost_center", "owner")
            .prefetch_related("contracts")
            .annotate(actual=Coalesce(Sum("spend__amount"), Value(Decimal("0.00")),
                                      output_field=DecimalField(**MONEY))))


@extend_schema_view(
    list=extend_schema(summary="List budgets with planned, actual and consumption"),
    retrieve=extend_schema(summary="One budget with planned, actual and consumption"),
)
class BudgetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Budgets per fiscal year × category × cost center: the amount planned, its monthly
    phasing (even unless given), the actual spend against it (received credits offset
    it) and the consumption percentage. Thresholds alert once each (`budget-alerts`).
    Finance and managers set and change them."""

    queryset = Budget.objects.all()
    serializer_class = BudgetSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_fields = ["fiscal_year", "category", "cost_center", "owner"]
    ordering_fields = ["amount", "category", "created_at"]
    action_permissions = _reading(READ_BUDGETS, create=MANAGE_BUDGETS,
                                  partial_update=MANAGE_BUDGETS, destroy=MANAGE_BUDGETS)

    def get_queryset(self):
        return budgets_with_actual().order_by("fiscal_year__first_day", "category",
                                              "cost_center__code", "pk")

    def _respond(self, budget, status_code=status.HTTP_200_OK):
        budget = self.get_queryset().get(pk=budget.pk)
        return Response(BudgetSerializer(budget, context=self.get_serializer_context()).data,
                        status=status_code)

    @extend_schema(summary="Set a budget", request=BudgetWriteSerializer,
                   responses={201: BudgetSerializer})
    def create(self, request, *args, **kwargs):
        """One per fiscal year, category and cost center (400 for a second). `phasing`:
        twelve monthly amounts adding up to the amount, or nothing for even."""
        data = validated_input(self, BudgetWriteSerializer)
        fiscal_year = configuration.fiscal_year_named(data.pop("fiscal_year"))
        budget = services.budget_create(by=request.user, fiscal_year=fiscal_year, **data)
        return self._respond(budget, status.HTTP_201_CREATED)

    @extend_schema(summary="Change a budget", request=BudgetUpdateSerializer,
                   responses={200: BudgetSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Amount, phasing, owner, thresholds, notes; `reason` goes to the history. A
        threshold already reached alerts now."""
        data = validated_input(self, BudgetUpdateSerializer, partial=True)
        reason = (data.pop("reason", "") or "").strip() or "Budget changed"
        budget = services.budget_update(budget=self.get_object(), by=request.user,
                                        reason=reason, **data)
        return self._respond(budget)

    @extend_schema(summary="Delete a budget set by mistake", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """A budget with spend or initiatives cannot be deleted (409)."""
        services.budget_delete(budget=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List consumption alerts"),
    retrieve=extend_schema(summary="One consumption alert"),
)
class BudgetAlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Consumption thresholds reached, each recorded once: per budget (its own
    thresholds) and per category of a fiscal year (the configured ones)."""

    queryset = BudgetAlert.objects.order_by("-fired_at", "-pk")
    serializer_class = BudgetAlertSerializer
    permission_classes = [ActionPermissions]
    filterset_fields = ["fiscal_year", "budget", "scope", "category"]
    action_permissions = _reading(READ_BUDGETS)


# --- Spend ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List spend entries (filter by budget, year, vendor, dates…)"),
    retrieve=extend_schema(summary="One spend entry"),
)
class SpendEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Money spent against budgets: entered, imported from a file (`spend-imports`),
    pushed by the API (one or a `batch`), or the negative entry a received service
    credit becomes (`origin: credit`, linked to it; it follows its credit and cannot be
    edited here)."""

    queryset = SpendEntry.objects.select_related("vendor", "contract", "initiative",
                                                 "recorded_by")
    serializer_class = SpendEntrySerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = [FilterBackend, filters.OrderingFilter]
    filterset_class = SpendFilter
    ordering_fields = ["date", "amount", "recorded_at"]
    ordering = ["-date", "-pk"]
    parser_classes = [JSONParser]
    action_permissions = _reading(READ_BUDGETS, create=RECORD_SPEND,
                                  partial_update=RECORD_SPEND, destroy=RECORD_SPEND,
                                  batch=RECORD_SPEND)

    def _respond(self, entry, status_code=status.HTTP_200_OK):
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(SpendEntrySerializer(entry, context=self.get_serializer_context()).data,
                        status=status_code)

    @extend_schema(summary="Record a spend entry", request=SpendWriteSerializer,
                   responses={201: SpendEntrySerializer})
    def create(self, request, *args, **kwargs):
        """Its date must fall in the budget's fiscal year; a contract must be the
        vendor's. Recorded with origin `api`; the budget's thresholds are checked."""
        data = validated_input(self, SpendWriteSerializer)
        entry = services.spend_record(by=request.user, origin=SpendOrigin.API, **data)
        return self._respond(entry, status.HTTP_201_CREATED)

    @extend_schema(summary="Correct a spend entry", request=SpendUpdateSerializer,
                   responses={200: SpendEntrySerializer})
    def partial_update(self, request, *args, **kwargs):
        """A credit offset cannot be corrected here (400): correct the credit."""
        data = validated_input(self, SpendUpdateSerializer, partial=True)
        reason = (data.pop("reason", "") or "").strip() or "Spend corrected"
        entry = services.spend_update(entry=self.get_object(), by=request.user, reason=reason,
                                      **data)
        return self._respond(entry)

    @extend_schema(
        summary="Remove a wrong spend entry",
        parameters=[OpenApiParameter("reason", OpenApiTypes.STR, required=True,
                                     description="Why it is removed (kept in the history).")],
        responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Needs `?reason=`; a credit offset follows its credit (400)."""
        entry = self.get_object()
        query = ReasonQuerySerializer(data={"reason": request.query_params.get("reason", "")})
        query.is_valid(raise_exception=True)
        services.spend_delete(entry=entry, by=request.user, reason=query.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Push spend entries in a batch (all or nothing)",
                   request=SpendPushSerializer, responses={201: SpendPushResultSerializer})
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Write every entry in one transaction, or none. A refusal (400, code
        `import_refused`) names every bad entry in `errors` as `"row N: field"` and in
        the extra `rows` list (`{row, column, message}`), entries numbered from 1."""
        data = validated_input(self, SpendPushSerializer)
        entries = importing.spend_push(by=request.user, entries=data["entries"])
        body = {"rows": len(entries), "total": str(sum((e.amount for e in entries),
                                                       Decimal("0.00"))),
                "entries": [e.pk for e in entries]}
        return Response(SpendPushResultSerializer(body).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List spend imports (taken or refused)"),
    retrieve=extend_schema(summary="One spend import, with its refused rows"),
)
class SpendImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Spend files: each taken whole or refused whole, with every bad row named."""

    queryset = SpendImport.objects.select_related("by").order_by("-at", "-pk")
    serializer_class = SpendImportSerializer
    permission_classes = [ActionPermissions]
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["outcome"]
    action_permissions = _reading(READ_BUDGETS, create=RECORD_SPEND)

    @extend_schema(summary="Import a spend file (CSV or XLSX, all or nothing)",
                   request={"multipart/form-data": SpendImportUploadSerializer},
                   responses={201: SpendImportSerializer})
    def create(self, request, *args, **kwargs):
        """Multipart with `file`. Columns: `date` (YYYY-MM-DD or DD/MM/YYYY), `amount`
        (a "." for decimals, no thousands separators), `budget` (id or
        FY2026/category/cost center code), and optionally `vendor` (name), `contract`
        (reference), `initiative` (reference), `invoice_reference`, `description`,
        `cost_type`. At most 2 MB and 5,000 rows. A refusal (400, code
        `import_refused`) writes nothing, names every bad row in `rows` and gives the
        refused import's `import_id`."""
        data = validated_input(self, SpendImportUploadSerializer)
        upload = data["file"]
        record = importing.spend_import(by=request.user,
                                        content=upload.read(importing.MAX_BYTES + 1),
                                        file_name=upload.name)
        return Response(SpendImportSerializer(record, context=self.get_serializer_context())
                        .data, status=status.HTTP_201_CREATED)


# --- Initiatives ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List initiatives"),
    retrieve=extend_schema(summary="One initiative"),
)
class InitiativeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Optimisation initiatives: `proposed → approved → in_progress → delivered →
    benefits_reviewed`, or `cancelled`, one `POST /api/initiatives/{id}/<transition>/`
    each. Finance or a manager approves, with the approved cost; the owner (or whoever
    edits initiatives) moves it along, takes its KPI baseline and records benefits.

    Every role reads initiatives; `estimated_cost`, `expected_benefit`, `approved_cost`
    and `realised_benefit` only appear for roles that see money, and the benefits and
    figures are theirs alone (403).
    """

    queryset = Initiative.objects.all()
    serializer_class = InitiativeSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["state", "owner", "budget", "vendor", "contract"]
    ordering_fields = ["created_at", "reference", "state"]
    action_permissions = _reading(
        READ_INITIATIVES, create=["budgets.propose_initiative"],
        partial_update=WORK_INITIATIVES, approve=WORK_INITIATIVES, start=WORK_INITIATIVES,
        deliver=WORK_INITIATIVES, review_benefits=WORK_INITIATIVES, cancel=WORK_INITIATIVES,
        baseline=READ_INITIATIVES, take_baseline=WORK_INITIATIVES, benefits=SEE_AMOUNTS,
        record_benefit=WORK_INITIATIVES, derive_benefit=WORK_INITIATIVES,
        figures=SEE_AMOUNTS)

    def get_queryset(self):
        return Initiative.objects.select_related("owner", "approved_by").prefetch_related(
            "queues").order_by("-created_at", "-pk")

    def _respond(self, initiative, status_code=status.HTTP_200_OK):
        initiative = self.get_queryset().get(pk=initiative.pk)
        return Response(InitiativeSerializer(initiative,
                                             context=self.get_serializer_context()).data,
                        status=status_code)

    @extend_schema(summary="Propose an initiative", request=InitiativeWriteSerializer,
                   responses={201: InitiativeSerializer})
    def create(self, request, *args, **kwargs):
        """It starts proposed, owned by `owner` (default: you), with the next
        `INI-<year>-NNNN`."""
        data = validated_input(self, InitiativeWriteSerializer)
        initiative = initiatives.initiative_propose(by=request.user, **data)
        return self._respond(initiative, status.HTTP_201_CREATED)

    @extend_schema(summary="Change an initiative", request=InitiativeUpdateSerializer,
                   responses={200: InitiativeSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Its owner or whoever edits initiatives; `queues` replaces the queues."""
        data = validated_input(self, InitiativeUpdateSerializer, partial=True)
        reason = (data.pop("reason", "") or "").strip() or "Initiative changed"
        initiative = initiatives.initiative_update(initiative=self.get_object(),
                                                   by=request.user, reason=reason, **data)
        return self._respond(initiative)

    @extend_schema(summary="Proposed → approved", request=ApproveSerializer,
                   responses={200: InitiativeSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Finance or a manager, with the `approved_cost`; the `expected_benefit` (per
        year) is required unless stated before (400 naming it)."""
        data = validated_input(self, ApproveSerializer)
        return self._respond(initiatives.initiative_approve(
            initiative=self.get_object(), by=request.user, **data))

    @extend_schema(summary="Approved → in progress", request=None,
                   responses={200: InitiativeSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._respond(initiatives.initiative_start(initiative=self.get_object(),
                                                          by=request.user))

    @extend_schema(summary="In progress → delivered", request=None,
                   responses={200: InitiativeSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        """The benefits review falls due `review_after_months` later (`review_due_on`)."""
        return self._respond(initiatives.initiative_deliver(initiative=self.get_object(),
                                                            by=request.user))

    @extend_schema(summary="Delivered → benefits reviewed", request=ReviewBenefitsSerializer,
                   responses={200: InitiativeSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="review-benefits")
    def review_benefits(self, request, pk=None):
        """Records the `realised_benefit` (default: the measured benefits so far) and
        the review's `notes`; closes the loop."""
        data = validated_input(self, ReviewBenefitsSerializer)
        return self._respond(initiatives.initiative_review(
            initiative=self.get_object(), by=request.user, **data))

    @extend_schema(summary="Proposed, approved or in progress → cancelled",
                   request=CancelSerializer,
                   responses={200: InitiativeSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Needs a `reason` (400 naming `cancel_reason` without one)."""
        data = validated_input(self, CancelSerializer)
        return self._respond(initiatives.initiative_cancel(
            initiative=self.get_object(), by=request.user, reason=data["reason"]))

    @extend_schema(summary="The initiative's KPI baseline", responses={200: BaselineSerializer})
    @action(detail=True, methods=["get"])
    def baseline(self, request, pk=None):
        """404 until one is taken. Its rates only for roles that see money."""
        found = Baseline.objects.select_related("taken_by").filter(
            initiative=self.get_object()).first()
        if found is None:
            raise Http404("No baseline taken yet.")
        return Response(BaselineSerializer(found, context=self.get_serializer_context()).data)

    @extend_schema(summary="Take (or retake) the baseline", request=BaselineTakeSerializer,
                   responses={200: BaselineSerializer})
    @baseline.mapping.post
    def take_baseline(self, request, pk=None):
        """`method` `aht_reduction` (needs `cost_per_minute`) or `containment` (needs
        `cost_per_contact`). With `period_start` and `period_end`, the AHT, containment
        and contacts per month come from the queues' KPI data over the period; where it
        has none, from the figures given (400 naming what is missing)."""
        data = validated_input(self, BaselineTakeSerializer)
        baseline = initiatives.baseline_take(initiative=self.get_object(), by=request.user,
                                             **data)
        return Response(BaselineSerializer(baseline,
                                           context=self.get_serializer_context()).data)

    @extend_schema(summary="The initiative's measured benefits",
                   responses={200: BenefitRecordSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def benefits(self, request, pk=None):
        records = self.get_object().benefits.select_related("recorded_by").order_by(
            "period_start", "kind", "pk")
        return Response(BenefitRecordSerializer(records, many=True).data)

    @extend_schema(summary="Record a measured benefit for a month",
                   request=BenefitInputSerializer, responses={201: BenefitRecordSerializer})
    @benefits.mapping.post
    def record_benefit(self, request, pk=None):
        """The owner (or whoever records benefits), once the initiative is approved. One
        per month, kind and method (400 for a second)."""
        data = validated_input(self, BenefitInputSerializer)
        record = initiatives.benefit_record(initiative=self.get_object(), by=request.user,
                                            **data)
        return Response(BenefitRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Derive a month's benefit from the KPI change",
                   request=DeriveBenefitSerializer, responses={201: BenefitRecordSerializer})
    @action(detail=True, methods=["post"], url_path="derive-benefit")
    def derive_benefit(self, request, pk=None):
        """Compares the month's KPI data of the initiative's queues with the baseline:
        (baseline AHT − AHT) ÷ 60 × contacts × cost per minute, or (containment −
        baseline containment) × contacts × cost per contact; `basis` keeps the figures.
        400 without a baseline or without KPI data for the month."""
        data = validated_input(self, DeriveBenefitSerializer)
        record = initiatives.benefit_derive(initiative=self.get_object(), by=request.user,
                                            **data)
        return Response(BenefitRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Cost, benefit, ROI and payback",
                   responses={200: InitiativeFiguresSerializer})
    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        """From the spend entries booked on it (the approved cost stands in until there
        are some) and the measured benefits; `formulas` says how each is computed."""
        figures = dataclasses.asdict(initiatives.initiative_figures(self.get_object()))
        return Response(InitiativeFiguresSerializer({**figures, "formulas": FORMULAS}).data)


@extend_schema_view(
    list=extend_schema(summary="List measured benefits"),
    retrieve=extend_schema(summary="One measured benefit"),
)
class BenefitRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Measured benefits per initiative and month: entered, or derived from the KPI
    change against the baseline (`basis` keeps the figures). Money roles only."""

    queryset = BenefitRecord.objects.select_related("recorded_by").order_by(
        "initiative", "period_start", "kind", "pk")
    serializer_class = BenefitRecordSerializer
    permission_classes = [ActionPermissions]
    filterset_fields = ["initiative", "kind", "method"]
    action_permissions = _reading(SEE_AMOUNTS)


# --- Rates ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List cost rates"),
    retrieve=extend_schema(summary="One cost rate"),
)
class CostRateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """The rates incident cost is computed with, each in effect from a date: a
    responder's hourly cost by incident role, the loaded agent hour, a lost contact's
    value per channel (or one queue, which wins over its channel). Money roles read
    them; Finance and managers set them."""

    queryset = CostRate.objects.order_by("kind", "role", "channel", "-effective_from", "pk")
    serializer_class = CostRateSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_fields = ["kind", "role", "channel", "queue"]
    action_permissions = _reading(READ_RATES, create=MANAGE_RATES,
                                  partial_update=MANAGE_RATES, destroy=MANAGE_RATES)

    @extend_schema(summary="Set a cost rate", request=CostRateWriteSerializer,
                   responses={201: CostRateSerializer})
    def create(self, request, *args, **kwargs):
        data = validated_input(self, CostRateWriteSerializer)
        rate = configuration.cost_rate_create(by=request.user, **data)
        return Response(CostRateSerializer(rate).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a cost rate", request=CostRateUpdateSerializer,
                   responses={200: CostRateSerializer})
    def partial_update(self, request, *args, **kwargs):
        data = validated_input(self, CostRateUpdateSerializer, partial=True)
        rate = configuration.cost_rate_update(rate=self.get_object(), by=request.user,
                                              **data)
        return Response(CostRateSerializer(rate).data)

    @extend_schema(summary="Remove a cost rate", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        configuration.cost_rate_delete(rate=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
