"""Incident API routes; ``core/api/urls.py`` adds them to the /api/ root."""

from rest_framework.routers import SimpleRouter

from .views import ActionItemViewSet, ChannelViewSet, IncidentViewSet, SeverityViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet)
router.register("action-items", ActionItemViewSet)
router.register("severities", SeverityViewSet)
router.register("channels", ChannelViewSet)

urlpatterns = router.urls
