from django.urls import path

from . import views

app_name = "escalations"

urlpatterns = [
    path("", views.escalation_list, name="index"),
    path("new/", views.escalation_create, name="create"),
    path("<int:pk>/", views.escalation_detail, name="detail"),
    path("<int:pk>/transitions/<slug:name>/", views.escalation_transition, name="transition"),
    path("<int:pk>/tier/<slug:direction>/", views.escalation_tier, name="tier"),
    path("<int:pk>/actions/<slug:name>/", views.escalation_action, name="action"),
    path("<int:pk>/incidents/<int:incident_pk>/unlink/", views.escalation_unlink,
         name="unlink"),
    path("incidents/<int:incident_pk>/link/", views.incident_link_escalations,
         name="incident-link"),
    path("incidents/<int:incident_pk>/unlink/<int:pk>/", views.incident_unlink_escalation,
         name="incident-unlink"),
    path("<int:pk>/tier-changes/<int:change_pk>/acknowledge/",
         views.tier_change_acknowledge, name="tier-acknowledge"),
    path("customers/", views.customer_list, name="customers"),
    path("customers/<int:pk>/", views.customer_detail, name="customer"),
    path("customers/<int:pk>/export/", views.customer_export, name="customer-export"),
    path("customers/<int:pk>/erase/", views.customer_erase, name="customer-erase"),
]
