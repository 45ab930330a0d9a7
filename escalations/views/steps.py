"""What the escalation page offers: each transition's button, form and service call
(``STEPS``), the tier moves, and the panel actions that are not transitions
(``PANEL_ACTIONS``). The page (``page.py``) draws them; ``actions.py`` runs them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from core.forms import ConfirmForm
from core.web_forms import Step
from incidents.models import Incident

from .. import services
from ..forms import (
    AwaitCustomerForm,
    CloseForm,
    CompensationForm,
    ContainForm,
    EscalationEditForm,
    LinkIncidentForm,
    NoteForm,
    ReasonForm,
    ReopenForm,
    ResolveForm,
    TriageForm,
    WithdrawForm,
)
from ..models import Escalation


def _or_none(value):
    return value or None


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


def _incident_by_reference(reference):
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
