from django.urls import path

from core.views import area_placeholder

app_name = "budgets"

_todo = area_placeholder("budgets")

urlpatterns = [
    path("", _todo, name="index"),
    path("years/<str:name>/", _todo, name="year"),
    path("<int:pk>/", _todo, name="budget"),
    path("spend/", _todo, name="spend"),
    path("spend/<int:pk>/", _todo, name="spend_entry"),
    path("initiatives/", _todo, name="initiatives"),
    path("initiatives/<int:pk>/", _todo, name="initiative"),
]
