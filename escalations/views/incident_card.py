"""The "Customer escalations" card on incident pages (a panel, see contributions.py):
the escalations an incident caused, and linking more from there."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from core import web_forms
from core.forms import ConfirmForm
from incidents.models import Incident

from .. import services
from ..forms import LinkEscalationsForm
from ..models import Escalation, EscalationIncidentLink
from ._access import escalation_reader

CANDIDATES_SHOWN = 50


def link_candidates(incident, query=""):
    """Escalations the incident page offers to link: matching ``query`` (reference,
    summary or customer account), else the likely ones — open, unlinked, opened since
    shortly before the incident on one of its channels (or any channel when it has
    none). Newest first, at most 50."""
    linked = EscalationIncidentLink.objects.filter(incident=incident).values("escalation_id")
    candidates = (Escalation.objects.exclude(pk__in=linked)
                  .select_related("customer", "channel").order_by("-created_at", "-pk"))
    query = (query or "").strip()
    if query:
        candidates = candidates.filter(Q(reference__icontains=query)
                                       | Q(summary__icontains=query)
                                       | Q(customer__account_reference__icontains=query))
    else:
        since = incident.declared_at - timedelta(
            minutes=settings.ESCALATION_BURST_WINDOW_MINUTES)
        candidates = candidates.open().filter(created_at__gte=since)
        channels = [channel.pk for channel in incident.channels.all()]
        if channels:
            candidates = candidates.filter(channel__in=channels)
    return list(candidates[:CANDIDATES_SHOWN])


def incident_escalations_context(request, incident, forms):
    """The incident page's "Customer escalations" card (a panel, see contributions.py)."""
    links = list(EscalationIncidentLink.objects.filter(incident=incident)
                 .select_related("escalation__customer", "escalation__owner")
                 .order_by("escalation__reference"))
    can_link = services.why_not_unlink(request.user) is None
    query = request.GET.get("link_q", "")
    candidates = link_candidates(incident, query) if can_link else []
    card = {
        "links": links,
        "can_link": can_link,
        # Linking is the role's; a cancelled incident says why not, beside the button.
        "link_refusal": services.why_not_link(request.user, incident) if can_link else None,
        "can_read": request.user.has_perm("escalations.view_escalation"),
        "query": query,
        "candidates": candidates,
        "form": forms("link-escalations", LinkEscalationsForm, candidates=candidates)
        if can_link else None,
        "unlink_form": forms("unlink-escalation", ConfirmForm),
    }
    return {"incident": incident, "incident_escalations": card}


@require_POST
@escalation_reader
def incident_link_escalations(request, incident_pk):
    """Link the escalations ticked on the incident page."""
    incident = get_object_or_404(Incident, pk=incident_pk)
    form = LinkEscalationsForm(request.POST, auto_id="link-escalations-%s",
                               people=web_forms.people(request))

    def run(data):
        chosen = list(Escalation.objects.filter(pk__in=data["escalations"]))
        return services.incident_link_escalations(incident=incident, escalations=chosen,
                                                  by=request.user)

    return web_forms.submit(request, incident, form, key="link-escalations", run=run,
                            done="escalations linked", anchor="#escalations",
                            labels={})


@require_POST
@escalation_reader
def incident_unlink_escalation(request, incident_pk, pk):
    incident = get_object_or_404(Incident, pk=incident_pk)
    escalation = get_object_or_404(Escalation, pk=pk)
    form = ConfirmForm(request.POST, auto_id="unlink-escalation-%s",
                       people=web_forms.people(request))
    return web_forms.submit(
        request, incident, form, key="unlink-escalation",
        run=lambda data: services.escalation_unlink_incident(escalation=escalation,
                                                             incident=incident,
                                                             by=request.user),
        done=f"{escalation.reference} unlinked", anchor="#escalations", labels={})
