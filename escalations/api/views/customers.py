"""Customers API: list, read, create, edit; export and erase on request.

Who sees which customer fields is ``escalations/visibility.py``'s."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.filters import (
    FilterBackend,
    FilterSet,
)
from core.api.permissions import ActionPermissions
from core.api.schema import validated_input

from ... import services
from ...choices import (
    CustomerTier,
)
from ...models import Customer
from ...visibility import ERASE_PERMISSION, customer_search_fields
from ..serializers import (
    CustomerEraseSerializer,
    CustomerExportSerializer,
    CustomerSerializer,
    CustomerWriteSerializer,
)


class CustomerSearchFilter(filters.SearchFilter):
    """``?search=`` matches the account reference; the name and email too, but only
    for roles that may see them (a match would reveal them otherwise)."""

    def get_search_fields(self, view, request):
        return customer_search_fields(request.user)


class CustomerFilter(FilterSet):
    tier = django_filters.MultipleChoiceFilter(choices=CustomerTier.choices,
                                               help_text="Repeat for several tiers.")
    erased = django_filters.BooleanFilter(field_name="erased_at", lookup_expr="isnull",
                                          exclude=True, help_text="Erased on request or not.")

    class Meta:
        model = Customer
        fields = ["tier", "erased"]


@extend_schema_view(
    list=extend_schema(summary="List customers"),
    retrieve=extend_schema(summary="One customer",
                           responses={200: CustomerSerializer}),
)
class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Customers whose escalations the desk works.

    Personal data (name, email, phone, address, notes) is in the body only for roles
    that see it (Manager, Escalation Lead); the annual value only for roles that see
    money (Manager, Vendor Manager, Finance). Everyone who may read customers sees the
    account reference and the tier.
    """

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = [FilterBackend, CustomerSearchFilter, filters.OrderingFilter]
    filterset_class = CustomerFilter
    ordering_fields = ["account_reference", "tier", "created_at"]
    ordering = ["account_reference", "pk"]
    action_permissions = {
        "create": ["escalations.add_customer"],
        "partial_update": ["escalations.change_customer"],
        "export": [ERASE_PERMISSION],
        "erase": [ERASE_PERMISSION],
    }

    def _respond(self, customer, status_code=status.HTTP_200_OK):
        customer = Customer.objects.get(pk=customer.pk)
        return Response(self.get_serializer(customer).data, status=status_code)

    @extend_schema(summary="Add a customer", request=CustomerWriteSerializer,
                   responses={201: CustomerSerializer})
    def create(self, request, *args, **kwargs):
        """Add a customer. Notes are PCI-redacted on input. A role may only set the
        fields it may see (403 otherwise)."""
        data = validated_input(self, CustomerWriteSerializer)
        customer = services.customer_create(by=request.user, **data)
        return self._respond(customer, status.HTTP_201_CREATED)

    @extend_schema(summary="Edit a customer", request=CustomerWriteSerializer,
                   responses={200: CustomerSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change some fields; the audit history lists which. An erased customer
        cannot be edited (400)."""
        data = validated_input(self, CustomerWriteSerializer, partial=True)
        customer = services.customer_update(customer=self.get_object(), by=request.user,
                                            **data)
        return self._respond(customer)

    @extend_schema(summary="Export everything held about the customer",
                   responses={200: CustomerExportSerializer})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """Managers only: the current fields and every history row (when, who, why,
        the fields as they were), for a subject-access request."""
        return Response(services.customer_export(customer=self.get_object(), by=request.user))

    @extend_schema(summary="Erase the customer's personal data on request",
                   request=CustomerEraseSerializer,
                   responses={200: CustomerSerializer})
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """Managers only: replaces the name, account reference, contact details and
        notes with a tombstone in the customer and in all of its history, keeps the
        tier, value and dates, and records the erasure with its `reason`. Erasing
        twice is refused (400)."""
        data = validated_input(self, CustomerEraseSerializer)
        customer = services.customer_erase(customer=self.get_object(), by=request.user,
                                           reason=data["reason"])
        return self._respond(customer)
