from django.urls import path

from . import views

app_name = "playbooks"

urlpatterns = [
    path("", views.playbook_list, name="index"),
    path("new/", views.playbook_create, name="create"),
    path("<int:pk>/", views.playbook_detail, name="detail"),
    path("<int:pk>/actions/<slug:name>/", views.playbook_action, name="action"),
    path("<int:pk>/actions/<slug:name>/<int:target_pk>/", views.playbook_action,
         name="target-action"),
    path("steps/<int:pk>/complete/", views.step_complete, name="step-complete"),
    path("steps/<int:pk>/skip/", views.step_skip, name="step-skip"),
    path("steps/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("attach/<slug:kind>/<int:pk>/", views.attach, name="attach"),
]
