from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views import defaults

from .api.exceptions import error_body
from .models import Notification
from .roles import has_any_role
from .selectors import dashboard_overview


@login_required
def home(request):
    """The home dashboard: real counts from the database (none for someone who has
    no role yet: they are told to ask for one)."""
    overview = dashboard_overview(user=request.user) if has_any_role(request.user) else None
    return render(request, "core/home.html", {"overview": overview})


@login_required
def my_work(request):
    """The signed-in person's notifications: SLA warnings, breaches, assignments."""
    notifications = Notification.objects.filter(recipient=request.user).order_by("-created_at")
    if request.method == "POST":
        # Marking read is bookkeeping on the person's own inbox, not an audited change.
        notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, "All notifications marked read.")
        return redirect("my-work")
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(request, "core/my_work.html", {"page": page})


def _wants_json(request):
    return request.path.startswith("/api/")


def bad_request(request, *, detail, errors=None, status=400, code="invalid"):
    """Refuse a request before any view reads it: the API's one error body on /api/,
    the 400 page (with the same words) everywhere else."""
    if _wants_json(request):
        body = error_body(status_code=status, code=code, detail=detail, errors=errors)
        return JsonResponse(body, status=status)
    return render(request, "400.html", {"detail": detail, "errors": errors or {},
                                        "status": status}, status=status)


def handler400(request, exception):
    """Django's answer to a request it cannot read: a body over the upload limit (413,
    saying the limit), too many form fields, or anything else it calls suspicious."""
    if isinstance(exception, RequestDataTooBig):
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE).replace("\xa0", " ")
        return bad_request(request, status=413, code="too_large", detail=(
            f"The request body is larger than the {limit} this server accepts "
            "(files are not counted: upload them as multipart/form-data)."))
    if isinstance(exception, TooManyFieldsSent):
        return bad_request(request, detail=(
            f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields."))
    return bad_request(request, code="bad_request", detail="The request could not be read.")


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
