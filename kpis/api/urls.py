"""KPI API routes; ``config/api.py`` gathers them under /api/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import IntervalImportViewSet, IntervalViewSet, MetricsView, QueueViewSet

router = SimpleRouter()
router.register("queues", QueueViewSet)
router.register("intervals", IntervalViewSet)
router.register("interval-imports", IntervalImportViewSet)

extra_urlpatterns = [path("kpi-metrics/", MetricsView.as_view(), name="kpi-metrics")]
urlpatterns = [*router.urls, *extra_urlpatterns]
