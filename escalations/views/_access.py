"""Who may open the escalation pages at all (writes are checked by the services)."""

from django.contrib.auth.decorators import login_required, permission_required

from core.web_forms import page_reader


def reader(view):
    """Signed in, and allowed to read customers."""
    return login_required(
        permission_required("escalations.view_customer", raise_exception=True)(view))


# Signed in, and allowed to read escalations.
escalation_reader = page_reader("escalations.view_escalation")
