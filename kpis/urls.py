from django.urls import path

from . import import_views, mapping_views, views

app_name = "kpis"
urlpatterns = [
    path("", views.overview, name="index"),
    path("queues/<int:pk>/", views.queue_detail, name="queue"),
    path("import/", import_views.import_intervals, name="import"),
    path("import/<int:pk>/", import_views.import_progress, name="import-progress"),
    path("import/<int:pk>/status/", import_views.import_status, name="import-status"),
    path("import/sample/<str:format>/", import_views.sample_file, name="sample"),
    path("mappings/", mapping_views.mapping_list, name="mappings"),
    path("mappings/new/", mapping_views.mapping_edit, name="mapping-new"),
    path("mappings/<int:pk>/", mapping_views.mapping_edit, name="mapping"),
    path("export/", views.export_table, name="export"),
]
