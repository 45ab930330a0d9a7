"""Playbook API routes; ``config/api.py`` gathers them under /api/."""

from rest_framework.routers import SimpleRouter

from .views import (
    PlaybookRunViewSet,
    PlaybookStepViewSet,
    PlaybookVersionViewSet,
    PlaybookViewSet,
    StepRunViewSet,
)

router = SimpleRouter()
router.register("playbooks", PlaybookViewSet)
router.register("playbook-versions", PlaybookVersionViewSet)
router.register("playbook-steps", PlaybookStepViewSet)
router.register("playbook-runs", PlaybookRunViewSet)
router.register("step-runs", StepRunViewSet)

urlpatterns = router.urls
