from django.urls import path

from core.views import area_placeholder

app_name = "escalations"

urlpatterns = [path("", area_placeholder("escalations"), name="index")]
