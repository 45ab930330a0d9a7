"""The shared kernel's API routes, and the API's own pages (schema, docs, health).

Every app with an API has an ``api/urls.py`` with a ``router`` (and optionally
``extra_urlpatterns``); ``config/api.py`` gathers them all under /api/.
"""

from django.urls import path
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from core.api import clocks, search, views
from core.api.calendars import BusinessCalendarViewSet, HolidayViewSet
from core.api.docs import CachedSchemaView, redoc_bundle, redoc_view

router = SimpleRouter()
router.register("teams", views.TeamViewSet)
router.register("users", views.UserViewSet)
router.register("clocks", clocks.SlaClockViewSet)
router.register("notifications", clocks.NotificationViewSet, basename="notification")
router.register("calendars", BusinessCalendarViewSet)
router.register("holidays", HolidayViewSet)

extra_urlpatterns = [
    path("health/", views.HealthView.as_view(), name="api-health"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("search/", search.SearchView.as_view(), name="api-search"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("schema/", CachedSchemaView.as_view(), name="api-schema"),
    # The docs pages use our templates (templates/api/): offline and CSP-clean.
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema",
                                                 template_name="api/swagger_ui.html"),
         name="api-docs"),
    path("docs/redoc/", redoc_view(url_name="api-schema"), name="api-redoc"),
    path("docs/redoc.standalone.js", redoc_bundle, name="api-redoc-bundle"),
]
