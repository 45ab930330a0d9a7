"""The incident page: one small context function per panel, and how a form posted
from the page is answered (the panel again, or a redirect back)."""


from django.shortcuts import get_object_or_404

from core import registry, web_forms
from core.clocks import active_clocks_by_owner, clocks_for_page
from core.forms import ConfirmForm
from core.presentation import chip_colour
from core.transitions import allowed_transitions
from core.why_not import why_not_transition

from .. import services
from ..choices import IncidentRole
from ..forms import (
    ActionItemEditForm,
    ActionItemForm,
    CorrectTimestampForm,
    DeclineForm,
    NoteForm,
    PinForm,
    PostMortemForm,
    RoleForm,
    SeverityForm,
    StatusUpdateForm,
    TalkTrackForm,
)
from ..models import ActionItem, Incident, PostMortem
from ..services import why_not
from .common import reader
from .steps import ACTION_ITEM_LABELS, POSTMORTEM_LABELS, STEP_LABELS, STEPS

PANEL_TEMPLATE = "incidents/_panel.html"
PAGE_TEMPLATE = "incidents/incident_detail.html"


def _incident_queryset():
    return Incident.objects.select_related(
        "severity", "declared_by", "commander", "communications_lead", "scribe",
        "vendor_liaison", "duplicate_of",
    ).prefetch_related("channels")


def postmortem_actions(postmortem, user):
    """Post-mortem transitions this user may run now (declared on the model)."""
    order = list(POSTMORTEM_LABELS)
    names = sorted(allowed_transitions(postmortem, user), key=order.index)
    return [{"name": n, "label": POSTMORTEM_LABELS[n]} for n in names]


def action_item_moves(item, user):
    """Action-item transitions this user may run now (declared on the model)."""
    order = list(ACTION_ITEM_LABELS)
    names = sorted(allowed_transitions(item, user), key=order.index)
    return [{"name": n, "label": ACTION_ITEM_LABELS[n]} for n in names]


def _incident_context(request, incident, overrides):
    """The incident page: each panel's context from its own small function below."""
    user = request.user
    forms = web_forms.PageForms(web_forms.people(request), overrides)
    context = {
        "incident": incident,
        "is_over": incident.is_finished,
        **_header(incident),
        **_next_steps(incident, user, forms, overrides),
        **_talk_track(incident, user, forms),
        **_details(incident, user, forms),
        **_timeline(incident, user, forms),
        **_status_updates(incident, user, forms),
        **_roles(incident, user, forms),
        **_postmortem(incident, user, forms),
        **_action_items(incident, user, forms),
    }
    # Why each non-transition action cannot be done now (None: it can); the panels
    # show the form, or the reason instead (services/why_not.py decides both).
    context["why_not"] = {name.removeprefix("why_not_"): context.pop(name)
                          for name in [n for n in context if n.startswith("why_not_")]}
    # Cards other apps draw here (playbook checklists, linked escalations…).
    context["panels"] = registry.panels_for(request, incident, forms)
    context["refusals"] = forms.orphan_errors()
    return context


def _header(incident):
    incident.chip_colour = chip_colour(incident.severity)
    active_clocks, finished = clocks_for_page(incident)
    return {"active_clocks": active_clocks, "finished_clocks": finished}


STEP_INITIAL = {
    "triage": lambda incident: {"severity": incident.severity_id,
                                "commander": incident.commander_id},
    "contain": lambda incident: {"containment_summary": incident.containment_summary},
    "resolve": lambda incident: {"resolution_summary": incident.resolution_summary},
}


def _next_steps(incident, user, forms, overrides):
    """The transitions this person may run from this state (declared on the model); one
    whose requirement the form cannot fill (a post-mortem to publish, a playbook step)
    is shown greyed with the reason (core.why_not.why_not_transition decides)."""
    allowed = set(allowed_transitions(incident, user))
    steps = []
    for name, step in STEPS.items():
        if name not in allowed:
            continue
        initial = STEP_INITIAL[name](incident) if name in STEP_INITIAL else {}
        form = forms(name, step.form, **initial)
        fills = {*form.fields, *step.form.error_fields}
        steps.append({"name": name, "step": step, "form": form, "has_fields": bool(form.fields),
                      "open": name in overrides,
                      "blocked": why_not_transition(user, incident, name, fills=fills)})
    return {"steps": steps}


def _talk_track(incident, user, forms):
    return {
        "talk_track_form": forms("talk-track", TalkTrackForm, talk_track=incident.talk_track),
        "why_not_talk_track": why_not.why_not_edit_talk_track(user, incident),
    }


def _details(incident, user, forms):
    return {
        "severity_form": forms("severity", SeverityForm, severity=incident.severity_id),
        "why_not_severity": why_not.why_not_change_severity(user, incident),
        "correct_form": forms("correct", CorrectTimestampForm),
        "why_not_correct": why_not.why_not_correct_timestamp(user, incident),
    }


def _timeline(incident, user, forms):
    events = list(incident.timeline.select_related("actor").order_by("-at", "-pk"))
    return {
        "pinned_events": [e for e in events if e.pinned],
        "events": [e for e in events if not e.pinned],
        "note_form": forms("note", NoteForm),
        "timeline_form": forms("timeline", PinForm),
        "why_not_note": why_not.why_not_add_note(user, incident),
        "why_not_pin": why_not.why_not_pin(user, incident),
    }


def _status_updates(incident, user, forms):
    updates = list(incident.status_updates.select_related("posted_by").prefetch_related(
        "channels"))
    return {
        "updates": updates,
        "update_form": forms("update", StatusUpdateForm,
                             channels=[c.pk for c in incident.channels.all()]),
        "why_not_update": why_not.why_not_post_status_update(user, incident),
    }


def _roles(incident, user, forms):
    roles = [{
        "role": role.value, "label": role.label, "person": getattr(incident, role.value),
        "form": forms(f"role-{role.value}", RoleForm, role=role.value,
                      user=getattr(incident, f"{role.value}_id")),
    } for role in IncidentRole]
    return {"roles": roles, "why_not_roles": why_not.why_not_assign_role(user, incident)}


def _postmortem(incident, user, forms):
    postmortem = (PostMortem.objects.select_related("author", "reviewer")
                  .filter(incident=incident).first())
    if postmortem is None:
        return {"postmortem": None}
    return {"postmortem": {
        "object": postmortem,
        "form": forms("postmortem", PostMortemForm, **PostMortemForm.values_of(postmortem)),
        "actions": postmortem_actions(postmortem, user),
        "why_not_edit": why_not.why_not_edit_postmortem(user, postmortem),
        "timeline": list(services.postmortem_timeline(postmortem)),
        "whys": [line.strip() for line in postmortem.five_whys.splitlines() if line.strip()],
    }}


def _action_items(incident, user, forms):
    items = list(incident.action_items.select_related("owner"))
    item_clocks = active_clocks_by_owner(ActionItem, [item.pk for item in items])
    action_items = [{
        "object": item,
        "clocks": item_clocks.get(item.pk, []),
        "moves": action_item_moves(item, user),
        "edit_form": forms(f"item-{item.pk}-edit", ActionItemEditForm,
                           owner=item.owner_id, due_date=item.due_date),
        "why_not_reschedule": why_not.why_not_reschedule_action_item(user, item),
        "decline_form": forms(f"item-{item.pk}-decline", DeclineForm),
        "moves_form": forms(f"item-{item.pk}-moves", ConfirmForm),
        "open": item.is_open,
    } for item in items]
    return {
        "action_items": action_items,
        "action_item_form": forms("action-item-new", ActionItemForm),
        "why_not_action_item": why_not.why_not_add_action_item(user, incident),
    }


def _render_incident(request, pk, *, overrides=None, status=200, panel=None):
    incident = get_object_or_404(_incident_queryset(), pk=pk)
    return web_forms.render_page_or_panel(
        request, _incident_context(request, incident, overrides or {}),
        page_template=PAGE_TEMPLATE, panel_template=PANEL_TEMPLATE, status=status, panel=panel)


@reader
def incident_detail(request, pk):
    """Header, talk track, next steps, timeline, updates, roles, post-mortem, action items.

    Always the whole page for a GET (htmx restores history with a GET too)."""
    return _render_incident(request, pk, panel=False)


def answer(request, incident, form, *, key, run, done, anchor="", labels=STEP_LABELS):
    """Run a form posted from the incident page and answer it: the panel (htmx) or a
    redirect back, or the refusal beside the field it names (core.web_forms.submit)."""
    return web_forms.submit(request, incident, form, key=key, run=run, done=done,
                            anchor=anchor, labels=labels, render=_render_incident)


def bind(request, form_class, key):
    """The posted form, with the ids the page gives it (so its errors land in place)."""
    return web_forms.bind(request, form_class, key)
