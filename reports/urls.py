from django.urls import path

from core.views import area_placeholder

app_name = "reports"

urlpatterns = [path("", area_placeholder("reports"), name="index")]
