"""Vendor API routes; ``config/api.py`` gathers them under /api/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .sla_views import (
    ComplianceViewSet,
    MeasurementViewSet,
    ServiceCreditViewSet,
    SlaObjectiveViewSet,
)
from .views import (
    ContractDocumentViewSet,
    ContractViewSet,
    DowntimeExclusionViewSet,
    EscalationVendorsView,
    IncidentVendorsView,
    VendorAttributionViewSet,
    VendorContactViewSet,
    VendorViewSet,
)

router = SimpleRouter()
router.register("vendors", VendorViewSet)
router.register("vendor-contacts", VendorContactViewSet)
router.register("contracts", ContractViewSet)
router.register("contract-documents", ContractDocumentViewSet)
router.register("vendor-attributions", VendorAttributionViewSet)
router.register("downtime-exclusions", DowntimeExclusionViewSet)
router.register("sla-objectives", SlaObjectiveViewSet)
router.register("sla-measurements", MeasurementViewSet)
router.register("sla-compliance", ComplianceViewSet)
router.register("service-credits", ServiceCreditViewSet)

# Routes outside the router (``config/api.py`` includes both).
extra_urlpatterns = [
    path("incidents/<int:pk>/vendors/", IncidentVendorsView.as_view(), name="incident-vendors"),
    path("escalations/<int:pk>/vendors/", EscalationVendorsView.as_view(),
         name="escalation-vendors"),
]
urlpatterns = [*router.urls, *extra_urlpatterns]
