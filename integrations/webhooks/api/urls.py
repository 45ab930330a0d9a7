"""Outbound webhook API routes; ``config/api.py`` gathers them under /api/."""

from rest_framework.routers import SimpleRouter

from .views import CustomerOptInViewSet, DeliveryViewSet, EventTypeViewSet, SubscriptionViewSet

router = SimpleRouter()
router.register("webhook-subscriptions", SubscriptionViewSet)
router.register("webhook-deliveries", DeliveryViewSet)
router.register("webhook-event-types", EventTypeViewSet, basename="webhook-event-type")
router.register("customer-update-opt-ins", CustomerOptInViewSet)

urlpatterns = router.urls
