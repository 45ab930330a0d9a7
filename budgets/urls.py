from django.urls import include, path

from . import views

app_name = "budgets"

urlpatterns = [
    path("", views.index, name="index"),
    path("years/<str:name>/", views.year_detail, name="year"),
    path("new/", views.budget_create, name="budget-new"),
    path("<int:pk>/", views.budget_detail, name="budget"),
    path("<int:pk>/edit/", views.budget_edit, name="budget-edit"),
    path("spend/", views.spend_list, name="spend"),
    path("spend/new/", views.spend_create, name="spend-new"),
    path("spend/import/", views.spend_import, name="spend-import"),
    path("spend/import/template.csv", views.spend_template, name="spend-template"),
    path("spend/<int:pk>/", views.spend_entry, name="spend_entry"),
    path("spend/<int:pk>/delete/", views.spend_delete, name="spend-delete"),
    path("incident-costs/", include("budgets.incident_cost_urls")),
    path("initiatives/", views.initiative_list, name="initiatives"),
    path("initiatives/new/", views.initiative_create, name="initiative-new"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="initiative-edit"),
    path("initiatives/<int:pk>/steps/<str:name>/", views.initiative_step,
         name="initiative-step"),
    path("initiatives/<int:pk>/baseline/", views.initiative_baseline,
         name="initiative-baseline"),
    path("initiatives/<int:pk>/benefits/", views.initiative_benefit, name="initiative-benefit"),
    path("initiatives/<int:pk>/benefits/derive/", views.initiative_derive,
         name="initiative-derive"),
]
