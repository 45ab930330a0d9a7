"""Incident API routes; ``config/api.py`` gathers them under /api/."""

from rest_framework.routers import SimpleRouter

from .views import ActionItemViewSet, ChannelViewSet, IncidentViewSet, SeverityViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet)
router.register("action-items", ActionItemViewSet)
router.register("severities", SeverityViewSet)
router.register("channels", ChannelViewSet)

urlpatterns = router.urls
