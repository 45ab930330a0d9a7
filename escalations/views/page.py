"""The escalation page: its header, next steps, tier ladder and panels, each drawn by
a small function from what the services say the user may do (``why_not_*``)."""

from django.conf import settings
from django.shortcuts import get_object_or_404

from core import registry, web_forms
from core.clocks import clocks_for_page
from core.forms import ConfirmForm
from core.presentation import chip_colour
from core.transitions import allowed_transitions
from core.why_not import why_not_transition

from .. import services
from ..clock_kinds import REGULATORY_CLOCK
from ..forms import (
    CompensationForm,
    EscalationEditForm,
    LinkIncidentForm,
    NoteForm,
    ReasonForm,
    TierForm,
)
from ..models import Escalation, EscalationIncidentLink
from ..selectors import escalation_timeline_for, pending_tier_change
from ..visibility import can_see_compensation, can_see_personal_data
from ._access import escalation_reader
from .steps import STEPS

PANEL_TEMPLATE = "escalations/_panel.html"
PAGE_TEMPLATE = "escalations/escalation_detail.html"


def offered(refusal):
    """A button the page shows: allowed (``None``), or greyed out with the reason —
    unless the user's role may never do it (then it is not shown at all)."""
    return refusal is None or not refusal.forbidden


def _steps(user, escalation, forms, overrides):
    """Next steps: the transitions the user may run now, each with its form."""
    allowed = set(allowed_transitions(escalation, user))
    initial = {
        "triage": {"priority": escalation.priority, "category": escalation.category,
                   "owner": escalation.owner_id},
        "contain": {"containment_note": escalation.containment_note},
        "resolve": {"resolution": escalation.resolution},
        "close": {"root_cause_review": escalation.root_cause_review},
    }
    steps = []
    for name, step in STEPS.items():
        if name not in allowed:
            continue
        form = forms(name, step.form, **initial.get(name, {}))
        # A requirement the form cannot fill (a required playbook step) greys the
        # button with the reason (core.why_not.why_not_transition).
        fills = {*form.fields, *getattr(step.form, "error_fields", {})}
        steps.append({"name": name, "step": step, "form": form,
                      "has_fields": bool(form.fields), "open": name in overrides,
                      "blocked": why_not_transition(user, escalation, name, fills=fills)})
    return steps


def _tier_panel(user, escalation, forms):
    """The ladder: moves up and down, the change waiting to be acknowledged."""
    # Once the escalation is over nobody needs to take it: no acknowledgement asked.
    pending = pending_tier_change(escalation) if escalation.is_open else None
    refusals = {"escalate": services.why_not_escalate_tier(user, escalation),
                "deescalate": services.why_not_deescalate_tier(user, escalation)}
    shown = {name: offered(refusal) for name, refusal in refusals.items()}
    return {
        # Whether the role works the ladder while the escalation is open.
        "can_move": escalation.is_open and any(shown.values()),
        **{name: refusal is None for name, refusal in refusals.items()},
        **{f"{name}_refusal": refusal for name, refusal in refusals.items()
           if refusal is not None and not refusal.forbidden},
        # A move not offered leaves its refusal to the top of the panel.
        **{f"{name}_form": forms(name, TierForm) for name, refusal in refusals.items()
           if refusal is None},
        "pending": pending,
        "can_acknowledge": pending is not None
        and services.why_not_acknowledge_tier(user, pending) is None,
        "acknowledge_form": forms("acknowledge", ConfirmForm),
        "changes": list(escalation.tier_changes.select_related(
            "requested_by", "acknowledged_by").order_by("-requested_at", "-pk")),
    }


def _regulatory_panel(user, escalation, clocks, forms):
    regime = escalation.regulatory_regime
    if regime is None:
        return None
    clock = next((c for c in clocks if c.kind == REGULATORY_CLOCK), None)  # latest cycle
    refusal = services.why_not_extend_regulatory_deadline(user, escalation, clock=clock)
    return {
        "regime": regime, "clock": clock,
        "deadline": services.format_deadline(clock.due_at, regime)
        if clock is not None and clock.due_at else "",
        "can_extend": refusal is None,
        "form": forms("extend", ReasonForm),
    }


def _compensation_panel(user, escalation, forms):
    if not can_see_compensation(user):
        return None
    offer = services.why_not_offer_compensation(user, escalation)
    approve = (services.why_not_approve_compensation(user, escalation)
               if escalation.compensation_offered is not None else None)
    return {
        "can_offer": offer is None,
        "offer_refusal": offer if offer is not None and not offer.forbidden else None,
        "can_approve": escalation.compensation_offered is not None and approve is None,
        "form": forms("compensation", CompensationForm, amount=escalation.compensation_offered,
                      note=escalation.compensation_note),
        "approve_form": forms("approve-compensation", ConfirmForm),
    }


def _details_panel(user, escalation, forms):
    """The details card: editing, and moving the clocks to a newer policy version."""
    policy = escalation.policy
    outdated = policy is not None and policy.version != escalation.policy_version
    edit = services.why_not_edit(user, escalation)
    return {
        "can_edit": edit is None,
        "edit_refusal": edit if edit is not None and not edit.forbidden else None,
        "edit_form": forms("edit", EscalationEditForm, **{
            name: getattr(escalation, f"{name}_id" if name in ("owner", "regulatory_regime")
                          else name) for name in EscalationEditForm.base_fields}),
        "policy_outdated": outdated,
        "can_apply_policy": outdated
        and services.why_not_apply_policy(user, escalation) is None,
        "apply_policy_form": forms("apply-policy", ReasonForm),
    }


def _timeline_panel(user, escalation, forms):
    return {
        "can_note": services.why_not_add_note(user, escalation) is None,
        "note_form": forms("note", NoteForm),
        "events": list(escalation_timeline_for(escalation, user)),
    }


def _links_panel(user, escalation, forms):
    links = list(EscalationIncidentLink.objects.filter(escalation=escalation)
                 .select_related("incident__severity").order_by("linked_at", "pk"))
    for link in links:
        link.incident.chip_colour = chip_colour(link.incident.severity)
    return {
        "links": links,
        "can_link": services.why_not_unlink(user) is None,
        "link_form": forms("link", LinkIncidentForm),
        "unlink_form": forms("unlink", ConfirmForm),
    }


def escalation_context(request, escalation, overrides):
    user = request.user
    forms = web_forms.PageForms(web_forms.people(request), overrides)
    active_clocks, finished_clocks = clocks_for_page(escalation)
    context = {
        "escalation": escalation,
        "show_personal": can_see_personal_data(user),
        "link_customers": user.has_perm("escalations.view_customer"),
        "active_clocks": active_clocks,
        "finished_clocks": finished_clocks,
        "steps": _steps(user, escalation, forms, overrides),
        "can_work": user.has_perm("escalations.work_escalation", escalation),
        "is_over": escalation.is_finished,
        "tier": _tier_panel(user, escalation, forms),
        "regulatory": _regulatory_panel(user, escalation, [*active_clocks, *finished_clocks],
                                        forms),
        "compensation": _compensation_panel(user, escalation, forms),
        "currency": settings.SWITCHBOARD_CURRENCY,
        **_details_panel(user, escalation, forms),
        **_timeline_panel(user, escalation, forms),
        **_links_panel(user, escalation, forms),
    }
    # Cards other apps draw here (playbook checklists…).
    context["panels"] = registry.panels_for(request, escalation, forms)
    context["refusals"] = forms.orphan_errors()
    return context


def _escalation_queryset():
    return Escalation.objects.select_related("customer", "owner", "team", "created_by",
                                             "channel", "policy", "regulatory_regime",
                                             "compensation_offered_by",
                                             "compensation_approved_by")


def render_escalation(request, pk, *, overrides=None, status=200, panel=None):
    """The escalation page, or only its main panel (an htmx write)."""
    escalation = get_object_or_404(_escalation_queryset(), pk=pk)
    return web_forms.render_page_or_panel(
        request, escalation_context(request, escalation, overrides or {}),
        page_template=PAGE_TEMPLATE, panel_template=PANEL_TEMPLATE, status=status, panel=panel)


@escalation_reader
def escalation_detail(request, pk):
    """Header, next steps, tier ladder, timeline. Always the whole page for a GET."""
    return render_escalation(request, pk, panel=False)
