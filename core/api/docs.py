"""The API docs pages, offline and under the Content-Security-Policy.

drf-spectacular-sidecar ships Swagger UI and Redoc, so no CDN is needed for their code.
Two things remained: the stock Redoc page loads Google Fonts (our template does
not; REDOC_UI_SETTINGS names system fonts) and the Redoc bundle itself shows a
"Redocly" logo from ``cdn.redoc.ly`` in its side menu, with no option to turn it
off. :func:`redoc_bundle` serves the sidecar's bundle with that one address
replaced by an empty inline image, so the page fetches nothing from elsewhere.

Swagger UI works under the site-wide policy (templates/api/swagger_ui.html gives
its start-up script the nonce). Redoc needs two relaxations on its own page only
(:data:`REDOC_POLICY`): its bundle injects a scrollbar stylesheet as an inline
``<style>`` while it loads, before any nonce can be handed to it, and it runs its
search index in a Worker made from a ``blob:`` URL. Scripts stay nonce-only there
too; an inline style cannot run code, and the page shows only our own schema.
"""

import re
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.response import Response

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


@lru_cache(maxsize=1)
def _offline_redoc_bundle() -> bytes:
    source = Path(finders.find(REDOC_BUNDLE)).read_text(encoding="utf-8")
    source = source.replace(REDOCLY_LOGO, EMPTY_IMAGE)
    # The source map sits beside the original file, not beside this URL.
    source = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", source)
    return source.encode("utf-8")


def redoc_bundle(request):
    """The Redoc bundle, without its one image from the CDN."""
    response = HttpResponse(_offline_redoc_bundle(),
                            content_type="text/javascript; charset=utf-8")
    # The URL carries the sidecar's version, so a day's caching is safe across upgrades.
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response


class CachedSchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per process, version and language.

    The schema is public (SERVE_PUBLIC), so it depends on the code alone, not on who
    asks; generating it walks every serializer (about 8 s for the 1 MB schema), which
    made each docs page wait that long on every visit. A deploy restarts the
    processes, so a new release's schema is never served stale.
    """

    _cache: dict = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language())
        if key not in self._cache:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version,
                                             patterns=self.patterns)
            self._cache[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=self._cache[key],
            headers={"Content-Disposition":
                     f'inline; filename="{self._get_filename(request, version)}"'},
        )


# Replaces only these directives; script-src keeps its nonce. No nonce in style-src
# here: browsers ignore 'unsafe-inline' next to one.
REDOC_POLICY = {
    "style-src": [SELF, UNSAFE_INLINE],
    "worker-src": [SELF, "blob:"],
}


class RedocView(SpectacularRedocView):
    """Redoc with our template and our copy of the bundle (see the module docstring)."""

    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["redoc_standalone"] = (
            f"{reverse('api-redoc-bundle')}?v={version('drf-spectacular-sidecar')}"
        )
        response.data["redoc_options"] = spectacular_settings.REDOC_UI_SETTINGS or {}
        return response


def redoc_view(**options):
    """The Redoc page with its own relaxed policy (:data:`REDOC_POLICY`)."""
    return csp_replace(REDOC_POLICY)(RedocView.as_view(**options))
