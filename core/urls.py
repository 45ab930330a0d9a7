from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_calendars

urlpatterns = [
    path("", views.home, name="home"),
    path("my-work/", views.my_work, name="my-work"),
    path("calendars/", views_calendars.calendar_list, name="calendar-list"),
    path("calendars/<int:pk>/", views_calendars.calendar_detail, name="calendar-detail"),
    path("calendars/<int:pk>/holidays/generate/", views_calendars.calendar_generate_holidays,
         name="calendar-generate-holidays"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
]
