from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults

from .api.exceptions import error_body
from .areas import AREAS_BY_KEY
from .selectors import dashboard_overview


@login_required
def home(request):
    """The home dashboard: real counts from the database."""
    return render(request, "core/home.html", {"overview": dashboard_overview()})


def area_placeholder(key):
    """The landing page of an area whose features have not landed yet.

    Says plainly what is coming instead of pretending; replaced by the app's real
    list view when its issue lands.
    """
    area = AREAS_BY_KEY[key]

    @login_required
    def view(request):
        if area.permission and not request.user.has_perm(area.permission):
            raise PermissionDenied(f"Your role cannot see {area.label}.")
        return render(request, "core/area_placeholder.html", {"area": area})

    return view


def _wants_json(request):
    return request.path.startswith("/api/")


def handler404(request, exception):
    if _wants_json(request):
        body = error_body(status_code=404, code="not_found", detail="Not found.")
        return JsonResponse(body, status=404)
    return defaults.page_not_found(request, exception)


def handler500(request):
    if _wants_json(request):
        body = error_body(
            status_code=500,
            code="server_error",
            detail="Something went wrong on our side. It has been logged.",
        )
        return JsonResponse(body, status=500)
    return defaults.server_error(request)


def handler403(request, exception):
    if _wants_json(request):
        body = error_body(
            status_code=403,
            code="permission_denied",
            detail=str(exception) or "You do not have permission to do this.",
        )
        return JsonResponse(body, status=403)
    return defaults.permission_denied(request, exception)
