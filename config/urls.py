from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Switchboard administration"
admin.site.site_title = "Switchboard admin"
admin.site.index_title = "Configuration and records"

urlpatterns = [
    # The alert intake endpoints first: the hot path (hundreds of requests a second in
    # an alert storm) resolves without walking every page's and the API's routes.
    path("api/integrations/", include("integrations.api.intake_urls")),
    path("", include("core.urls")),
    path("incidents/", include("incidents.urls")),
    path("escalations/", include("escalations.urls")),
    path("vendors/", include("vendors.urls")),
    path("kpis/", include("kpis.urls")),
    path("playbooks/", include("playbooks.urls")),
    path("budgets/", include("budgets.urls")),
    path("reports/", include("reports.urls")),
    path("integrations/", include("integrations.urls")),
    path("webhooks/", include("integrations.webhooks.urls")),
    path("api/", include("config.api")),
    path("admin/", admin.site.urls),
]

handler400 = "core.views.handler400"
handler403 = "core.views.handler403"
handler404 = "core.views.handler404"
handler500 = "core.views.handler500"
