from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_calendars

urlpatterns = [
    path("", views.home, name="home"),
    path("my-work/", views.my_work, name="my-work"),
    path("my-work/read/", views.my_work_mark_read, name="my-work-read"),
    path("my-work/notices/<int:pk>/snooze/", views.my_work_snooze, name="my-work-snooze"),
    path("system/", views.system_health, name="system-health"),
    path("dev/outbox/", views.dev_outbox, name="dev-outbox"),
    path("dev/outbox/<str:name>/", views.dev_outbox_message, name="dev-outbox-message"),
    path("calendars/", views_calendars.calendar_list, name="calendar-list"),
    path("calendars/<int:pk>/", views_calendars.calendar_detail, name="calendar-detail"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
]
