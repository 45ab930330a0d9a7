"""Outbound webhook API: subscriptions (CRUD, rotate, test), the delivery log (read,
replay) and the event catalogue. Managers only; each write calls the services, whose
refusals come back through the shared exception handler (400 naming the field, 403,
409)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from core.api.schema import validated_input
from core.events import event_types

from .. import customer_updates, services
from ..models import CustomerUpdateOptIn, WebhookDelivery, WebhookSubscription
from .serializers import (
    CustomerOptInInputSerializer,
    CustomerOptInSerializer,
    DeliveryDetailSerializer,
    DeliverySerializer,
    EmptySerializer,
    EventTypeSerializer,
    SubscriptionInputSerializer,
    SubscriptionSerializer,
    SubscriptionUpdateSerializer,
    SubscriptionWithSecretSerializer,
)


class ManagesWebhooks(BasePermission):
    """Reads too: URLs are credentials and payloads are the company's events."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("webhooks.manage"))


@extend_schema_view(
    list=extend_schema(summary="List webhook subscriptions"),
    retrieve=extend_schema(summary="One webhook subscription (its secret is never shown)"),
    create=extend_schema(summary="Create a subscription; the answer shows its signing "
                                 "secret, this once", request=SubscriptionInputSerializer,
                         responses={201: SubscriptionWithSecretSerializer}),
    partial_update=extend_schema(summary="Change a subscription",
                                 request=SubscriptionUpdateSerializer,
                                 responses={200: SubscriptionSerializer}),
    destroy=extend_schema(summary="Delete a subscription and its delivery log"),
)
class SubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, mixins.UpdateModelMixin,
                          mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Where events are sent and how they are signed (Standard Webhooks)."""

    queryset = WebhookSubscription.objects.order_by("name", "pk")
    serializer_class = SubscriptionSerializer
    permission_classes = [ManagesWebhooks]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["enabled", "preset"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        data = validated_input(self, SubscriptionInputSerializer)
        subscription = services.subscription_create(by=request.user, **data)
        return Response(SubscriptionWithSecretSerializer(subscription).data,
                        status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data = validated_input(self, SubscriptionUpdateSerializer)
        subscription = services.subscription_update(subscription=self.get_object(),
                                                    by=request.user, **data)
        return Response(SubscriptionSerializer(subscription).data)

    def destroy(self, request, *args, **kwargs):
        services.subscription_delete(subscription=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Rotate the signing secret", request=EmptySerializer,
                   responses={200: SubscriptionWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new secret, shown in this answer only; the previous one keeps signing too
        (space-separated signatures) for ``WEBHOOK_SECRET_GRACE_HOURS``."""
        subscription = services.subscription_rotate_secret(subscription=self.get_object(),
                                                           by=request.user)
        return Response(SubscriptionWithSecretSerializer(subscription).data)

    @extend_schema(summary="Send a test event", request=EmptySerializer,
                   responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"], url_path="send-test")
    def send_test(self, request, pk=None):
        """Queue a ``webhook.test`` event to this subscription; poll the delivery."""
        delivery = services.subscription_send_test(subscription=self.get_object(),
                                                   by=request.user)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(summary="The delivery log (filter by subscription, status, event "
                               "type)"),
    retrieve=extend_schema(summary="One delivery with its payload and every attempt",
                           responses={200: DeliveryDetailSerializer}),
)
class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Each event sent to each subscription: status, attempts, responses."""

    queryset = (WebhookDelivery.objects.select_related("subscription")
                .order_by("-created_at", "-pk"))
    serializer_class = DeliverySerializer
    permission_classes = [ManagesWebhooks]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["subscription", "status", "event_type", "is_test"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("attempt_log")
        return queryset

    def get_serializer_class(self):
        return DeliveryDetailSerializer if self.action == "retrieve" else DeliverySerializer

    @extend_schema(summary="Replay a delivery", request=EmptySerializer,
                   responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        """Send it again: a new round of attempts with the same ``webhook-id`` and fresh
        signatures. 409 while it is still queued or its subscription is disabled."""
        delivery = services.delivery_replay(delivery=self.get_object(), by=request.user)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class EventTypeViewSet(viewsets.ViewSet):
    """The event types a subscription can choose."""

    permission_classes = [ManagesWebhooks]

    @extend_schema(summary="The event type catalogue",
                   responses={200: EventTypeSerializer(many=True)})
    def list(self, request):
        return Response(EventTypeSerializer(
            [{"code": t.code, "description": t.description} for t in event_types()],
            many=True).data)


class ManagesCustomerUpdates(BasePermission):
    """As on the customer's page: who records a customer's email preferences and sees
    their personal data (managers, escalation leads)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated
                    and user.has_perm("webhooks.manage_customer_updates"))


@extend_schema_view(
    list=extend_schema(summary="Customers opted in to status update emails (filter by "
                               "customer)"),
    retrieve=extend_schema(summary="One customer's opt-in"),
    create=extend_schema(summary="Opt a customer in to status update emails",
                         request=CustomerOptInInputSerializer,
                         responses={201: CustomerOptInSerializer, 200: CustomerOptInSerializer}),
    destroy=extend_schema(summary="Opt a customer out (emails not sent yet are dropped)"),
)
class CustomerOptInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           mixins.CreateModelMixin, mixins.DestroyModelMixin,
                           viewsets.GenericViewSet):
    """Customers who asked for customer-facing incident status updates by email: the
    same services, permission and audit as the opt-in card on the customer's page."""

    queryset = CustomerUpdateOptIn.objects.order_by("-opted_in_at", "-pk")
    serializer_class = CustomerOptInSerializer
    permission_classes = [ManagesCustomerUpdates]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["customer"]

    def create(self, request, *args, **kwargs):
        """Idempotent: a customer already opted in is answered 200 with the opt-in
        as it was; a new opt-in 201."""
        data = validated_input(self, CustomerOptInInputSerializer)
        existed = CustomerUpdateOptIn.objects.filter(customer=data["customer"]).exists()
        opt_in = customer_updates.customer_opt_in(customer=data["customer"], by=request.user,
                                                  note=data.get("note", ""))
        return Response(CustomerOptInSerializer(opt_in).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        customer_updates.customer_opt_out(customer=self.get_object().customer, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
