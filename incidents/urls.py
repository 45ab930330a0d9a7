from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="index"),
    path("<int:pk>/", views.incident_detail, name="detail"),
]
