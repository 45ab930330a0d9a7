"""The executive page, its PDF and BI exports, and post-mortem exports; included by
``reports/urls.py`` under the ``reports`` namespace::

    path("", include("reports.executive_urls")),
"""

from django.urls import path

from . import executive_views

urlpatterns = [
    path("executive/", executive_views.executive, name="executive"),
    path("executive/pdf/", executive_views.executive_pdf, name="executive_pdf"),
    path("executive/export.<str:fmt>", executive_views.executive_export,
         name="executive_export"),
    path("postmortems/<int:pk>.pdf", executive_views.postmortem_pdf, name="postmortem_pdf"),
    path("postmortems/<int:pk>.md", executive_views.postmortem_markdown,
         name="postmortem_markdown"),
]
