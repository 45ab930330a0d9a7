"""Escalation pages: the queue, the opening form, the escalation page, and the
customers list and customer page.

Views parse, call a service, render. Which fields a person sees is
``escalations/visibility.py``'s; who may do what, and what a transition needs, is the
model's (transitions and guards) and the services'.

Every write on the escalation page works like the incident page's
(``incidents/views.py``): with htmx the answer is the page's main panel re-rendered
(refusals with their real status: 400, 403, 409); without JavaScript an ordinary
POST that redirects back, or renders the page with the refusal.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce, wraps
from operator import or_

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core import registry, web_forms
from core.choices import ClockState
from core.clocks import active_clocks_by_owner, clocks_for_page
from core.forms import ConfirmForm
from core.models import SlaClock
from core.presentation import chip_colour
from core.transitions import allowed_transitions

from . import services
from .choices import OPEN_STATES, EscalationState
from .clock_kinds import REGULATORY_CLOCK
from .forms import (
    AwaitCustomerForm,
    CloseForm,
    CompensationForm,
    ContainForm,
    CustomerSearchForm,
    EraseForm,
    EscalationCreateForm,
    EscalationEditForm,
    EscalationFilterForm,
    LinkEscalationsForm,
    LinkIncidentForm,
    NoteForm,
    ReasonForm,
    ReopenForm,
    ResolveForm,
    TierForm,
    TriageForm,
    WithdrawForm,
)
from .models import Customer, Escalation, EscalationIncidentLink, TierChange
from .selectors import escalation_timeline_for, pending_tier_change
from .services import LADDER
from .visibility import (
    MONEY_FIELDS,
    PERSONAL_FIELDS,
    can_see_compensation,
    can_see_money,
    can_see_personal_data,
    customer_search_fields,
    customer_visible_fields,
)

User = get_user_model()
PAGE_SIZE = 50


def reader(view):
    return login_required(
        permission_required("escalations.view_customer", raise_exception=True)(view))


@reader
def customer_list(request):
    """Customers, searchable by account reference (and by name for roles that see
    names), filterable by tier, 50 a page."""
    form = CustomerSearchForm(request.GET)
    form.is_valid()
    filters = form.cleaned_data
    customers = Customer.objects.order_by("account_reference", "pk")
    if filters.get("q"):
        customers = customers.filter(reduce(or_, [
            Q(**{f"{name}__icontains": filters["q"]})
            for name in customer_search_fields(request.user)]))
    if filters.get("tier"):
        customers = customers.filter(tier=filters["tier"])
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "escalations/customer_list.html", {
        "form": form, "page": page, "filtered": bool(filters.get("q") or filters.get("tier")),
        "show_personal": can_see_personal_data(request.user),
        "show_money": can_see_money(request.user),
    })


def _render_customer(request, customer, *, erase_form=None, status=200):
    labels = {field.name: field.verbose_name for field in Customer._meta.fields}
    rows = []
    for name in customer_visible_fields(request.user):
        if name in ("id", "account_reference", "tier"):
            continue  # in the heading
        value = getattr(customer, name)
        rows.append({"name": name, "label": labels[name].capitalize(), "value": value,
                     "personal": name in PERSONAL_FIELDS, "money": name in MONEY_FIELDS})
    return render(request, "escalations/customer_detail.html", {
        "customer": customer, "rows": rows, "erase_form": erase_form or EraseForm(),
        "can_erase": request.user.has_perm("escalations.erase_customer"),
    }, status=status)


@reader
def customer_detail(request, pk):
    return _render_customer(request, get_object_or_404(Customer, pk=pk))


@reader
def customer_export(request, pk):
    """Everything held about the customer, as a JSON download (managers)."""
    customer = get_object_or_404(Customer, pk=pk)
    data = services.customer_export(customer=customer, by=request.user)
    response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="customer-{customer.pk}-export.json"')
    return response


@require_POST
@reader
def customer_erase(request, pk):
    """Erase the customer's personal data on request (managers), with a reason."""
    customer = get_object_or_404(Customer, pk=pk)
    form = EraseForm(request.POST)
    form.is_valid()
    try:
        services.customer_erase(customer=customer, by=request.user,
                                reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for field, texts in errors.items():
            for text in texts:
                form.add_error(field if field in form.fields else None, text)
        return _render_customer(request, Customer.objects.get(pk=pk), erase_form=form,
                                status=400)
    messages.success(request, "The customer's personal data was erased, history included.")
    return redirect("escalations:customer", pk=pk)


# --- Escalations -----------------------------------------------------------------------

ESCALATION_PAGE_SIZE = 50
PANEL_TEMPLATE = "escalations/_panel.html"
PAGE_TEMPLATE = "escalations/escalation_detail.html"


def escalation_reader(view):
    """Signed in, and allowed to read escalations (writes are checked by the services)."""
    checked = login_required(
        permission_required("escalations.view_escalation", raise_exception=True)(view))

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            back = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back).url)
        return checked(request, *args, **kwargs)

    return wrapper


def _escalation_ct():
    return ContentType.objects.get_for_model(Escalation)


def _breached_clocks():
    """The escalation's running or paused clocks that are past due now."""
    return SlaClock.objects.filter(content_type=_escalation_ct(),
                                   object_id=OuterRef("pk")).overdue(timezone.now())


@escalation_reader
def escalation_list(request):
    """The queue: open escalations, most urgent SLA first (the earliest running clock
    due first; those without a running clock last), filters (state, category,
    priority, tier, customer tier, owner, breached, under a regulator, mine), 50 a
    page.

    The query count does not grow with the page: escalations with their customer and
    owner (1), the paginator's count (1), every clock on the page with its calendar (1)
    and the calendars' hours and holidays (2).
    """
    form = EscalationFilterForm(request.GET, people=web_forms.people(request))
    form.is_valid()  # invalid filters are shown with their error and left out
    filters = form.cleaned_data

    escalations = Escalation.objects.select_related("customer", "owner", "regulatory_regime")
    if filters.get("state"):
        escalations = escalations.filter(state=filters["state"])
    else:
        escalations = escalations.filter(state__in=OPEN_STATES)
    for name in ("category", "priority", "tier"):
        if filters.get(name):
            escalations = escalations.filter(**{name: filters[name]})
    if filters.get("mine"):
        escalations = escalations.filter(owner=request.user)
    if filters.get("owner"):
        escalations = escalations.filter(owner=filters["owner"])
    if filters.get("channel"):
        escalations = escalations.filter(channel=filters["channel"])
    if filters.get("customer_tier"):
        escalations = escalations.filter(customer__tier=filters["customer_tier"])
    if filters.get("regulatory"):
        escalations = escalations.filter(regulatory_regime__isnull=False)
    if filters.get("breached"):
        escalations = escalations.filter(Exists(_breached_clocks()))
    # sla_due_at is kept by the clocks (Escalation.refresh_sla_due_at) and indexed for
    # the open queue: ordering by a subquery cost one per open escalation.
    escalations = escalations.order_by(F("sla_due_at").asc(nulls_last=True), "pk")

    page = Paginator(escalations, ESCALATION_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    page.object_list = rows
    clocks = active_clocks_by_owner(Escalation, [escalation.pk for escalation in rows])
    for escalation in rows:
        escalation.active_clocks = clocks.get(escalation.pk, [])
    extra_columns = registry.list_columns_for(request, Escalation, rows)
    return render(request, "escalations/escalation_list.html", {
        "form": form, "page": page, "escalations": rows, "extra_columns": extra_columns,
        "filtered": any(filters.get(name) for name in form.fields),
        "show_personal": can_see_personal_data(request.user),
    })


@escalation_reader
@permission_required("escalations.add_escalation", raise_exception=True)
def escalation_create(request):
    """Open an escalation: the service gives the reference and starts the clocks."""
    if request.method == "POST":
        form = EscalationCreateForm(request.POST, people=web_forms.people(request))
        if form.is_valid():
            try:
                escalation = services.escalation_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(web_forms.validation_errors(exc))
            else:
                messages.success(request, f"{escalation.reference} opened.")
                return redirect(escalation)
        return render(request, "escalations/escalation_create.html", {"form": form},
                      status=400)
    form = EscalationCreateForm(people=web_forms.people(request))
    return render(request, "escalations/escalation_create.html", {"form": form})


# --- The escalation page ---------------------------------------------------------------


def _or_none(value):
    return value or None


@dataclass(frozen=True)
class Step:
    """A transition as the page offers it: its button, its form, the service call."""

    label: str
    form: type
    run: Callable[[Escalation, object, dict], Escalation]  # (escalation, by, cleaned data)
    done: str
    hint: str = ""
    style: str = ""


STEPS = {
    "triage": Step(
        "Triage", TriageForm,
        lambda e, by, data: services.escalation_triage(
            escalation=e, by=by, priority=_or_none(data["priority"]), owner=data["owner"],
            category=_or_none(data["category"])),
        "triaged", "Confirm the priority, the category and who owns the escalation."),
    "contain": Step(
        "Contain", ContainForm,
        lambda e, by, data: services.escalation_contain(
            escalation=e, by=by, note=data["containment_note"]),
        "contained", "The customer was contacted and an interim remedy is in place."),
    "await_customer": Step(
        "Await customer", AwaitCustomerForm,
        lambda e, by, data: services.escalation_await_customer(
            escalation=e, by=by, reason=data["reason"]),
        "awaiting the customer", "The policy's clocks pause until the customer replies.",
        "secondary"),
    "customer_replied": Step(
        "Customer replied", ConfirmForm,
        lambda e, by, data: services.escalation_customer_replied(escalation=e, by=by),
        "the customer replied"),
    "resolve": Step(
        "Resolve", ResolveForm,
        lambda e, by, data: services.escalation_resolve(
            escalation=e, by=by, resolution=data["resolution"]),
        "resolved", "Record the resolution agreed with the customer."),
    "start_review": Step(
        "Start root-cause review", ConfirmForm,
        lambda e, by, data: services.escalation_start_review(escalation=e, by=by),
        "root-cause review started"),
    "close": Step(
        "Close escalation", CloseForm,
        lambda e, by, data: services.escalation_close(
            escalation=e, by=by, root_cause_review=data["root_cause_review"]),
        "closed", "Write the root-cause review."),
    "reopen": Step(
        "Reopen", ReopenForm,
        lambda e, by, data: services.escalation_reopen(escalation=e, by=by,
                                                       reason=data["reason"]),
        "reopened", "Back to triaged; the containment and resolution clocks start again.",
        "secondary"),
    "withdraw": Step(
        "Withdraw", WithdrawForm,
        lambda e, by, data: services.escalation_withdraw(escalation=e, by=by,
                                                         reason=data["withdraw_reason"]),
        "withdrawn", "The customer withdrew the escalation: every clock stops.", "secondary"),
}
STEP_LABELS = {name: step.label for name, step in STEPS.items()}
TIER_MOVES = {
    "escalate": ("Escalate a tier", services.escalation_escalate_tier, "escalated a tier"),
    "deescalate": ("De-escalate a tier", services.escalation_deescalate_tier,
                   "de-escalated a tier"),
}


def _escalation_context(request, escalation, overrides):
    user = request.user
    forms = web_forms.PageForms(web_forms.people(request), overrides)
    active_clocks, finished = clocks_for_page(escalation)

    allowed = set(allowed_transitions(escalation, user))
    steps = []
    for name, step in STEPS.items():
        if name not in allowed:
            continue
        initial = {
            "triage": {"priority": escalation.priority, "category": escalation.category,
                       "owner": escalation.owner_id},
            "contain": {"containment_note": escalation.containment_note},
            "resolve": {"resolution": escalation.resolution},
            "close": {"root_cause_review": escalation.root_cause_review},
        }.get(name, {})
        form = forms(name, step.form, **initial)
        steps.append({"name": name, "step": step, "form": form, "has_fields": bool(form.fields),
                      "open": name in overrides})

    is_open = escalation.state in OPEN_STATES
    can_change = user.has_perm("escalations.change_escalation")
    # Once the escalation is over nobody needs to take it: no acknowledgement asked.
    pending = pending_tier_change(escalation) if escalation.state in OPEN_STATES else None
    can_move = is_open and can_change
    offered = {"escalate": can_move and escalation.tier != LADDER[-1],
               "deescalate": can_move and escalation.tier != LADDER[0]}
    tier = {
        "can_move": can_move,
        **offered,
        # A move not offered leaves its refusal to the top of the panel.
        **{f"{name}_form": forms(name, TierForm) for name, shown in offered.items() if shown},
        "pending": pending,
        "can_acknowledge": pending is not None
        and services.can_acknowledge_tier(user, pending.to_tier),
        "acknowledge_form": forms("acknowledge", ConfirmForm),
        "changes": list(escalation.tier_changes.select_related(
            "requested_by", "acknowledged_by").order_by("-requested_at", "-pk")),
    }
    context = {
        "escalation": escalation,
        "show_personal": can_see_personal_data(user),
        "active_clocks": active_clocks,
        "finished_clocks": finished,
        "steps": steps,
        "is_over": not is_open and escalation.state != EscalationState.RESOLVED
        and escalation.state != EscalationState.REVIEW,
        "tier": tier,
        "events": list(escalation_timeline_for(escalation, user)),
    }
    context.update(_panels_context(user, escalation, [*active_clocks, *finished], forms,
                                   is_open=is_open))
    # Cards other apps draw here (playbook checklists…).
    context["panels"] = registry.panels_for(request, escalation, forms)
    context["refusals"] = forms.orphan_errors()
    return context


def _panels_context(user, escalation, clocks, forms, *, is_open):
    """Details editing, notes, the regulatory deadline, compensation, the SLA policy's
    version and linked incidents: what each shows and who may act on it."""
    can_change = user.has_perm("escalations.change_escalation")
    finished = escalation.state in (EscalationState.CLOSED, EscalationState.WITHDRAWN)

    regulatory = None
    regime = escalation.regulatory_regime
    if regime is not None:
        clock = next((c for c in clocks if c.kind == REGULATORY_CLOCK), None)  # latest cycle
        running = clock is not None and clock.state != ClockState.STOPPED
        regulatory = {
            "regime": regime, "clock": clock,
            "deadline": services.format_deadline(clock.due_at, regime)
            if clock is not None and clock.due_at else "",
            "can_extend": can_change and running and bool(regime.extended_days)
            and escalation.regulatory_extended_at is None,
            "form": forms("extend", ReasonForm),
        }

    offered = escalation.compensation_offered
    compensation = None
    if can_see_compensation(user):
        compensation = {
            "can_offer": can_change and not finished,
            "can_approve": offered is not None and not finished
            and escalation.compensation_approved != offered
            and services.can_approve(user, offered),
            "form": forms("compensation", CompensationForm, amount=offered,
                          note=escalation.compensation_note),
            "approve_form": forms("approve-compensation", ConfirmForm),
        }

    policy = escalation.policy
    outdated = policy is not None and policy.version != escalation.policy_version
    links = list(EscalationIncidentLink.objects.filter(escalation=escalation)
                 .select_related("incident__severity").order_by("linked_at", "pk"))
    for link in links:
        link.incident.chip_colour = chip_colour(link.incident.severity)
    can_link = services.can_link(user)
    return {
        "can_edit": can_change and not finished,
        "edit_form": forms("edit", EscalationEditForm, **{
            name: getattr(escalation, f"{name}_id" if name in ("owner", "regulatory_regime")
                          else name) for name in EscalationEditForm.base_fields}),
        "can_note": user.has_perm("escalations.add_escalationtimelineevent"),
        "note_form": forms("note", NoteForm),
        "regulatory": regulatory,
        "compensation": compensation,
        "currency": settings.SWITCHBOARD_CURRENCY,
        "policy_outdated": outdated,
        "can_apply_policy": outdated and is_open and user.has_perm(
            "escalations.change_escalationslapolicy"),
        "apply_policy_form": forms("apply-policy", ReasonForm),
        "links": links,
        "can_link": can_link,
        "link_form": forms("link", LinkIncidentForm),
        "unlink_form": forms("unlink", ConfirmForm),
    }


def _escalation_queryset():
    return Escalation.objects.select_related("customer", "owner", "team", "created_by",
                                             "channel", "policy", "regulatory_regime",
                                             "compensation_offered_by",
                                             "compensation_approved_by")


def _render_escalation(request, pk, *, overrides=None, status=200, panel=None):
    escalation = get_object_or_404(_escalation_queryset(), pk=pk)
    return web_forms.render_page_or_panel(
        request, _escalation_context(request, escalation, overrides or {}),
        page_template=PAGE_TEMPLATE, panel_template=PANEL_TEMPLATE, status=status, panel=panel)


@escalation_reader
def escalation_detail(request, pk):
    """Header, next steps, tier ladder, timeline. Always the whole page for a GET."""
    return _render_escalation(request, pk, panel=False)


def _submit(request, escalation, form, *, key, run, done, anchor=""):
    return web_forms.submit(request, escalation, form, key=key, run=run, done=done,
                            anchor=anchor, labels=STEP_LABELS, render=_render_escalation)


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


# --- Panel actions: edit, note, compensation, regulatory, policy, links -----------------


def _incident_by_reference(reference):
    from incidents.models import Incident

    reference = (reference or "").strip().upper()
    if not reference:
        raise ValidationError({"incident": "Give the incident's reference, e.g. INC-2026-0042."})
    incident = Incident.objects.filter(reference=reference).first()
    if incident is None:
        raise ValidationError({"incident": f"No incident {reference}."})
    return incident


@dataclass(frozen=True)
class PanelAction:
    """A write on the escalation page other than a transition: its form and service."""

    form: type
    run: Callable[[Escalation, object, dict], object]
    done: str
    anchor: str


def _edit(escalation, by, data):
    fields = {name: value for name, value in data.items()}
    for name in ("priority", "category"):
        fields[name] = fields[name] or ""
    return services.escalation_edit(escalation=escalation, by=by, **fields)


PANEL_ACTIONS = {
    "edit": PanelAction(EscalationEditForm, _edit, "details saved", "#details"),
    "note": PanelAction(
        NoteForm, lambda e, by, data: services.escalation_add_note(
            escalation=e, by=by, text=data["text"], customer_update=data["customer_update"]),
        "note added", "#timeline"),
    "compensation": PanelAction(
        CompensationForm, lambda e, by, data: services.escalation_offer_compensation(
            escalation=e, by=by, amount=data["amount"], note=data["note"]),
        "compensation offered", "#compensation"),
    "approve-compensation": PanelAction(
        ConfirmForm, lambda e, by, data: services.escalation_approve_compensation(
            escalation=e, by=by), "compensation approved", "#compensation"),
    "extend": PanelAction(
        ReasonForm, lambda e, by, data: services.escalation_extend_regulatory_deadline(
            escalation=e, by=by, reason=data["reason"]),
        "regulatory deadline extended", "#regulatory"),
    "apply-policy": PanelAction(
        ReasonForm, lambda e, by, data: services.escalation_apply_policy(
            escalation=e, by=by, reason=data["reason"]),
        "current SLA policy applied", "#details"),
    "link": PanelAction(
        LinkIncidentForm, lambda e, by, data: services.escalation_link_incident(
            escalation=e, by=by, incident=_incident_by_reference(data["incident"])),
        "linked to the incident", "#incidents"),
}


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
    from incidents.models import Incident

    escalation = get_object_or_404(Escalation, pk=pk)
    incident = get_object_or_404(Incident, pk=incident_pk)
    return _submit(
        request, escalation, _bind(request, ConfirmForm, "unlink"), key="unlink",
        run=lambda data: services.escalation_unlink_incident(escalation=escalation,
                                                             incident=incident,
                                                             by=request.user),
        done=f"unlinked from {incident.reference}", anchor="#incidents")


# --- On the incident page --------------------------------------------------------------

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
        candidates = candidates.filter(state__in=OPEN_STATES, created_at__gte=since)
        channels = [channel.pk for channel in incident.channels.all()]
        if channels:
            candidates = candidates.filter(channel__in=channels)
    return list(candidates[:CANDIDATES_SHOWN])


def incident_escalations_context(request, incident, forms):
    """The incident page's "Customer escalations" card (a panel, see contributions.py)."""
    links = list(EscalationIncidentLink.objects.filter(incident=incident)
                 .select_related("escalation__customer", "escalation__owner")
                 .order_by("escalation__reference"))
    can_link = services.can_link(request.user)
    query = request.GET.get("link_q", "")
    candidates = link_candidates(incident, query) if can_link else []
    card = {
        "links": links,
        "can_link": can_link,
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
    from incidents.models import Incident

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
    from incidents.models import Incident

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
