"""The reports pages: reviews and their packs. Views parse, call a service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.transitions import allowed_transitions
from core.web_forms import page_reader

from . import selectors, services
from .choices import ActionItemState, ReviewState
from .forms import ActionItemForm, CloseItemForm, DecisionsForm, ReviewForm, ScheduleForm
from .models import PackSchedule, ReportPack, ReviewActionItem, VendorReview

READ = "reports.view_vendorreview"
STEPS = [ReviewState.PLANNED, ReviewState.PACK_READY, ReviewState.HELD,
         ReviewState.MINUTES_PUBLISHED]
FILES = {"html": ("html", "text/html"), "pdf": ("pdf", "application/pdf"),
         "xlsx": ("xlsx",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
         "csv": ("csv_zip", "application/zip")}


@page_reader(READ)
def index(request):
    return render(request, "reports/index.html", {
        "upcoming": selectors.reviews_upcoming(), "recent": selectors.reviews_recent(),
        "packs": selectors.packs_by_vendor(), "schedules": selectors.schedules(),
        "can_plan": request.user.has_perm("reports.plan_review"),
        "can_schedule": request.user.has_perm("reports.manage_schedules"),
        "can_download": request.user.has_perm("reports.download_pack")})


def _create_page(request, form, create, template, done):
    """A "new …" page: the bound form's data through the ``create`` service, its
    refusals shown on their fields, the new object's page on success."""
    if request.method == "POST" and form.is_valid():
        try:
            created = create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_service_errors(exc.errors or {"__all__": [exc.message]})
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict if hasattr(exc, "error_dict")
                                    else {"__all__": exc.messages})
        else:
            messages.success(request, done)
            return redirect(created)
    return render(request, template, {"form": form}, status=400 if form.is_bound else 200)


@page_reader(READ)
def review_new(request):
    form = ReviewForm(request.POST or None, initial={"vendor": request.GET.get("vendor")})
    return _create_page(request, form, services.review_create, "reports/review_form.html",
                        "Review planned.")


def _review_context(request, review, **forms):
    user = request.user
    current = STEPS.index(review.state)
    return {
        "review": review, "steps": [(s.label, i < current, i == current)
                                    for i, s in enumerate(STEPS)],
        "packs": selectors.review_packs(review),
        "items": list(review.action_items.select_related("owner")),
        "carried": list(services.carried_over_items(review)),
        "allowed": allowed_transitions(review, user),
        "can_plan": user.has_perm("reports.plan_review", review),
        "can_generate": user.has_perm("reports.generate_pack", review),
        "can_download": user.has_perm("reports.download_pack"),
        "decisions_form": forms.get("decisions_form") or DecisionsForm(
            initial={"decisions": review.decisions}),
        "item_form": forms.get("item_form") or ActionItemForm(),
        "close_form": CloseItemForm(),
        "editable": review.state != ReviewState.MINUTES_PUBLISHED,
    }


@page_reader(READ)
def review_detail(request, pk):
    review = get_object_or_404(VendorReview.objects.select_related("vendor", "pack"), pk=pk)
    return render(request, "reports/review_detail.html", _review_context(request, review))


@require_POST
@page_reader(READ)
def review_action(request, pk, action):
    review = get_object_or_404(VendorReview, pk=pk)
    by = request.user
    forms = {}
    try:
        if action == "generate":
            services.pack_request(by=by, vendor=review.vendor, period=review.period,
                                  period_start=review.period_start, review=review)
            messages.success(request, "Pack queued: it is built in the background.")
        elif action == "hold":
            services.review_hold(review=review, by=by)
            messages.success(request, "Review held.")
        elif action == "publish":
            services.review_publish_minutes(review=review, by=by)
            messages.success(request, "Minutes published.")
        elif action == "decisions":
            form = forms["decisions_form"] = DecisionsForm(request.POST)
            if form.is_valid():
                services.review_record(review=review, by=by, **form.cleaned_data)
                messages.success(request, "Decisions saved.")
            else:
                raise DomainError("Check the decisions.")
        elif action == "item":
            form = forms["item_form"] = ActionItemForm(request.POST)
            if form.is_valid():
                services.action_item_add(review=review, by=by, **form.cleaned_data)
                messages.success(request, "Action item added.")
            else:
                raise DomainError("Check the action item.")
        else:
            raise Http404
    except (DomainError, ValidationError) as exc:
        errors = exc.errors if isinstance(exc, DomainError) else (
            exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        for form in forms.values():
            if errors:
                form.add_service_errors(errors)
        messages.error(request, exc.message if isinstance(exc, DomainError)
                       else " ".join(exc.messages))
        review.refresh_from_db()
        return render(request, "reports/review_detail.html",
                      _review_context(request, review, **forms), status=400)
    return redirect(review)


@require_POST
@page_reader(READ)
def item_close(request, pk, item_pk):
    review = get_object_or_404(VendorReview, pk=pk)
    item = get_object_or_404(ReviewActionItem, pk=item_pk, review__vendor=review.vendor)
    form = CloseItemForm(request.POST)
    state = form.cleaned_data["state"] if form.is_valid() else ActionItemState.OPEN
    try:
        services.action_item_close(item=item, by=request.user, state=state, review=review)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(review)


def _pack_for(request, pk):
    pack = get_object_or_404(ReportPack.objects.select_related("vendor", "review"), pk=pk)
    return pack


@page_reader("reports.view_reportpack")
def pack_status(request, pk):
    """The small fragment the review page polls while a pack is being built."""
    pack = _pack_for(request, pk)
    return render(request, "reports/_pack_row.html", {
        "pack": pack, "can_download": request.user.has_perm("reports.download_pack"),
        "can_generate": request.user.has_perm("reports.generate_pack", pack.review)})


@page_reader("reports.view_reportpack")
def pack_detail(request, pk):
    """The pack in the browser: its stored HTML (the PDF's own page)."""
    pack = _pack_for(request, pk)
    if not request.user.has_perm("reports.download_pack", pack):
        raise PermissionDenied("Packs hold money: they are for the roles that see it.")
    if not pack.html:
        return render(request, "reports/pack_pending.html", {
            "pack": pack, "can_download": True}, status=200)
    with pack.html.open("rb") as handle:
        return HttpResponse(handle.read(), content_type="text/html; charset=utf-8")


@page_reader("reports.view_reportpack")
def pack_download(request, pk, fmt):
    pack = _pack_for(request, pk)
    if not request.user.has_perm("reports.download_pack", pack):
        raise PermissionDenied("Packs hold money: they are for the roles that see it.")
    if fmt not in FILES:
        raise Http404
    name, media_type = FILES[fmt]
    stored = getattr(pack, name)
    if not stored:
        raise Http404("This pack has no such file.")
    return FileResponse(stored.open("rb"), content_type=media_type, as_attachment=fmt != "html",
                        filename=stored.name.rsplit("/", 1)[-1])


@require_POST
@page_reader("reports.view_reportpack")
def pack_retry(request, pk):
    pack = _pack_for(request, pk)
    try:
        services.pack_retry(pack=pack, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(pack.review or "reports:index")


@page_reader("reports.view_packschedule")
def schedule_detail(request, pk):
    schedule = get_object_or_404(PackSchedule.objects.select_related("calendar", "owner"),
                                 pk=pk)
    return render(request, "reports/schedule_detail.html", {
        "schedule": schedule, "can_download": request.user.has_perm("reports.download_pack"),
        "runs": list(schedule.runs.prefetch_related("packs__vendor")[:12])})


@page_reader("reports.view_packschedule")
def schedule_new(request):
    if not request.user.has_perm("reports.manage_schedules"):
        raise PermissionDenied("Your role does not manage pack schedules.")
    return _create_page(request, ScheduleForm(request.POST or None),
                        services.schedule_create, "reports/schedule_form.html",
                        "Schedule created.")
