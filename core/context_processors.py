"""Template context every page needs: the navigation."""

from django.urls import reverse

from .registry import visible_areas


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_areas": []}
    areas = []
    for area in visible_areas(user):
        url = reverse(area.url_name)
        areas.append({"label": area.label, "url": url, "active": request.path.startswith(url)})
    from .notifications import unread_count

    return {"nav_areas": areas, "unread_notifications": unread_count(user)}
