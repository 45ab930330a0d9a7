from django.urls import path

from . import views

app_name = "kpis"
urlpatterns = [
    path("", views.overview, name="index"),
    path("queues/<int:pk>/", views.queue_detail, name="queue"),
    path("import/", views.import_intervals, name="import"),
    path("import/sample/<str:format>/", views.sample_file, name="sample"),
    path("export/", views.export_table, name="export"),
]
