"""The transitions as the incident page offers them: button, form, service call."""


from core.forms import ConfirmForm
from core.web_forms import Step

from .. import services
from ..forms import (
    CancelForm,
    ContainForm,
    ReopenForm,
    ResolveForm,
    TriageForm,
)

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
