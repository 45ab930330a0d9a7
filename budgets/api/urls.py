"""Budgets API routes; ``config/api.py`` gathers them under /api/."""

from rest_framework.routers import SimpleRouter

from .views import (
    BenefitRecordViewSet,
    BudgetAlertViewSet,
    BudgetViewSet,
    CostCenterViewSet,
    CostRateViewSet,
    FiscalYearViewSet,
    InitiativeViewSet,
    SpendEntryViewSet,
    SpendImportViewSet,
)

router = SimpleRouter()
router.register("fiscal-years", FiscalYearViewSet)
router.register("cost-centers", CostCenterViewSet)
router.register("budgets", BudgetViewSet)
router.register("budget-alerts", BudgetAlertViewSet)
router.register("spend", SpendEntryViewSet)
router.register("spend-imports", SpendImportViewSet)
router.register("initiatives", InitiativeViewSet)
router.register("benefit-records", BenefitRecordViewSet)
router.register("cost-rates", CostRateViewSet)

urlpatterns = router.urls
