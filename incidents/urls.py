from django.urls import path

from core.views import area_placeholder

app_name = "incidents"

urlpatterns = [path("", area_placeholder("incidents"), name="index")]
