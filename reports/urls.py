from django.urls import include, path

from core.views import area_placeholder

app_name = "reports"

urlpatterns = [
    path("", area_placeholder("reports"), name="index"),
    path("", include("reports.executive_urls")),
]
