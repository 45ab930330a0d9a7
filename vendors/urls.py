from django.urls import path

from . import views

app_name = "vendors"

urlpatterns = [
    path("", views.vendor_list, name="index"),
    path("new/", views.vendor_create, name="create"),
    path("<int:pk>/", views.vendor_detail, name="detail"),
    path("<int:pk>/edit/", views.vendor_edit, name="edit"),
    path("<int:pk>/status/<str:name>/", views.vendor_status, name="status"),
    path("<int:pk>/risk/", views.vendor_risk, name="risk"),
    path("<int:pk>/contacts/", views.contact_save, name="contact-add"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_save, name="contact-edit"),
    path("<int:pk>/contacts/<int:contact_pk>/delete/", views.contact_delete,
         name="contact-delete"),
    path("<int:pk>/exclusions/", views.exclusion_add, name="exclusion-add"),
    path("<int:pk>/exclusions/<int:exclusion_pk>/delete/", views.exclusion_delete,
         name="exclusion-delete"),
    path("contracts/", views.contract_list, name="contracts"),
    path("contracts/export.csv", views.contract_export, name="contracts-export"),
    path("contracts/new/", views.contract_create, name="contract-create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract-edit"),
    path("contracts/<int:pk>/decision/", views.contract_decide, name="contract-decide"),
    path("contracts/<int:pk>/successor/", views.contract_successor, name="contract-successor"),
    path("contracts/<int:pk>/documents/", views.document_upload, name="document-upload"),
    path("contracts/<int:pk>/documents/<int:document_pk>/", views.document_download,
         name="document"),
    path("contracts/<int:pk>/documents/<int:document_pk>/delete/", views.document_delete,
         name="document-delete"),
    path("contracts/<int:pk>/<str:name>/", views.contract_transition,
         name="contract-transition"),
    # Cards on incident and escalation pages: "incident" or "escalation", its id.
    path("attributions/<str:kind>/<int:object_pk>/", views.attribution_add,
         name="attribution-add"),
    path("attributions/<int:pk>/remove/", views.attribution_remove, name="attribution-remove"),
]
