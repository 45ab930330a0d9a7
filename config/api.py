"""The /api/ root: every installed app's ``api/urls.py``, gathered.

An app brings its API by having ``<app>/api/urls.py`` with a DRF ``router`` (and,
for routes outside it, ``extra_urlpatterns``); nothing here names an app.
"""

import importlib

from django.apps import apps
from django.urls import include, path
from rest_framework.routers import DefaultRouter


def _api_modules():
    for app_config in apps.get_app_configs():
        name = f"{app_config.name}.api.urls"
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name not in {f"{app_config.name}.api", name}:
                raise  # the module exists but an import inside it failed


router = DefaultRouter()
extra_urlpatterns = []
for module in _api_modules():
    router.registry.extend(module.router.registry)
    extra_urlpatterns.extend(getattr(module, "extra_urlpatterns", []))

urlpatterns = [path("", include(router.urls)), *extra_urlpatterns]
