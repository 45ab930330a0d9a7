"""The /api/ root. Each app adds its router here as it grows."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from core.api import clocks, views
from core.api.calendars import BusinessCalendarViewSet, HolidayViewSet
from core.api.docs import redoc_bundle, redoc_view
from escalations.api.urls import extra_urlpatterns as escalations_urls
from escalations.api.urls import router as escalations_router
from incidents.api.urls import router as incidents_router
from playbooks.api.urls import router as playbooks_router

router = DefaultRouter()
router.register("teams", views.TeamViewSet)
router.register("users", views.UserViewSet)
router.register("clocks", clocks.SlaClockViewSet)
router.register("notifications", clocks.NotificationViewSet, basename="notification")
router.register("calendars", BusinessCalendarViewSet)
router.register("holidays", HolidayViewSet)
# Incidents: /api/incidents/, /api/action-items/, /api/severities/, /api/channels/.
router.registry.extend(incidents_router.registry)
# Escalations: /api/escalations/, /api/customers/, /api/escalation-policies/,
# /api/regulatory-regimes/, and /api/incidents/{id}/escalations/.
router.registry.extend(escalations_router.registry)
# Playbooks: /api/playbooks/, /api/playbook-versions/, /api/playbook-steps/,
# /api/playbook-runs/, /api/step-runs/.
router.registry.extend(playbooks_router.registry)

urlpatterns = [
    path("", include(router.urls)),
    *escalations_urls,
    path("health/", views.HealthView.as_view(), name="api-health"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The docs pages use our templates (templates/api/): offline and CSP-clean.
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema",
                                                 template_name="api/swagger_ui.html"),
         name="api-docs"),
    path("docs/redoc/", redoc_view(url_name="api-schema"), name="api-redoc"),
    path("docs/redoc.standalone.js", redoc_bundle, name="api-redoc-bundle"),
]
