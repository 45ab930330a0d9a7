import json

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone

from .validation import time_zone
from .views import bad_request

NUL = "\x00"
NUL_MESSAGE = str(ProhibitNullCharactersValidator.message)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ViewerTimezoneMiddleware:
    """Show times in the viewer's own zone.

    The base layout stores the browser's IANA zone in the ``sb_tz`` cookie; without
    it (or without JavaScript, or with a cookie that names no zone) times are shown in
    settings.TIME_ZONE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # core.validation.time_zone, not ZoneInfo(): a cookie "America" names a folder
        # of the zone database, and ZoneInfo raised IsADirectoryError on every page.
        zone = time_zone(request.COOKIES.get("sb_tz", ""))
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class RefuseNulCharactersMiddleware:
    """A NUL character in anything a request types is a 400 naming where it is.

    PostgreSQL can neither store nor compare a NUL in text: ``?severity=%00``, a JSON
    ``{"incident": "INC\\u0000"}`` or ``/api/severities/%00/`` reached the database
    and failed there with a DataError (a 500), while SQLite quietly found nothing.
    Rather than teach every field, filter and lookup to refuse it, it is refused once,
    before any view runs: in the path, the query string, form fields and JSON
    bodies (uploaded files are bytes, and are not looked at). The answer is the API's
    error body on /api/ and the 400 page elsewhere, naming the parameter or field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = field_with_nul(request)
        if field is not None:
            return bad_request(request, detail=f"Invalid input: {field}.",
                               errors={field: [NUL_MESSAGE]})
        return self.get_response(request)


def field_with_nul(request) -> str | None:
    """The name of the first parameter or field holding a NUL character, if any."""
    if NUL in request.path_info:
        return _path_parameter(request)
    found = _in_query_dict(request.GET)
    if found is None and request.method not in ("GET", "HEAD", "OPTIONS"):
        found = _in_body(request)
    return found


def _printable(name: str) -> str:
    return name.replace(NUL, "\\x00")


def _path_parameter(request) -> str:
    """The URL parameter (``key`` of /api/severities/{key}/) the NUL is in."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return "path"
    for name, value in match.kwargs.items():
        if isinstance(value, str) and NUL in value:
            return name
    return "path"


def _in_query_dict(data) -> str | None:
    for name, values in data.lists():
        if NUL in name or any(isinstance(v, str) and NUL in v for v in values):
            return _printable(name)
    return None


def _in_body(request) -> str | None:
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        if request.method == "POST":
            return _in_query_dict(request.POST)
        if content_type == FORM_TYPES[0]:  # PUT/PATCH: Django leaves request.POST empty
            return _in_query_dict(QueryDict(request.body, encoding=request.encoding))
        return None
    if content_type == "application/json" or content_type.endswith("+json"):
        body = request.body
        # JSON can only carry a NUL as the escape \u0000 (a raw one is invalid JSON,
        # which the parser refuses); only then is the body parsed a second time.
        if b"\\u0000" not in body:
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return None  # the API's parser says what is wrong with it
        return _in_json(data)
    return None


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def _in_json(data) -> str | None:
    """The top-level field whose value (at any depth) holds a NUL, as serializers name
    fields; ``non_field_errors`` for a body that is not an object."""
    if not isinstance(data, dict):
        return "non_field_errors" if _contains_nul(data) else None
    for name, value in data.items():
        if NUL in name or _contains_nul(value):
            return _printable(name)
    return None


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` built from ``settings.PERMISSIONS_POLICY``.

    ``{"camera": []}`` becomes ``camera=()``: no origin, this one included, may use the
    camera. Django has no setting for this header.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
