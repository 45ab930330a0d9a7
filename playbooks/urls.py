from django.urls import path

from core.views import area_placeholder

app_name = "playbooks"

urlpatterns = [path("", area_placeholder("playbooks"), name="index")]
