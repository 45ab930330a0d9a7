"""Who may open the escalation pages at all (writes are checked by the services)."""

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django_htmx.http import HttpResponseClientRedirect


def reader(view):
    """Signed in, and allowed to read customers."""
    return login_required(
        permission_required("escalations.view_customer", raise_exception=True)(view))


def escalation_reader(view):
    """Signed in, and allowed to read escalations (writes are checked by the services)."""
    checked = login_required(
        permission_required("escalations.view_escalation", raise_exception=True)(view))

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            back = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back).url)
        return checked(request, *args, **kwargs)

    return wrapper
