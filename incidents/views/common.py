"""What every incident page shares: who may read them."""

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django_htmx.http import HttpResponseClientRedirect


def reader(view):
    """Signed in, and allowed to read incidents (writes are checked by the services)."""
    checked = login_required(
        permission_required("incidents.view_incident", raise_exception=True)(view)
    )

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            # The session ran out mid-page: send the whole tab to the login page rather
            # than swapping the login form into the panel.
            back = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back).url)
        return checked(request, *args, **kwargs)

    return wrapper
