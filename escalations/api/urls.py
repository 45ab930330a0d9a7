"""Escalation API routes; ``config/api.py`` gathers them under /api/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    CustomerViewSet,
    EscalationSlaPolicyViewSet,
    EscalationViewSet,
    IncidentEscalationsView,
    RegulatoryRegimeViewSet,
)

router = SimpleRouter()
router.register("customers", CustomerViewSet)
router.register("escalations", EscalationViewSet)
router.register("escalation-policies", EscalationSlaPolicyViewSet)
router.register("regulatory-regimes", RegulatoryRegimeViewSet)

# Routes outside the router (``config/api.py`` includes both).
extra_urlpatterns = [
    path("incidents/<int:pk>/escalations/", IncidentEscalationsView.as_view(),
         name="incident-escalations"),
]
urlpatterns = [*router.urls, *extra_urlpatterns]
