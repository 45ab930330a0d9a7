import zoneinfo

from django.conf import settings
from django.utils import timezone


class ViewerTimezoneMiddleware:
    """Show times in the viewer's own zone.

    The base layout stores the browser's IANA zone in the ``sb_tz`` cookie; without
    it (or without JavaScript) times are shown in settings.TIME_ZONE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.COOKIES.get("sb_tz", "")
        try:
            timezone.activate(zoneinfo.ZoneInfo(name)) if name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)


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
