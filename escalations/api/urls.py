"""Escalation API routes; ``core/api/urls.py`` adds them to the /api/ root."""

from rest_framework.routers import SimpleRouter

from .views import CustomerViewSet, EscalationSlaPolicyViewSet, EscalationViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet)
router.register("escalations", EscalationViewSet)
router.register("escalation-policies", EscalationSlaPolicyViewSet)

urlpatterns = router.urls
