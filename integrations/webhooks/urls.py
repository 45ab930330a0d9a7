from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.index, name="index"),
    path("subscriptions/new/", views.subscription_new, name="subscription-new"),
    path("subscriptions/<int:pk>/", views.subscription_detail, name="subscription"),
    path("subscriptions/<int:pk>/edit/", views.subscription_edit, name="subscription-edit"),
    path("subscriptions/<int:pk>/<slug:action>/", views.subscription_action,
         name="subscription-action"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay, name="delivery-replay"),
    path("customers/<int:customer_pk>/opt-<slug:action>/", views.customer_opt_in,
         name="customer-opt"),
    # No login: the customer's own link, from a status update email.
    path("unsubscribe/<str:token>/", views.customer_unsubscribe, name="unsubscribe"),
]
