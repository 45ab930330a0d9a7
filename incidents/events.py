"""The incident events other systems may subscribe to (``core/events.py``).

Payloads say what an integration needs to act and link back — reference, title,
severity, state, times — never the customer-facing text of an internal update.
"""

from core.event_payloads import absolute_url, iso
from core.events import register_event_type

DECLARED = "incident.declared"
STATE_CHANGED = "incident.state_changed"
STATUS_UPDATE_POSTED = "incident.status_update_posted"


def incident_data(incident) -> dict:
    severity = incident.severity.key if incident.severity_id else None
    return {"id": incident.pk, "reference": incident.reference, "title": incident.title,
            "severity": severity, "priority": incident.priority, "state": incident.state,
            "declared_at": iso(incident.declared_at), "url": absolute_url(incident)}


def _declared(incident, data):
    sev = f"{incident.severity.key} " if incident.severity_id else ""
    return {"incident": incident_data(incident),
            "summary": f"{sev}incident declared: {incident.reference} {incident.title}"}


def _state_changed(incident, data):
    return {"incident": incident_data(incident), "transition": data.get("transition", ""),
            "summary": f"{incident.reference} is now {incident.get_state_display().lower()}: "
                       f"{incident.title}"}


def _status_update(update, data):
    incident = update.incident
    return {"incident": incident_data(incident),
            "status_update": {"id": update.pk, "audience": update.audience,
                              "body": update.body, "posted_at": iso(update.posted_at)},
            "summary": f"{incident.reference} {update.get_audience_display().lower()} "
                       f"update: {update.body[:300]}"}


def register():
    register_event_type(DECLARED, "An incident was declared.", _declared)
    register_event_type(STATE_CHANGED, "An incident moved to another state (triaged, "
                        "contained, resolved, closed, cancelled, reopened…).", _state_changed)
    register_event_type(STATUS_UPDATE_POSTED, "A status update was posted on an incident.",
                        _status_update)
