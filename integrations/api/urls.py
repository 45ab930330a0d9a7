"""Integration API routes; ``config/api.py`` gathers them under /api/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .intake import IntakeView, PagerDutyEnqueueView
from .views import AlertViewSet, IntegrationViewSet

router = SimpleRouter()
router.register("integrations", IntegrationViewSet)
router.register("alerts", AlertViewSet)

extra_urlpatterns = [
    path("integrations/intake/<str:token>/", IntakeView.as_view(), name="integration-intake"),
    # PagerDuty's path, so a tool configured for events.pagerduty.com/v2/enqueue needs
    # only the host changed.
    path("integrations/pagerduty/v2/enqueue", PagerDutyEnqueueView.as_view(),
         name="integration-pagerduty-enqueue"),
]
urlpatterns = [*router.urls, *extra_urlpatterns]
