"""The incident cost page; ``budgets/urls.py`` includes these under the app's namespace:

    path("incident-costs/", include("budgets.incident_cost_urls")),
"""

from django.urls import path

from . import incident_cost_views

urlpatterns = [
    path("", incident_cost_views.incident_costs, name="incident_costs"),
]
