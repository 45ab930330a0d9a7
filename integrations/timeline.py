"""The typed timeline entries integrations write on incidents (core.timeline)."""

from core.timeline import TimelineEventType, register_event_type

ALERT_OPENED = "alert-opened"
ALERT_FIRED = "alert-fired"
ALERT_REFIRED = "alert-refired"
ALERT_ACKNOWLEDGED = "alert-acknowledged"
ALERT_RESOLVED = "alert-resolved"
VENDOR_STATUS_UPDATE = "vendor-status-update"


def _with_note(head):
    return lambda p: head.format(**p) + (f" {p['note']}" if p.get("note") else "")


def register():
    register_event_type(TimelineEventType(
        ALERT_OPENED, _with_note("Opened by {integration}: {title} ({severity})."),
        params=("integration", "title", "severity", "alert"),
        description="An alert opened the incident (``alert``: its id)."))
    register_event_type(TimelineEventType(
        ALERT_FIRED, _with_note("{integration}: another alert firing — {title}."),
        params=("integration", "title", "alert"),
        description="A further alert of the same group fired."))
    register_event_type(TimelineEventType(
        ALERT_REFIRED, _with_note("{integration}: fired again after resolving — {title}."),
        params=("integration", "title", "alert"),
        description="A flapping alert: it fired again within the integration's flap window "
                    "(``note`` says what was done with the incident)."))
    register_event_type(TimelineEventType(
        ALERT_ACKNOWLEDGED, _with_note("{integration}: acknowledged at the source — {title}."),
        params=("integration", "title", "alert"),
        description="The source says someone acknowledged the alert."))
    register_event_type(TimelineEventType(
        ALERT_RESOLVED, _with_note("{integration}: the source says resolved — {title}."),
        params=("integration", "title", "alert"),
        description="Every alert of the group resolved at the source (``note``: what was "
                    "done with the incident, or why nothing could be)."))
    register_event_type(TimelineEventType(
        VENDOR_STATUS_UPDATE, lambda p: (f"{p['vendor']} status page"
                                         + (f" ({p['status']})" if p.get("status") else "")
                                         + f": {p['body']}"),
        params=("vendor", "body"),
        description="An update the vendor posted on its status page (Statuspage "
                    "incident_updates), in the vendor's words."))
