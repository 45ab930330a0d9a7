"""Reports API routes; ``config/api.py`` gathers them under /api/."""

from rest_framework.routers import SimpleRouter

from .views import ActionItemViewSet, PackScheduleViewSet, PackViewSet, ReviewViewSet

router = SimpleRouter()
router.register("vendor-reviews", ReviewViewSet)
router.register("review-action-items", ActionItemViewSet)
router.register("report-packs", PackViewSet)
router.register("pack-schedules", PackScheduleViewSet)

urlpatterns = router.urls
