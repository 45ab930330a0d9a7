"""The import pages: upload a file (a small one is imported during the request, a
large one is queued for the task and followed on its progress page), the progress
fragment the page polls, and the sample files. Views parse, call a service, render.
"""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from . import import_jobs, importing, services
from .choices import ImportFormat
from .forms import ImportForm
from .models import IntervalImport, Queue

reader = permission_required("kpis.view_intervalstat", raise_exception=True)


def _add_errors(form, exc: ValidationError):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@reader
def import_intervals(request):
    can_import = request.user.has_perm("kpis.import_intervals")
    context = {"formats": ImportFormat.choices, "can_import": can_import,
               "sync_max": settings.KPI_IMPORT_SYNC_MAX_BYTES,
               "recent": IntervalImport.objects.select_related("by")[:10]}
    status = 200
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied("Your role does not import interval data.")
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            own = {} if data["source"] else {
                "format": data["format"], "interval_minutes": data["interval_minutes"],
                "time_zone": data["time_zone"]}
            try:
                if not data["preview"] and import_jobs.runs_as_task(upload.size):
                    record = import_jobs.import_queue(by=request.user, upload=upload,
                                                      source=data["source"], **own)
                    return redirect(record)
                result = services.intervals_import(
                    by=request.user, content=upload.read(), file_name=upload.name,
                    source=data["source"], dry_run=data["preview"], **own)
            except services.ImportRefused as refused:
                context.update(refused=refused)
                status = 400
            except ValidationError as exc:
                _add_errors(form, exc)
                status = 400
            else:
                if data["preview"]:
                    context["preview"] = result
                    context["queues"] = Queue.objects.in_bulk(
                        {p.queue_id for p in result.preview})
                else:
                    messages.success(request, (
                        f"Imported {result.rows:,} intervals: {result.created:,} new, "
                        f"{result.replaced:,} replaced."))
                    return redirect("kpis:import")
        else:
            status = 400
    else:
        form = ImportForm(initial={"source": request.GET.get("source") or None})
    context["form"] = form
    return render(request, "kpis/import.html", context, status=status)


def _progress_context(record):
    return {"record": record, "message": services.refusal_message(record.errors)
            if record.errors else ""}


@login_required
@reader
def import_progress(request, pk):
    """One import's page: its progress while the task runs, then its outcome (the
    refused rows, or what was imported)."""
    record = get_object_or_404(IntervalImport.objects.select_related("by", "source"), pk=pk)
    return render(request, "kpis/import_progress.html", _progress_context(record))


@login_required
@reader
def import_status(request, pk):
    """The fragment the progress page polls every 2 s while the import is open."""
    record = get_object_or_404(IntervalImport.objects.select_related("by", "source"), pk=pk)
    return render(request, "kpis/_import_status.html", _progress_context(record))


@login_required
@reader
def sample_file(request, format):
    if format not in importing.PRESETS:
        return HttpResponse("Unknown format.", status=404, content_type="text/plain")
    headers, rows = importing.sample_rows(format)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="switchboard-{format}-sample.csv"'
    writer = csv.writer(response)
    writer.writerow(headers)
    writer.writerows(rows)
    return response
