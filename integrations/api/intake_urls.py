"""The intake endpoints, mounted by ``config/urls.py`` ahead of the API router: they are
the hot path, and resolving a URL through every API route first cost ~7 ms a request."""

from django.urls import path

from .intake import IntakeView, OpsgenieCloseView, PagerDutyEnqueueView

urlpatterns = [
    path("intake/<str:token>/", IntakeView.as_view(), name="integration-intake"),
    # Opsgenie's own paths under the integration's URL (its api_url): create, close.
    path("intake/<str:token>/v2/alerts", IntakeView.as_view(),
         name="integration-opsgenie-create"),
    path("intake/<str:token>/v2/alerts/<path:alias>/close", OpsgenieCloseView.as_view(),
         name="integration-opsgenie-close"),
    # PagerDuty's path, so a tool configured for events.pagerduty.com/v2/enqueue needs
    # only the host changed.
    path("pagerduty/v2/enqueue", PagerDutyEnqueueView.as_view(),
         name="integration-pagerduty-enqueue"),
]
