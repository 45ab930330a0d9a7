"""Incident pages: the list, the declare form, the incident page, "my action items".

Views parse, call a service, render. Who may do what and what a transition needs
live in ``incidents/models.py`` (transitions and guards) and ``incidents/services.py``;
a service's refusal is shown next to the field it names.

Every write on the incident page is a small form that works two ways:

* with htmx (``hx-post``), the answer is the page's main panel re-rendered, so the
  state, clocks, buttons and timeline move together without a reload; refusals
  come back with their real status (400, 403, 409) and are swapped in too (the
  page's ``htmx-config`` lets htmx swap those);
* without JavaScript, an ordinary POST that redirects back to the page, or renders
  the page with the refusal and the same status.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core import registry, web_forms
from core.clocks import active_clocks_by_owner, clocks_for_page
from core.forms import ConfirmForm
from core.presentation import chip_colour
from core.transitions import allowed_transitions

from . import services
from .choices import ACTIVE_STATES, ActionItemState, IncidentRole, IncidentState
from .forms import (
    ACTIVE,
    DECLARE_FORM,
    ActionItemEditForm,
    ActionItemForm,
    CancelForm,
    ContainForm,
    DeclareForm,
    DeclineForm,
    IncidentFilterForm,
    NoteForm,
    PinForm,
    PostMortemForm,
    ReopenForm,
    ResolveForm,
    RoleForm,
    SeverityForm,
    StatusUpdateForm,
    TalkTrackForm,
    TriageForm,
)
from .models import ActionItem, Channel, Incident, PostMortem, TimelineEvent

User = get_user_model()
PAGE_SIZE = 50
PANEL_TEMPLATE = "incidents/_panel.html"
PAGE_TEMPLATE = "incidents/incident_detail.html"


def reader(view):
    """Signed in, and allowed to read incidents (writes are checked by the services)."""
    checked = login_required(
        permission_required("incidents.view_incident", raise_exception=True)(view)
    )

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            # The session ran out mid-page: send the whole tab to the login page rather
            # than swapping the login form into the panel.
            back = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back).url)
        return checked(request, *args, **kwargs)

    return wrapper


# --- The list -------------------------------------------------------------------------


STATE_ORDER = Case(
    *(When(state=state, then=Value(index)) for index, state in enumerate(IncidentState.values)),
    output_field=IntegerField(),
)
# ?sort=<key> ascending, ?sort=-<key> descending; ties newest first.
SORTS = {
    "declared": (F("declared_at"),),
    "severity": (F("severity__rank"),),
    "state": (STATE_ORDER,),
}
DEFAULT_SORT = "-declared"
SORT_COLUMNS = [("declared", "Declared"), ("severity", "Severity"), ("state", "State")]


def _ordering(sort):
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    return [
        *(e.desc(nulls_last=True) if descending else e.asc(nulls_last=True) for e in SORTS[key]),
        "-declared_at", "-pk",
    ]


def _commanders():
    return list(
        User.objects.filter(incidents_commanded__isnull=False).distinct()
        .order_by("first_name", "last_name", "username")
    )


@reader
def incident_list(request):
    """Filters (GET), sortable columns, 50 a page, running clocks as badges.

    The query count does not grow with the page: incidents with their severity and
    commander (1), their channels (1), every clock on the page with its calendar (1)
    and the calendars' hours and holidays (2), plus the paginator's count.
    """
    form = IncidentFilterForm(request.GET, people=_commanders())
    form.is_valid()  # invalid filters are shown with their error and left out
    filters = form.cleaned_data

    incidents = Incident.objects.select_related("severity", "commander").prefetch_related(
        "channels")
    state = filters.get("state")
    if state == ACTIVE:
        incidents = incidents.filter(state__in=ACTIVE_STATES)
    elif state:
        incidents = incidents.filter(state=state)
    for name in ("severity", "commander"):
        if filters.get(name):
            incidents = incidents.filter(**{name: filters[name]})
    if filters.get("channel"):
        incidents = incidents.filter(channels=filters["channel"])
    zone = timezone.get_current_timezone()
    if filters.get("declared_from"):
        start = datetime.combine(filters["declared_from"], time.min, tzinfo=zone)
        incidents = incidents.filter(declared_at__gte=start)
    if filters.get("declared_to"):
        end = datetime.combine(filters["declared_to"] + timedelta(days=1), time.min, tzinfo=zone)
        incidents = incidents.filter(declared_at__lt=end)

    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort.lstrip("-") not in SORTS:
        sort = DEFAULT_SORT
    page = Paginator(incidents.order_by(*_ordering(sort)), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = list(page.object_list)
    page.object_list = rows
    clocks = active_clocks_by_owner(Incident, [incident.pk for incident in rows])
    for incident in rows:
        incident.active_clocks = clocks.get(incident.pk, [])
        incident.chip_colour = chip_colour(incident.severity)
    extra_columns = registry.list_columns_for(request, Incident, rows)

    columns = {}
    for key, label in SORT_COLUMNS:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        columns[key] = {
            "label": label, "current": current,
            "aria_sort": ("descending" if descending else "ascending") if current else "",
            # A first click on severity shows SEV1 first; on the date, newest first.
            "next": (key if descending else f"-{key}") if current
            else (f"-{key}" if key == "declared" else key),
        }
    filtered = any(filters.get(name) for name in form.fields)
    return render(request, "incidents/incident_list.html", {
        "form": form, "page": page, "incidents": rows, "columns": columns, "sort": sort,
        "filtered": filtered, "extra_columns": extra_columns,
    })


# --- Declaring ------------------------------------------------------------------------


@reader
@permission_required("incidents.add_incident", raise_exception=True)
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


# --- The incident page ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A transition as the page offers it: its button, its form, the service call."""

    label: str
    form: type
    run: Callable[[Incident, object, dict], Incident]  # (incident, by, cleaned data)
    done: str
    hint: str = ""
    style: str = ""


STEPS = {
    "triage": Step(
        "Triage", TriageForm,
        lambda incident, by, data: services.incident_triage(
            incident=incident, by=by, severity=data["severity"], commander=data["commander"]),
        "triaged", "Confirm the severity and who commands the incident."),
    "contain": Step(
        "Contain", ContainForm,
        lambda incident, by, data: services.incident_contain(
            incident=incident, by=by, summary=data["containment_summary"]),
        "contained", "Customers are no longer hurt: a workaround is in place."),
    "resolve": Step(
        "Resolve", ResolveForm,
        lambda incident, by, data: services.incident_resolve(
            incident=incident, by=by, summary=data["resolution_summary"]),
        "resolved", "The cause is fixed."),
    "start_postmortem": Step(
        "Start post-mortem", ConfirmForm,
        lambda incident, by, data: services.incident_start_postmortem(incident=incident, by=by),
        "in post-mortem"),
    "close": Step(
        "Close incident", ConfirmForm,
        lambda incident, by, data: services.incident_close(incident=incident, by=by),
        "closed"),
    "reopen": Step(
        "Reopen", ReopenForm,
        lambda incident, by, data: services.incident_reopen(
            incident=incident, by=by, reason=data["reason"]),
        "reopened", "Back to triaged; the response clocks start a new cycle.", "secondary"),
    "cancel": Step(
        "Cancel incident", CancelForm,
        lambda incident, by, data: services.incident_cancel(
            incident=incident, by=by, reason=data["reason"], duplicate_of=data["duplicate_of"]),
        "cancelled", "A false alarm, or a duplicate of another incident.", "secondary"),
}
STEP_LABELS = {name: step.label for name, step in STEPS.items()}
POSTMORTEM_LABELS = {"submit": "Submit for review", "publish": "Publish",
                     "request_changes": "Request changes"}
ACTION_ITEM_LABELS = {"start": "Start", "complete": "Done", "decline": "Won't do"}


def _incident_queryset():
    return Incident.objects.select_related(
        "severity", "declared_by", "commander", "communications_lead", "scribe",
        "vendor_liaison", "duplicate_of",
    ).prefetch_related("channels")


def _postmortem_actions(postmortem, user):
    """Post-mortem transitions this user may run now (declared on the model)."""
    order = list(POSTMORTEM_LABELS)
    names = sorted(allowed_transitions(postmortem, user), key=order.index)
    return [{"name": n, "label": POSTMORTEM_LABELS[n]} for n in names]


def _action_item_moves(item, user):
    """Action-item transitions this user may run now (declared on the model)."""
    order = list(ACTION_ITEM_LABELS)
    names = sorted(allowed_transitions(item, user), key=order.index)
    return [{"name": n, "label": ACTION_ITEM_LABELS[n]} for n in names]


def _incident_context(request, incident, overrides):
    user = request.user
    forms = web_forms.PageForms(web_forms.people(request), overrides)

    incident.chip_colour = chip_colour(incident.severity)
    active_clocks, finished = clocks_for_page(incident)

    allowed = set(allowed_transitions(incident, user))
    steps = []
    for name, step in STEPS.items():
        if name not in allowed:
            continue
        initial = {
            "triage": {"severity": incident.severity_id, "commander": incident.commander_id},
            "contain": {"containment_summary": incident.containment_summary},
            "resolve": {"resolution_summary": incident.resolution_summary},
        }.get(name, {})
        form = forms(name, step.form, **initial)
        steps.append({"name": name, "step": step, "form": form, "has_fields": bool(form.fields),
                      "open": name in overrides})

    events = list(incident.timeline.select_related("actor").order_by("-at", "-pk"))
    updates = list(incident.status_updates.select_related("posted_by").prefetch_related(
        "channels"))
    roles = [{
        "role": role.value, "label": role.label, "person": getattr(incident, role.value),
        "form": forms(f"role-{role.value}", RoleForm, role=role.value,
                      user=getattr(incident, f"{role.value}_id")),
    } for role in IncidentRole]

    postmortem = (PostMortem.objects.select_related("author", "reviewer")
                  .filter(incident=incident).first())
    postmortem_context = None
    if postmortem is not None:
        postmortem_context = {
            "object": postmortem,
            "form": forms("postmortem", PostMortemForm, **PostMortemForm.values_of(postmortem)),
            "actions": _postmortem_actions(postmortem, user),
            "timeline": list(services.postmortem_timeline(postmortem)),
            "whys": [line.strip() for line in postmortem.five_whys.splitlines() if line.strip()],
        }

    items = list(incident.action_items.select_related("owner"))
    item_clocks = active_clocks_by_owner(ActionItem, [item.pk for item in items])
    action_items = [{
        "object": item,
        "clocks": item_clocks.get(item.pk, []),
        "moves": _action_item_moves(item, user),
        "edit_form": forms(f"item-{item.pk}-edit", ActionItemEditForm,
                           owner=item.owner_id, due_date=item.due_date),
        "decline_form": forms(f"item-{item.pk}-decline", DeclineForm),
        "moves_form": forms(f"item-{item.pk}-moves", ConfirmForm),
        "open": item.state in (ActionItemState.OPEN, ActionItemState.IN_PROGRESS),
    } for item in items]

    context = {
        "incident": incident,
        "active_clocks": active_clocks,
        "finished_clocks": finished,
        "steps": steps,
        "is_over": incident.state in (IncidentState.CLOSED, IncidentState.CANCELLED),
        "pinned_events": [e for e in events if e.pinned],
        "events": [e for e in events if not e.pinned],
        "updates": updates,
        "roles": roles,
        "postmortem": postmortem_context,
        "action_items": action_items,
        "talk_track_form": forms("talk-track", TalkTrackForm, talk_track=incident.talk_track),
        "severity_form": forms("severity", SeverityForm, severity=incident.severity_id),
        "note_form": forms("note", NoteForm),
        "timeline_form": forms("timeline", PinForm),
        "update_form": forms("update", StatusUpdateForm,
                             channels=[c.pk for c in incident.channels.all()]),
        "action_item_form": forms("action-item-new", ActionItemForm),
    }
    # Cards other apps draw here (playbook checklists, linked escalations…).
    context["panels"] = registry.panels_for(request, incident, forms)
    context["refusals"] = forms.orphan_errors()
    return context


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


def _submit(request, incident, form, *, key, run, done, anchor="", labels=STEP_LABELS):
    return web_forms.submit(request, incident, form, key=key, run=run, done=done,
                            anchor=anchor, labels=labels, render=_render_incident)


def _bind(request, form_class, key):
    return web_forms.bind(request, form_class, key)


@require_POST
@reader
def incident_transition(request, pk, name):
    step = STEPS.get(name)
    if step is None:
        raise Http404("No such transition.")
    incident = get_object_or_404(Incident, pk=pk)
    return _submit(
        request, incident, _bind(request, step.form, name), key=name,
        run=lambda data: step.run(incident, request.user, data), done=step.done,
    )


@require_POST
@reader
def incident_change_severity(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    return _submit(
        request, incident, _bind(request, SeverityForm, "severity"), key="severity",
        run=lambda data: services.incident_change_severity(
            incident=incident, by=request.user, severity=data["severity"], reason=data["reason"]),
        done="severity changed",
    )


@require_POST
@reader
def incident_talk_track(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    return _submit(
        request, incident, _bind(request, TalkTrackForm, "talk-track"), key="talk-track",
        run=lambda data: services.incident_edit(incident=incident, by=request.user,
                                                talk_track=data["talk_track"]),
        done="talk track updated", anchor="#talk-track",
    )


@require_POST
@reader
def incident_add_note(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    return _submit(
        request, incident, _bind(request, NoteForm, "note"), key="note",
        run=lambda data: services.incident_add_note(incident=incident, by=request.user,
                                                    text=data["text"], pinned=data["pinned"]),
        done="note added", anchor="#timeline",
    )


@require_POST
@reader
def timeline_pin(request, pk, event_pk):
    incident = get_object_or_404(Incident, pk=pk)
    event = get_object_or_404(TimelineEvent, pk=event_pk, incident=incident)
    return _submit(
        request, incident, _bind(request, PinForm, "timeline"), key="timeline",
        run=lambda data: services.timeline_pin(event=event, by=request.user,
                                               pinned=data["pinned"]),
        done="note pinned" if request.POST.get("pinned") else "note unpinned",
        anchor="#timeline",
    )


@require_POST
@reader
def status_update_post(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    return _submit(
        request, incident, _bind(request, StatusUpdateForm, "update"), key="update",
        run=lambda data: services.status_update_post(
            incident=incident, by=request.user, audience=data["audience"], body=data["body"],
            channels=data["channels"]),
        done="status update posted", anchor="#status-updates",
    )


@require_POST
@reader
def incident_assign_role(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    role = request.POST.get("role", "")
    known = role in IncidentRole.values
    key = f"role-{role}" if known else "role"
    return _submit(
        request, incident, _bind(request, RoleForm, key), key=key,
        run=lambda data: services.incident_assign_role(
            incident=incident, by=request.user, role=data["role"], user=data["user"]),
        done=f"{IncidentRole(role).label.lower() if known else 'role'} changed", anchor="#roles",
    )


# --- Post-mortem ------------------------------------------------------------------------


def _postmortem_of(pk):
    incident = get_object_or_404(Incident, pk=pk)
    postmortem = PostMortem.objects.filter(incident=incident).first()
    if postmortem is None:
        raise Http404("This incident has no post-mortem yet.")
    return incident, postmortem


@require_POST
@reader
def postmortem_edit(request, pk):
    """Save the draft; "Save and submit" then submits it for review."""
    incident, postmortem = _postmortem_of(pk)
    submit = request.POST.get("then") == "submit"

    def run(data):
        services.postmortem_edit(postmortem=postmortem, by=request.user, **data)
        if submit:
            services.postmortem_transition(postmortem=postmortem, by=request.user, name="submit")

    return _submit(
        request, incident, _bind(request, PostMortemForm, "postmortem"), key="postmortem",
        run=run, done="post-mortem submitted for review" if submit else "post-mortem saved",
        anchor="#postmortem", labels=POSTMORTEM_LABELS,
    )


@require_POST
@reader
def postmortem_transition(request, pk, name):
    incident, postmortem = _postmortem_of(pk)
    if name not in POSTMORTEM_LABELS:
        raise Http404("No such post-mortem transition.")
    # A refusal (e.g. submit without a root cause) is shown next to the editor's fields.
    form = PostMortemForm(PostMortemForm.values_of(postmortem), auto_id="postmortem-%s",
                          people=web_forms.people(request))
    done = {"submit": "post-mortem submitted for review", "publish": "post-mortem published",
            "request_changes": "post-mortem sent back for changes"}[name]
    return _submit(
        request, incident, form, key="postmortem",
        run=lambda data: services.postmortem_transition(postmortem=postmortem, by=request.user,
                                                        name=name),
        done=done, anchor="#postmortem", labels=POSTMORTEM_LABELS,
    )


# --- Action items -----------------------------------------------------------------------


@require_POST
@reader
def action_item_create(request, pk):
    incident = get_object_or_404(Incident, pk=pk)
    return _submit(
        request, incident, _bind(request, ActionItemForm, "action-item-new"),
        key="action-item-new",
        run=lambda data: services.action_item_create(incident=incident, by=request.user, **data),
        done="action item added", anchor="#action-items",
    )


@require_POST
@reader
def action_item_update(request, pk, item_pk):
    item = get_object_or_404(ActionItem.objects.select_related("incident"), pk=item_pk,
                             incident_id=pk)
    key = f"item-{item.pk}-edit"
    return _submit(
        request, item.incident, _bind(request, ActionItemEditForm, key), key=key,
        run=lambda data: services.action_item_update(item=item, by=request.user,
                                                     owner=data["owner"],
                                                     due_date=data["due_date"]),
        done="action item changed", anchor="#action-items",
    )


@require_POST
@reader
def action_item_transition(request, pk, item_pk, name):
    if name not in ACTION_ITEM_LABELS:
        raise Http404("No such action item transition.")
    item = get_object_or_404(ActionItem.objects.select_related("incident"), pk=item_pk,
                             incident_id=pk)
    form_class, key = ((DeclineForm, f"item-{item.pk}-decline") if name == "decline"
                       else (ConfirmForm, f"item-{item.pk}-moves"))
    done = {"start": "started", "complete": "done", "decline": "won't be done"}[name]
    return _submit(
        request, item.incident, _bind(request, form_class, key), key=key,
        run=lambda data: services.action_item_transition(
            item=item, by=request.user, name=name, reason=data.get("reason", "")),
        done=f"action item “{item.title}” {done}", anchor="#action-items",
        labels=ACTION_ITEM_LABELS,
    )


@reader
def my_action_items(request):
    """The signed-in person's open action items, soonest due first."""
    items = list(
        ActionItem.objects.filter(owner=request.user,
                                  state__in=[ActionItemState.OPEN, ActionItemState.IN_PROGRESS])
        .select_related("incident", "incident__severity")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    clocks = active_clocks_by_owner(ActionItem, [item.pk for item in items])
    rows = []
    for item in items:
        item.incident.chip_colour = chip_colour(item.incident.severity)
        rows.append({"object": item, "clocks": clocks.get(item.pk, []),
                     "moves": [m for m in _action_item_moves(item, request.user)
                               if m["name"] != "decline"]})
    return render(request, "incidents/my_action_items.html", {"rows": rows})
