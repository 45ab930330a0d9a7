"""Escalation API routes; ``core/api/urls.py`` adds them to the /api/ root."""

from rest_framework.routers import SimpleRouter

from .views import CustomerViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet)

urlpatterns = router.urls
