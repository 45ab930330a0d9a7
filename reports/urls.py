from django.urls import include, path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("reviews/new/", views.review_new, name="review-new"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/items/<int:item_pk>/close/", views.item_close, name="item-close"),
    path("reviews/<int:pk>/<slug:action>/", views.review_action, name="review-action"),
    path("packs/<int:pk>/", views.pack_detail, name="pack"),
    path("packs/<int:pk>/status/", views.pack_status, name="pack-status"),
    path("packs/<int:pk>/retry/", views.pack_retry, name="pack-retry"),
    path("packs/<int:pk>/<slug:fmt>/", views.pack_download, name="pack-file"),
    path("schedules/new/", views.schedule_new, name="schedule-new"),
    path("schedules/<int:pk>/", views.schedule_detail, name="schedule"),
    path("", include("reports.executive_urls")),
]
