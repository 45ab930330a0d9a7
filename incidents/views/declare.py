"""Declaring an incident."""


from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from core import registry, web_forms

from .. import services
from ..forms import (
    DECLARE_FORM,
    DeclareForm,
)
from ..models import Channel
from .common import reader


@reader
@permission_required("incidents.declare_incident", raise_exception=True)
def incident_declare(request):
    """Declare: the service gives the reference, starts the clocks and pages people."""
    if request.method == "POST":
        form = DeclareForm(request.POST, people=web_forms.people(request), user=request.user)
        if form.is_valid():
            own, extra = registry.split_extension_data(DECLARE_FORM, form.cleaned_data,
                                                       request.user)
            try:
                with transaction.atomic():
                    incident = services.incident_declare(by=request.user, **own)
                    registry.apply_form_extensions(DECLARE_FORM, incident, extra,
                                                   by=request.user)
            except ValidationError as exc:
                form.add_service_errors(web_forms.validation_errors(exc))
            else:
                messages.success(request, f"{incident.reference} declared.")
                return redirect(incident)
        return render(request, "incidents/declare.html", {"form": form}, status=400)
    # Prefilled from a link (the dashboard's "a burst of escalations suggests an
    # incident"): ?title=…&customer_impact=…&channel=<key> (repeatable).
    initial = {name: request.GET[name][:500] for name in ("title", "customer_impact")
               if request.GET.get(name)}
    channels = request.GET.getlist("channel")
    if channels:
        initial["channels"] = list(Channel.objects.filter(key__in=channels, active=True))
    form = DeclareForm(initial=initial, people=web_forms.people(request), user=request.user)
    return render(request, "incidents/declare.html", {"form": form})
