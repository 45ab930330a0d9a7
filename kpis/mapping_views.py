"""The mapping editor: managers and vendor managers see, create and change the saved
column mappings (which file column feeds which interval field, the interval length,
the date format and zone), starting from the three shipped presets, with a preview
of a sample file's first rows as the mapping reads them. Views parse, call a
service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from . import importing, services
from .choices import ImportFormat
from .forms import MappingForm
from .models import ImportSource, Queue

# Editing mappings is part of importing: the same roles (kpis.import_intervals).
importer = permission_required("kpis.import_intervals", raise_exception=True)


@login_required
@importer
def mapping_list(request):
    return render(request, "kpis/mappings.html", {
        "sources": ImportSource.objects.all(), "presets": ImportFormat.choices})


def _field_errors(form, exc: ValidationError):
    """Each service error next to its input: ``columns.offered`` → the Offered column."""
    for key, errors in exc.message_dict.items():
        name = key.split(".", 1)[1] if key.startswith("columns.") else None
        if name and f"col_{name}" in form.fields:
            form.add_error(f"col_{name}", errors)
        elif key in form.fields:
            form.add_error(key, errors)
        else:
            form.add_error(None, [f"{key}: {e}" for e in errors])


@login_required
@importer
def mapping_edit(request, pk=None):
    source = get_object_or_404(ImportSource, pk=pk) if pk else None
    preset = request.GET.get("preset")
    if preset not in importing.PRESETS:
        preset = None
    context = {"source": source, "presets": ImportFormat.choices, "preset": preset}
    status = 200
    if request.method == "POST":
        form = MappingForm(request.POST, request.FILES, preset=request.POST.get("format"))
        if form.is_valid():
            data = form.cleaned_data
            fields = {"name": data["name"], "format": data["format"],
                      "interval_minutes": data["interval_minutes"],
                      "time_zone": data["time_zone"].strip(),
                      "date_format": data["date_format"].strip(), "columns": form.overrides(),
                      "notes": data["notes"]}
            try:
                if request.POST.get("action") == "preview":
                    status = _preview(form, fields, context)
                else:
                    saved = services.source_save(by=request.user, source=source, **fields)
                    messages.success(request, f"Mapping “{saved.name}” saved.")
                    return redirect("kpis:mapping", saved.pk)
            except ValidationError as exc:
                _field_errors(form, exc)
                status = 400
        else:
            status = 400
    else:
        form = MappingForm(initial=MappingForm.initial_for(source, preset),
                           preset=source.format if source else preset)
    context["form"] = form
    if source:
        context["history"] = source.history.select_related("history_user")[:10]
    return render(request, "kpis/mapping_edit.html", context, status=status)


def _preview(form, fields, context) -> int:
    """Fill the context with the sample's first rows as mapped; 400 when the mapping
    or the rows have problems (each named by its field or row and column)."""
    sample = form.cleaned_data.get("sample")
    if not sample:
        form.add_error("sample", "Choose a sample file to preview.")
        return 400
    parameters = services.import_parameters(
        format=fields["format"], interval_minutes=fields["interval_minutes"],
        time_zone=fields["time_zone"], date_format=fields["date_format"],
        columns=fields["columns"])
    preview = services.mapping_preview(parameters, sample.read(), sample.name)
    for name, why in preview.columns.items():
        form.add_error(f"col_{name}", why)
    mapped = [name for name in importing.MAPPABLE
              if name in importing.mapping_for(fields["format"], fields["columns"])]
    queues = Queue.objects.in_bulk([r["values"][importing.QUEUE] for r in preview.rows
                                    if r["values"]])
    table = []  # one line per mapped field, one cell per sample row ("" for a bad row)
    for name in mapped:
        cells = []
        for row in preview.rows:
            value = row["values"].get(name, "")
            if name == importing.QUEUE and value != "":
                value = queues[value].name
            elif name == importing.START and value != "":
                value = value.strftime("%Y-%m-%d %H:%M UTC")
            cells.append(value)
        table.append({"field": name, "label": importing.FIELD_LABELS[name], "cells": cells})
    context.update(preview=preview, table=table)
    bad = preview.columns or any(r["errors"] for r in preview.rows)
    return 400 if bad else 200
