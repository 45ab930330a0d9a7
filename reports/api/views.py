"""Vendor review and pack API: reads, one ``@action`` per transition, action items,
and packs (create → 202 with the queued row; poll it for status and file links).
Each write calls ``reports/services.py``; refusals come back through the shared
exception handler (400 naming the field, 403, 409 with the allowed transitions)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.permissions import ActionPermissions
from core.api.schema import TRANSITION_ERRORS, validated_input

from .. import services
from ..models import PackSchedule, ReportPack, ReviewActionItem, VendorReview
from .serializers import (
    DecisionsSerializer,
    EmptySerializer,
    GenerateSerializer,
    PackInputSerializer,
    PackScheduleInputSerializer,
    PackScheduleSerializer,
    PackSerializer,
    ReviewActionItemCloseSerializer,
    ReviewActionItemInputSerializer,
    ReviewActionItemSerializer,
    ReviewDetailSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
)

EDIT = ["reports.change_vendorreview"]


@extend_schema_view(
    list=extend_schema(summary="List vendor reviews"),
    retrieve=extend_schema(summary="One review with the action items carried over to it",
                           responses={200: ReviewDetailSerializer}),
    create=extend_schema(summary="Plan a review", request=ReviewInputSerializer,
                         responses={201: ReviewDetailSerializer}),
    partial_update=extend_schema(summary="Change the meeting date or agenda",
                                 request=ReviewUpdateSerializer,
                                 responses={200: ReviewDetailSerializer}),
)
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Vendor review meetings: planned → pack_ready → held → minutes_published."""

    queryset = (VendorReview.objects.select_related("vendor")
                .prefetch_related("attendees", "vendor_attendees").order_by("-meeting_date", "-pk"))
    serializer_class = ReviewSerializer
    permission_classes = [ActionPermissions]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["vendor", "state", "period"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {"generate": ["reports.add_reportpack"], "hold": EDIT,
                          "decisions": EDIT, "publish_minutes": EDIT,
                          "add_action_item": EDIT}

    def get_serializer_class(self):
        return ReviewSerializer if self.action == "list" else ReviewDetailSerializer

    def create(self, request, *args, **kwargs):
        data = validated_input(self, ReviewInputSerializer)
        review = services.review_create(by=request.user, **data)
        return Response(ReviewDetailSerializer(review).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data = validated_input(self, ReviewUpdateSerializer)
        review = services.review_update(review=self.get_object(), by=request.user, **data)
        return Response(ReviewDetailSerializer(review).data)

    def _answer(self, review):
        return Response(ReviewDetailSerializer(review).data)

    @extend_schema(summary="Generate a pack (new version)", request=GenerateSerializer,
                   responses={202: PackSerializer})
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        """Queue a new pack version for the review's vendor and period; 202 with the
        queued row (poll ``/api/report-packs/{id}/``)."""
        data = validated_input(self, GenerateSerializer)
        review = self.get_object()
        pack = services.pack_request(by=request.user, vendor=review.vendor,
                                     period=review.period, period_start=review.period_start,
                                     review=review, formats=data.get("formats"))
        return Response(PackSerializer(pack).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="pack_ready → held", request=EmptySerializer,
                   responses={200: ReviewDetailSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """The meeting took place, on the latest finished pack (frozen from now on)."""
        return self._answer(services.review_hold(review=self.get_object(), by=request.user))

    @extend_schema(summary="Record the decisions", request=DecisionsSerializer,
                   responses={200: ReviewDetailSerializer})
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        """The decisions taken (while held)."""
        data = validated_input(self, DecisionsSerializer)
        return self._answer(services.review_record(review=self.get_object(), by=request.user,
                                                   **data))

    @extend_schema(summary="held → minutes_published", request=EmptySerializer,
                   responses={200: ReviewDetailSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="publish-minutes")
    def publish_minutes(self, request, pk=None):
        """Publish the minutes (needs the decisions)."""
        return self._answer(services.review_publish_minutes(review=self.get_object(),
                                                            by=request.user))

    @extend_schema(summary="Add an action item", request=ReviewActionItemInputSerializer,
                   responses={201: ReviewActionItemSerializer})
    @action(detail=True, methods=["post"], url_path="action-items")
    def add_action_item(self, request, pk=None):
        """An action with an owner and a due date; it carries over until done."""
        data = validated_input(self, ReviewActionItemInputSerializer)
        item = services.action_item_add(review=self.get_object(), by=request.user, **data)
        return Response(ReviewActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List review action items"),
    retrieve=extend_schema(summary="One action item"),
)
class ActionItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Action items agreed in reviews; open ones carry over to the vendor's next review."""

    queryset = ReviewActionItem.objects.select_related("review").order_by("due_date", "pk")
    serializer_class = ReviewActionItemSerializer
    permission_classes = [ActionPermissions]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["review", "state", "review__vendor"]
    action_permissions = {"close": ["reports.change_reviewactionitem"]}

    @extend_schema(summary="Mark done or dropped", request=ReviewActionItemCloseSerializer,
                   responses={200: ReviewActionItemSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Done or dropped (in the review where it came up, if given)."""
        data = validated_input(self, ReviewActionItemCloseSerializer)
        item = services.action_item_close(item=self.get_object(), by=request.user,
                                          state=data["outcome"], review=data.get("review"))
        return Response(ReviewActionItemSerializer(item).data)


@extend_schema_view(
    list=extend_schema(summary="List packs (filter by vendor)"),
    retrieve=extend_schema(summary="A pack's status, progress and file links"),
    create=extend_schema(summary="Generate a pack for a vendor and period",
                         request=PackInputSerializer, responses={202: PackSerializer}),
)
class PackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Generated vendor packs. Creating one answers 202 with the queued row; files
    download from the links once it is done (roles that see money)."""

    queryset = ReportPack.objects.order_by("-created_at", "-pk")
    serializer_class = PackSerializer
    permission_classes = [ActionPermissions]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["vendor", "status", "review"]

    def create(self, request, *args, **kwargs):
        data = validated_input(self, PackInputSerializer)
        pack = services.pack_request(by=request.user, **data)
        return Response(PackSerializer(pack).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(summary="List pack schedules"),
    retrieve=extend_schema(summary="A pack schedule: next run and last error"),
    create=extend_schema(summary="Schedule monthly vendor packs or the executive pack",
                         request=PackScheduleInputSerializer,
                         responses={201: PackScheduleSerializer}),
)
class PackScheduleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Monthly schedules, run on the first working day of their business calendar."""

    queryset = PackSchedule.objects.order_by("name", "pk")
    serializer_class = PackScheduleSerializer
    permission_classes = [ActionPermissions]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["kind", "active"]

    def create(self, request, *args, **kwargs):
        data = validated_input(self, PackScheduleInputSerializer)
        schedule = services.schedule_create(by=request.user, **data)
        return Response(PackScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)
