"""The escalation page's writes: transitions, tier moves, acknowledging, and the panel
actions (edit, note, compensation, regulatory extension, policy, incident links).

Every write works like the incident page's: with htmx the answer is the page's main
panel re-rendered (refusals with their real status: 400, 403, 409); without
JavaScript an ordinary POST that redirects back, or renders the page with the refusal
(``core.web_forms.submit``). The services refuse with the same words the page shows
beside a greyed-out button (``services.why_not_*``).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from core import web_forms
from core.forms import ConfirmForm
from incidents.models import Incident

from .. import services
from ..forms import TierForm
from ..models import Escalation, TierChange
from ._access import escalation_reader
from .page import render_escalation
from .steps import PANEL_ACTIONS, STEP_LABELS, STEPS, TIER_MOVES


def _submit(request, escalation, form, *, key, run, done, anchor=""):
    return web_forms.submit(request, escalation, form, key=key, run=run, done=done,
                            anchor=anchor, labels=STEP_LABELS, render=render_escalation)


def _bind(request, form_class, key):
    return web_forms.bind(request, form_class, key)


@require_POST
@escalation_reader
def escalation_transition(request, pk, name):
    step = STEPS.get(name)
    if step is None:
        raise Http404("No such transition.")
    escalation = get_object_or_404(Escalation, pk=pk)
    return _submit(
        request, escalation, _bind(request, step.form, name), key=name,
        run=lambda data: step.run(escalation, request.user, data), done=step.done,
    )


@require_POST
@escalation_reader
def escalation_tier(request, pk, direction):
    if direction not in TIER_MOVES:
        raise Http404("No such tier move.")
    _label, service, done = TIER_MOVES[direction]
    escalation = get_object_or_404(Escalation, pk=pk)
    return _submit(
        request, escalation, _bind(request, TierForm, direction), key=direction,
        run=lambda data: service(escalation=escalation, by=request.user, reason=data["reason"]),
        done=done, anchor="#tier",
    )


@require_POST
@escalation_reader
def tier_change_acknowledge(request, pk, change_pk):
    escalation = get_object_or_404(Escalation, pk=pk)
    change = get_object_or_404(TierChange, pk=change_pk, escalation=escalation)
    return _submit(
        request, escalation, _bind(request, ConfirmForm, "acknowledge"), key="acknowledge",
        run=lambda data: services.tier_change_acknowledge(tier_change=change, by=request.user),
        done=f"{change.to_tier} escalation acknowledged", anchor="#tier",
    )


@require_POST
@escalation_reader
def escalation_action(request, pk, name):
    action = PANEL_ACTIONS.get(name)
    if action is None:
        raise Http404("No such action.")
    escalation = get_object_or_404(Escalation, pk=pk)
    return _submit(request, escalation, _bind(request, action.form, name), key=name,
                   run=lambda data: action.run(escalation, request.user, data),
                   done=action.done, anchor=action.anchor)


@require_POST
@escalation_reader
def escalation_unlink(request, pk, incident_pk):
    escalation = get_object_or_404(Escalation, pk=pk)
    incident = get_object_or_404(Incident, pk=incident_pk)
    return _submit(
        request, escalation, _bind(request, ConfirmForm, "unlink"), key="unlink",
        run=lambda data: services.escalation_unlink_incident(escalation=escalation,
                                                             incident=incident,
                                                             by=request.user),
        done=f"unlinked from {incident.reference}", anchor="#incidents")
