from django.urls import path

from core.views import area_placeholder

app_name = "budgets"

urlpatterns = [path("", area_placeholder("budgets"), name="index")]
