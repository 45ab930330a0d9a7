"""Integration API routes; ``config/api.py`` gathers them under /api/. The intake
endpoints are in ``intake_urls.py``, mounted ahead of the router by ``config/urls.py``."""

from rest_framework.routers import SimpleRouter

from .views import AlertViewSet, IntegrationViewSet

router = SimpleRouter()
router.register("integrations", IntegrationViewSet)
router.register("alerts", AlertViewSet)

urlpatterns = [*router.urls]
