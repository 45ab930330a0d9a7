"""Incident web pages (being built: list and detail are minimal for now)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render

from .models import Incident


@login_required
@permission_required("incidents.view_incident", raise_exception=True)
def incident_list(request):
    incidents = Incident.objects.select_related("severity", "commander")[:50]
    return render(request, "incidents/incident_list.html", {"incidents": incidents})


@login_required
@permission_required("incidents.view_incident", raise_exception=True)
def incident_detail(request, pk):
    incident = get_object_or_404(Incident.objects.select_related("severity"), pk=pk)
    return render(request, "incidents/incident_detail.html", {"incident": incident})
