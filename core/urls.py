from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_calendars, views_people, views_search

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
    path("search/", views_search.search, name="search"),
    path("search/pick/", views_search.pick, name="search-pick"),
    path("people/", views_people.people_list, name="people"),
    path("people/invite/", views_people.person_invite, name="person-invite"),
    path("people/<int:pk>/", views_people.person_detail, name="person-detail"),
    path("people/<int:pk>/access/", views_people.person_access, name="person-access"),
    path("people/<int:pk>/<slug:name>/", views_people.person_action, name="person-action"),
    # The invitation's one-time link (Django's password-reset token and view).
    path("accounts/set-password/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="registration/set_password.html",
        success_url="/accounts/set-password/done/"), name="password_reset_confirm"),
    path("accounts/set-password/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/set_password_done.html"), name="password_reset_complete"),
    path("calendars/<int:pk>/holidays/generate/", views_calendars.calendar_generate_holidays,
         name="calendar-generate-holidays"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
]
