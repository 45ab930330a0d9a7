import re
from datetime import datetime, time, timedelta
from email import policy as email_policy
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views import defaults
from django.views.decorators.http import require_POST

from .api.exceptions import error_body
from .models import Notification
from .notifications import notification_snooze, notifications_mark_read
from .registry import work_sources
from .roles import has_any_role
from .selectors import dashboard_overview
from .worklist import DUE_FILTERS, my_notices, my_worklist


@login_required
def home(request):
    """The home dashboard: real counts from the database (none for someone who has
    no role yet: they are told to ask for one)."""
    overview = dashboard_overview(user=request.user) if has_any_role(request.user) else None
    return render(request, "core/home.html", {"overview": overview})


SNOOZE_CHOICES = [("1h", "1 hour"), ("4h", "4 hours"), ("tomorrow", "Tomorrow 09:00"),
                  ("week", "Next Monday 09:00")]


def _snooze_until(choice, now):
    local = timezone.localtime(now)
    if choice == "1h":
        return now + timedelta(hours=1)
    if choice == "4h":
        return now + timedelta(hours=4)
    if choice in ("tomorrow", "week"):
        days = 1 if choice == "tomorrow" else 7 - local.weekday()
        day = local.date() + timedelta(days=days)
        return timezone.make_aware(datetime.combine(day, time(9)))
    return None


@login_required
def my_work(request):
    """Where a person starts the day: what they own, due soonest first, grouped by what
    each app contributes, and their notices (SLA warnings, breaches, assignments)."""
    now = timezone.now()
    kind = request.GET.get("kind", "")
    due = request.GET.get("due", "")
    if due not in DUE_FILTERS:
        due = ""
    sources = work_sources(request.user) if has_any_role(request.user) else []
    if kind not in {source.key for source in sources}:
        kind = ""
    groups = my_worklist(request.user, now=now, kind=kind, due=due) if sources else []
    page = Paginator(my_notices(request.user, now=now), 25).get_page(request.GET.get("page"))
    return render(request, "core/my_work.html", {
        "groups": groups, "sources": sources, "kind": kind, "due": due,
        "due_filters": DUE_FILTERS, "due_label": DUE_FILTERS.get(due, ""), "page": page,
        "snooze_choices": SNOOZE_CHOICES,
        "snoozed": Notification.objects.filter(recipient=request.user, resolved_at__isnull=True,
                                               snoozed_until__gt=now).count(),
    })


@login_required
@require_POST
def my_work_mark_read(request):
    # Marking read is bookkeeping on the person's own inbox, not an audited change.
    count = notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notice{'s' if count != 1 else ''} marked read.")
    return redirect("my-work")


@login_required
@require_POST
def my_work_snooze(request, pk):
    """Hide one of my notices until a time (audited by the service)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    now = timezone.now()
    choice = request.POST.get("until", "")
    until = _snooze_until(choice, now)
    try:
        notification_snooze(notification=notification, by=request.user, until=until, now=now)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages) if until else
                       f"Choose how long to snooze: {', '.join(c for c, _ in SNOOZE_CHOICES)}.")
        return redirect("my-work")
    local = timezone.localtime(until)
    messages.success(request, f"Snoozed until {local:%a %d %b %H:%M}: {notification.title}")
    return redirect("my-work")


@login_required
def system_health(request):
    """People, teams, audited changes, clocks and the worker: the figures that used to
    open everyone's dashboard, for managers and administrators."""
    if not request.user.has_perm("core.view_system_health"):
        raise PermissionDenied("The System health page is for managers and administrators.")
    from .notifications import email_outbox_status

    return render(request, "core/system_health.html", {
        "overview": dashboard_overview(user=request.user, page="system"),
        "outbox": email_outbox_status(),
        "dev_outbox": settings.DEBUG and request.user.has_perm("core.view_dev_outbox"),
    })


# The development mail backend's files: "20261206-040512-123456-7.eml".
_EML_NAME = re.compile(r"^[0-9A-Za-z_.-]{1,120}\.eml$")
OUTBOX_PAGE_SIZE = 100


def _dev_outbox_folder(request) -> Path:
    # Only in DEBUG (a development mail folder), whatever the user's permissions.
    if not settings.DEBUG or not getattr(settings, "EMAIL_FILE_PATH", None):
        raise Http404("The outbox exists only in development (DEBUG on).")
    if not request.user.has_perm("core.view_dev_outbox"):
        raise PermissionDenied("The development outbox is for managers.")
    return Path(settings.EMAIL_FILE_PATH)


def _read_eml(path: Path) -> dict:
    message = BytesParser(policy=email_policy.default).parsebytes(path.read_bytes())
    body = message.get_body(preferencelist=("plain", "html"))
    return {"name": path.name, "subject": str(message["subject"] or ""),
            "to": str(message["to"] or ""), "from": str(message["from"] or ""),
            "date": str(message["date"] or ""),
            "body": body.get_content() if body is not None else ""}


@login_required
def dev_outbox(request):
    """The emails the development mail backend wrote to ``var/mail/``, newest first."""
    folder = _dev_outbox_folder(request)
    files = sorted((p for p in folder.glob("*.eml") if _EML_NAME.match(p.name)),
                   key=lambda p: p.name, reverse=True) if folder.is_dir() else []
    page = Paginator(files, OUTBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [_read_eml(path) for path in page.object_list]
    return render(request, "core/dev_outbox.html", {"page": page, "folder": folder,
                                                    "total": len(files)})


@login_required
def dev_outbox_message(request, name):
    folder = _dev_outbox_folder(request)
    if not _EML_NAME.match(name) or not (folder / name).is_file():
        raise Http404("No such email in the outbox.")
    return render(request, "core/dev_outbox_message.html",
                  {"message": _read_eml(folder / name)})


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
