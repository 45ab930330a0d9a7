"""Vendor, contract, attribution and downtime API.

Reads, edits and one ``@action`` per transition and per decision, each calling its
service in ``vendors/services.py`` (which checks the permission, validates, audits
and keeps the contract's deadlines in step). Refusals come back through the shared
exception handler: 409 with the allowed transitions, 400 naming the field, 403.
Who may call what is declared once per viewset in ``action_permissions``; object
rules (the contract's owner decides its renewal, the incident's vendor liaison names
vendors) are the services'. Money is ``vendors/visibility.py``'s.
"""

from datetime import UTC

from django.http import Http404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import filters, generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core import work_items
from core.api.permissions import ActionPermissions
from core.api.schema import TRANSITION_ERRORS, validated_input

from .. import services
from ..filters import ContractFilter, VendorFilter
from ..models import (
    Contract,
    ContractDocument,
    DowntimeExclusion,
    Vendor,
    VendorAttribution,
    VendorContact,
)
from ..selectors import (
    attributions_for,
    contracts_for_list,
    downtime_by_vendor,
    vendors_for_list,
    year_bounds,
)
from .serializers import (
    AttributionCreateSerializer,
    ContractDeadlineSerializer,
    ContractDocumentSerializer,
    ContractRenewalSerializer,
    ContractSerializer,
    ContractWriteSerializer,
    DecisionSerializer,
    DocumentUploadSerializer,
    DowntimeExclusionSerializer,
    DowntimeSerializer,
    NoticeSerializer,
    ReasonSerializer,
    RenewSerializer,
    RiskReviewSerializer,
    TerminateSerializer,
    VendorAttributionSerializer,
    VendorContactCreateSerializer,
    VendorContactSerializer,
    VendorContactWriteSerializer,
    VendorSerializer,
    VendorWriteSerializer,
    WorkItemVendorAddSerializer,
    WorkItemVendorSerializer,
)

VIEW_VENDOR = ["vendors.view_vendor"]
VIEW_CONTRACT = ["vendors.view_contract"]
CHANGE_VENDOR = ["vendors.change_vendor"]
CHANGE_CONTRACT = ["vendors.change_contract"]


# --- Vendors --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List vendors"),
    retrieve=extend_schema(summary="One vendor, with its contacts"),
)
class VendorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Vendors: who the contact center depends on.

    Status `onboarding → active → offboarding → exited` (and back to active from
    offboarding), one `POST /api/vendors/{id}/<transition>/` each. An exit needs the
    vendor's running contracts ended first (400 naming them).
    """

    queryset = Vendor.objects.all()
    serializer_class = VendorSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = VendorFilter
    ordering_fields = ["name", "category", "status", "risk_rating", "created_at"]
    ordering = ["name", "pk"]
    action_permissions = {
        "create": ["vendors.add_vendor"],
        "partial_update": CHANGE_VENDOR,
        "activate": VIEW_VENDOR, "offboard": VIEW_VENDOR, "reactivate": VIEW_VENDOR,
        "exit": VIEW_VENDOR,  # the transition's own permission decides (403)
        "review_risk": CHANGE_VENDOR,
        "downtime": VIEW_VENDOR,
    }

    def get_queryset(self):
        return vendors_for_list().select_related("risk_reviewed_by").prefetch_related(
            "contacts")

    def _respond(self, vendor, status_code=status.HTTP_200_OK):
        return Response(VendorSerializer(self.get_queryset().get(pk=vendor.pk),
                                         context=self.get_serializer_context()).data,
                        status=status_code)

    @extend_schema(summary="Add a vendor", request=VendorWriteSerializer,
                   responses={201: VendorSerializer})
    def create(self, request, *args, **kwargs):
        """Add a vendor; it starts onboarding."""
        data = validated_input(self, VendorWriteSerializer)
        return self._respond(services.vendor_create(by=request.user, **data),
                             status.HTTP_201_CREATED)

    @extend_schema(summary="Edit a vendor", request=VendorWriteSerializer,
                   responses={200: VendorSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change some fields; the history says which. Status and risk have their own
        actions."""
        data = validated_input(self, VendorWriteSerializer, partial=True)
        return self._respond(services.vendor_update(vendor=self.get_object(), by=request.user,
                                                    **data))

    def _transition(self, name):
        data = validated_input(self, ReasonSerializer)
        vendor = services.vendor_transition(vendor=self.get_object(), by=self.request.user,
                                            name=name, reason=data["reason"])
        return self._respond(vendor)

    @extend_schema(summary="Onboarding → active", request=ReasonSerializer,
                   responses={200: VendorSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """The vendor is live (onboarding done)."""
        return self._transition("activate")

    @extend_schema(summary="Active → offboarding", request=ReasonSerializer,
                   responses={200: VendorSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def offboard(self, request, pk=None):
        """We are leaving the vendor."""
        return self._transition("offboard")

    @extend_schema(summary="Offboarding → active", request=ReasonSerializer,
                   responses={200: VendorSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        """Offboarding called off."""
        return self._transition("reactivate")

    @extend_schema(summary="Offboarding → exited", request=ReasonSerializer,
                   responses={200: VendorSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def exit(self, request, pk=None):
        """The vendor is gone. Refused (400, `contracts`) while a contract still runs."""
        return self._transition("exit")

    @extend_schema(summary="Record a risk review", request=RiskReviewSerializer,
                   responses={200: VendorSerializer})
    @action(detail=True, methods=["post"], url_path="review-risk")
    def review_risk(self, request, pk=None):
        """The rating, why (required), and when it was reviewed (today by default)."""
        data = validated_input(self, RiskReviewSerializer)
        return self._respond(services.vendor_review_risk(
            vendor=self.get_object(), by=request.user, rating=data["rating"],
            reason=data["reason"], reviewed_on=data["reviewed_on"]))

    @extend_schema(
        summary="Downtime derived from the vendor's incidents",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT,
                                     description="Calendar year (UTC); default this year.")],
        responses={200: DowntimeSerializer})
    @action(detail=True, methods=["get"])
    def downtime(self, request, pk=None):
        """Minutes per UTC month: each attributed incident from its impact start to its
        containment or resolution (per the contract), open ones until now; overlapping
        incidents count once; tagged exclusions subtract."""
        vendor = self.get_object()
        year = request.query_params.get("year", "")
        now = timezone.now()
        if year and not (year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100):
            raise serializers.ValidationError({"year": ["Give a year such as 2026."]})
        start, end = year_bounds(int(year) if year else now.astimezone(UTC).year)
        downtime = downtime_by_vendor([vendor.pk], start=start, end=end, now=now)[vendor.pk]
        return Response(DowntimeSerializer(downtime, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="List vendor contacts"),
    retrieve=extend_schema(summary="One vendor contact"),
)
class VendorContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Vendor contacts: account manager, support desk, NOC, escalation, executive
    sponsor, in escalation order (1 is called first)."""

    queryset = VendorContact.objects.select_related("vendor").order_by(
        "vendor__name", "escalation_order", "name", "pk")
    serializer_class = VendorContactSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_fields = ["vendor", "role"]
    action_permissions = {"create": CHANGE_VENDOR, "partial_update": CHANGE_VENDOR,
                          "destroy": CHANGE_VENDOR}

    @extend_schema(summary="Add a contact", request=VendorContactCreateSerializer,
                   responses={201: VendorContactSerializer})
    def create(self, request, *args, **kwargs):
        data = validated_input(self, VendorContactCreateSerializer)
        contact = services.contact_save(by=request.user, **data)
        return Response(VendorContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Edit a contact", request=VendorContactWriteSerializer,
                   responses={200: VendorContactSerializer})
    def partial_update(self, request, *args, **kwargs):
        contact = self.get_object()
        data = validated_input(self, VendorContactWriteSerializer, partial=True)
        contact = services.contact_save(vendor=contact.vendor, contact=contact,
                                        by=request.user, **data)
        return Response(VendorContactSerializer(contact).data)

    @extend_schema(summary="Remove a contact", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.contact_delete(contact=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Contracts ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List contracts (by next date)"),
    retrieve=extend_schema(summary="One contract"),
)
class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Contracts with their renewal terms and the notice date derived from them.

    `draft → active → (notice_given | renewed) → expired | terminated`: one
    `POST /api/contracts/{id}/<transition>/` each (the sweep expires and renews
    automatic contracts on their end date by itself). The renewal decision has its
    own action. Sorted by the next date that matters by default
    (`?ordering=next_date`); `value` and `fee_lines` only for roles that see money.
    """

    queryset = Contract.objects.all()
    serializer_class = ContractSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = ContractFilter
    ordering_fields = ["next_date", "notice_date", "end_date", "start_date", "reference",
                       "vendor__name", "state"]
    ordering = ["finished", "next_date", "pk"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    action_permissions = {
        "create": ["vendors.add_contract"],
        "partial_update": CHANGE_CONTRACT,
        "destroy": ["vendors.delete_contract"],
        # The transitions' own permission decides (403), as for incidents.
        "activate": VIEW_CONTRACT, "give_notice": VIEW_CONTRACT, "renew": VIEW_CONTRACT,
        "expire": VIEW_CONTRACT, "terminate": VIEW_CONTRACT,
        # The owner decides too (vendors.decide_renewal): the service checks.
        "decide": VIEW_CONTRACT,
        "successor": ["vendors.add_contract"],
        "documents": ["vendors.view_contractdocument"],
        "upload_document": ["vendors.add_contractdocument"],
        "renewals": ["vendors.view_contractrenewal"],
        "deadlines": ["vendors.view_contractdeadline"],
    }

    def get_queryset(self):
        return contracts_for_list().prefetch_related("fee_lines")

    def _respond(self, contract, status_code=status.HTTP_200_OK):
        contract = self.get_queryset().get(pk=contract.pk)
        return Response(ContractSerializer(contract, context=self.get_serializer_context()).data,
                        status=status_code)

    @extend_schema(summary="Add a contract (a draft)", request=ContractWriteSerializer,
                   responses={201: ContractSerializer})
    def create(self, request, *args, **kwargs):
        """Add a contract as a draft; activate it to start its deadlines. Without a
        reference it gets the next `CTR-<year>-NNNN`."""
        data = validated_input(self, ContractWriteSerializer)
        contract = services.contract_create(by=request.user, **_fee_lines_as_dicts(data))
        return self._respond(contract, status.HTTP_201_CREATED)

    @extend_schema(summary="Edit a contract", request=ContractWriteSerializer,
                   responses={200: ContractSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change its terms; a new end date or notice period moves the notice date and
        the deadlines. An expired or terminated contract cannot change (400)."""
        data = validated_input(self, ContractWriteSerializer, partial=True)
        contract = services.contract_update(contract=self.get_object(), by=request.user,
                                            **_fee_lines_as_dicts(data))
        return self._respond(contract)

    @extend_schema(summary="Delete a draft", responses={204: None, **TRANSITION_ERRORS})
    def destroy(self, request, *args, **kwargs):
        """Only a draft may be deleted; a contract that ran is a record (409)."""
        contract = self.get_object()
        services.contract_delete_draft(contract=contract, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Draft → active", request=None,
                   responses={200: ContractSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Needs an owner, dates in order, and a term for an automatic renewal (400
        naming what is missing). Schedules the warnings and the end date."""
        return self._respond(services.contract_activate(contract=self.get_object(),
                                                        by=request.user))

    @extend_schema(summary="Record that notice was given", request=NoticeSerializer,
                   responses={200: ContractSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="give-notice")
    def give_notice(self, request, pk=None):
        """Active or renewed → notice given: it expires on its end date."""
        data = validated_input(self, NoticeSerializer)
        return self._respond(services.contract_give_notice(
            contract=self.get_object(), by=request.user, given_on=data["given_on"],
            note=data["note"]))

    @extend_schema(summary="Renew for another term", request=RenewSerializer,
                   responses={200: ContractSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Extend by one renewal term, or to `new_end_date`; recorded as a renewal and
        a new decision is owed for the new term."""
        data = validated_input(self, RenewSerializer)
        return self._respond(services.contract_renew(
            contract=self.get_object(), by=request.user, new_end_date=data["new_end_date"],
            note=data["note"]))

    @extend_schema(summary="Expire (past its end date)", request=None,
                   responses={200: ContractSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def expire(self, request, pk=None):
        """What the sweep does on the end date, by hand (400 before it)."""
        return self._respond(services.contract_expire(contract=self.get_object(),
                                                      by=request.user))

    @extend_schema(summary="Terminate early", request=TerminateSerializer,
                   responses={200: ContractSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        """Needs `terminated_on` and a `reason`."""
        data = validated_input(self, TerminateSerializer)
        return self._respond(services.contract_terminate(
            contract=self.get_object(), by=request.user, terminated_on=data["terminated_on"],
            reason=data["reason"]))

    @extend_schema(summary="Record the renewal decision", request=DecisionSerializer,
                   responses={200: ContractSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """`renew`, `renegotiate` or `exit`, with a `reason`, for the current term —
        before the notice date. The contract's owner or a vendor manager decides."""
        data = validated_input(self, DecisionSerializer)
        return self._respond(services.contract_decide(
            contract=self.get_object(), by=request.user, decision=data["decision"],
            reason=data["reason"]))

    @extend_schema(summary="Draft the contract that follows this one", request=None,
                   responses={201: ContractSerializer})
    @action(detail=True, methods=["post"])
    def successor(self, request, pk=None):
        """A draft with the same vendor and terms, starting the day after this one
        ends, with this one as its predecessor (renegotiation)."""
        successor = services.contract_draft_successor(contract=self.get_object(),
                                                      by=request.user)
        return self._respond(successor, status.HTTP_201_CREATED)

    @extend_schema(summary="The contract's documents",
                   responses={200: ContractDocumentSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def documents(self, request, pk=None):
        """Pricing schedules only for roles that see money. Files download from
        `download_url`, a permission-checked page."""
        contract = self.get_object()
        readable = [d for d in contract.documents.select_related("uploaded_by")
                    if request.user.has_perm("vendors.read_document", d)]
        return Response(ContractDocumentSerializer(readable, many=True).data)

    @extend_schema(summary="Upload a document", request={
        "multipart/form-data": DocumentUploadSerializer},
        responses={201: ContractDocumentSerializer})
    @documents.mapping.post
    def upload_document(self, request, pk=None):
        """Multipart with `file`, `title` and `kind` (limits: size and type, 400)."""
        data = validated_input(self, DocumentUploadSerializer)
        document = services.document_upload(contract=self.get_object(), by=request.user,
                                             **data)
        return Response(ContractDocumentSerializer(document).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="The contract's renewals",
                   responses={200: ContractRenewalSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def renewals(self, request, pk=None):
        contract = self.get_object()
        return Response(ContractRenewalSerializer(
            contract.renewals.select_related("renewed_by"), many=True).data)

    @extend_schema(summary="The contract's deadlines (warnings, notice, end)",
                   responses={200: ContractDeadlineSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deadlines(self, request, pk=None):
        """Pending ones have `due_at`; fired ones `fired_at` and their `outcome`."""
        return Response(ContractDeadlineSerializer(self.get_object().deadlines.all(),
                                                   many=True).data)


def _fee_lines_as_dicts(data):
    if data.get("fee_lines") is not None:
        data["fee_lines"] = [dict(line) for line in data["fee_lines"]]
    return data


class ContractDocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Contract documents (pricing schedules only for roles that see money)."""

    queryset = ContractDocument.objects.select_related("uploaded_by").order_by("-uploaded_at",
                                                                               "-pk")
    serializer_class = ContractDocumentSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "delete", "head", "options"]
    filterset_fields = ["contract", "kind"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.request.user.has_perm("core.view_money"):
            queryset = queryset.exclude(kind="pricing")
        return queryset

    @extend_schema(summary="Remove a document", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.document_delete(document=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Attribution and downtime ---------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List vendor attributions"),
    retrieve=extend_schema(summary="One vendor attribution"),
)
class VendorAttributionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    """Which incidents and escalations name which vendors. People who work an
    incident, its vendor liaison and vendor managers name vendors on it; people who
    work an escalation and vendor managers on escalations."""

    queryset = VendorAttribution.objects.select_related(
        "vendor", "added_by", "incident", "escalation").order_by("-added_at", "-pk")
    serializer_class = VendorAttributionSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "delete", "head", "options"]
    filterset_fields = ["vendor", "contract", "incident", "escalation"]
    action_permissions = {
        # The object rule (vendors.attribute_incident / _escalation) is the service's.
        "create": ["vendors.view_vendorattribution"],
        "destroy": ["vendors.view_vendorattribution"],
    }

    @extend_schema(summary="Name a vendor on an incident or escalation",
                   request=AttributionCreateSerializer,
                   responses={201: VendorAttributionSerializer})
    def create(self, request, *args, **kwargs):
        """Give `incident` or `escalation` (one of them), the `vendor`, and optionally
        the `contract` (one of the vendor's) and a `reason`."""
        data = validated_input(self, AttributionCreateSerializer)
        incident, escalation = _work_item_or_400(request, data.pop("incident"),
                                                 data.pop("escalation"))
        attribution = services.attribution_add(by=request.user, incident=incident,
                                               escalation=escalation, **data)
        return Response(VendorAttributionSerializer(attribution).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="Stop naming a vendor", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.attribution_remove(attribution=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _work_item_or_400(request, incident_id, escalation_id):
    if (incident_id is None) == (escalation_id is None):
        raise serializers.ValidationError(
            {"incident": ["Give an incident or an escalation (one of them)."]})
    kind, pk = ("incident", incident_id) if incident_id is not None else (
        "escalation", escalation_id)
    model = work_items.work_item_type(kind).model_class
    target = model._default_manager.filter(pk=pk).first()
    if target is None or not work_items.may_view(request.user, target):
        raise serializers.ValidationError({kind: [f"No {kind} with id {pk}."]})
    return (target, None) if kind == "incident" else (None, target)


class WorkItemVendorsView(generics.GenericAPIView):
    """`GET /api/incidents/{id}/vendors/` (or `/api/escalations/{id}/vendors/`): the
    vendors named, each with its NOC and escalation contacts in escalation order.
    `POST` names one more."""

    kind = "incident"
    serializer_class = WorkItemVendorSerializer
    permission_classes = [ActionPermissions]
    queryset = VendorAttribution.objects.all()
    pagination_class = None
    action_permissions = {"get": ["vendors.view_vendorattribution"],
                          "post": ["vendors.view_vendorattribution"]}

    @property
    def action(self):
        return self.request.method.lower()

    def _target(self):
        target = work_items.get_work_item(self.kind, self.kwargs["pk"])
        if not work_items.may_view(self.request.user, target):
            raise Http404(f"No such {self.kind}.")
        return target

    def _listing(self, target):
        return WorkItemVendorSerializer(attributions_for(target), many=True).data

    @extend_schema(summary="Vendors named on the work item",
                   responses={200: WorkItemVendorSerializer(many=True)})
    def get(self, request, pk):
        return Response(self._listing(self._target()))

    @extend_schema(summary="Name a vendor on the work item",
                   request=WorkItemVendorAddSerializer,
                   responses={201: WorkItemVendorSerializer(many=True)})
    def post(self, request, pk):
        target = self._target()
        data = validated_input(self, WorkItemVendorAddSerializer)
        services.attribution_add(by=request.user, **{self.kind: target}, **data)
        return Response(self._listing(target), status=status.HTTP_201_CREATED)


class IncidentVendorsView(WorkItemVendorsView):
    kind = "incident"


class EscalationVendorsView(WorkItemVendorsView):
    kind = "escalation"


@extend_schema_view(
    list=extend_schema(summary="List downtime exclusions"),
    retrieve=extend_schema(summary="One downtime exclusion"),
)
class DowntimeExclusionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    """Windows that do not count against a vendor (scheduled maintenance announced in
    time, force majeure, caused by us, third party), with who tagged them and why."""

    queryset = DowntimeExclusion.objects.select_related("tagged_by").order_by("-starts_at",
                                                                            "-pk")
    serializer_class = DowntimeExclusionSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "delete", "head", "options"]
    filterset_fields = ["vendor", "incident", "kind"]

    @extend_schema(summary="Tag a window as excluded", request=DowntimeExclusionSerializer,
                   responses={201: DowntimeExclusionSerializer})
    def create(self, request, *args, **kwargs):
        """`notice_given_at` is required for scheduled maintenance (and checked against
        the contract's maintenance notice); `incident` limits it to one incident."""
        data = validated_input(self, DowntimeExclusionSerializer)
        exclusion = services.exclusion_add(by=request.user, **data)
        return Response(DowntimeExclusionSerializer(exclusion).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove an exclusion", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.exclusion_remove(exclusion=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

