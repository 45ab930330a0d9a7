"""Read API for integrations and their alerts (configuration is done on the pages and
in the admin by managers)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from core.api.permissions import ActionPermissions

from ..filters import AlertFilter
from ..models import Alert, Integration
from .serializers import AlertSerializer, IntegrationSerializer


@extend_schema_view(list=extend_schema(summary="List integrations"),
                    retrieve=extend_schema(summary="One integration"))
class IntegrationViewSet(viewsets.ReadOnlyModelViewSet):
    """Sources of alerts: each has its own intake URL and routing defaults."""

    queryset = Integration.objects.order_by("name", "pk")
    serializer_class = IntegrationSerializer
    permission_classes = [ActionPermissions]


@extend_schema_view(list=extend_schema(summary="List alerts (filter by integration, status, "
                                               "severity)"),
                    retrieve=extend_schema(summary="One alert in the normalised shape"))
class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Alerts in one shape whatever the source, deduplicated; ``incident`` is the one its
    group opened."""

    queryset = Alert.objects.select_related("group__incident").order_by("-last_seen_at", "-pk")
    serializer_class = AlertSerializer
    permission_classes = [ActionPermissions]
    filter_backends = [DjangoFilterBackend]
    filterset_class = AlertFilter
