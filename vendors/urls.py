from django.urls import path

from core.views import area_placeholder

app_name = "vendors"

urlpatterns = [path("", area_placeholder("vendors"), name="index")]
