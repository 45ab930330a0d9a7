from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="index"),
    path("declare/", views.incident_declare, name="declare"),
    path("action-items/mine/", views.my_action_items, name="my-action-items"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/transitions/<slug:name>/", views.incident_transition, name="transition"),
    path("<int:pk>/severity/", views.incident_change_severity, name="change-severity"),
    path("<int:pk>/correct-timestamp/", views.incident_correct_timestamp,
         name="correct-timestamp"),
    path("<int:pk>/talk-track/", views.incident_talk_track, name="talk-track"),
    path("<int:pk>/notes/", views.incident_add_note, name="add-note"),
    path("<int:pk>/timeline/<int:event_pk>/pin/", views.timeline_pin, name="pin"),
    path("<int:pk>/status-updates/", views.status_update_post, name="post-update"),
    path("<int:pk>/roles/", views.incident_assign_role, name="assign-role"),
    path("<int:pk>/postmortem/", views.postmortem_edit, name="postmortem-edit"),
    path("<int:pk>/postmortem/<slug:name>/", views.postmortem_transition,
         name="postmortem-transition"),
    path("<int:pk>/action-items/", views.action_item_create, name="action-item-create"),
    path("<int:pk>/action-items/<int:item_pk>/", views.action_item_update,
         name="action-item-update"),
    path("<int:pk>/action-items/<int:item_pk>/<slug:name>/", views.action_item_transition,
         name="action-item-transition"),
]
