from django.db import models


class IncidentState(models.TextChoices):
    DECLARED = "declared", "Declared"
    TRIAGED = "triaged", "Triaged"
    CONTAINED = "contained", "Contained"
    RESOLVED = "resolved", "Resolved"
    POSTMORTEM = "postmortem", "Post-mortem"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


# State groups, declared once (``Incident.objects.open()``/``finished()``/``impacting()``).
# Finished: nothing more happens to the incident (the work-item kernel's finished states).
FINISHED_STATES = (IncidentState.CLOSED, IncidentState.CANCELLED)
# Open: everything not finished (the list's "active" filter).
OPEN_STATES = tuple(state for state in IncidentState if state not in FINISHED_STATES)
# Customers are still hurt: declared, triaged, contained (the dashboard's open incidents).
IMPACT_STATES = (IncidentState.DECLARED, IncidentState.TRIAGED, IncidentState.CONTAINED)


class Priority(models.TextChoices):
    """Response urgency, separate from severity (impact)."""

    P1 = "P1", "P1 — immediate"
    P2 = "P2", "P2 — urgent"
    P3 = "P3", "P3 — normal"
    P4 = "P4", "P4 — low"


class DeclaredVia(models.TextChoices):
    USER = "user", "A person"
    SYSTEM = "system", "The system (alert intake)"


class IncidentRole(models.TextChoices):
    COMMANDER = "commander", "Incident commander"
    COMMUNICATIONS_LEAD = "communications_lead", "Communications lead"
    SCRIBE = "scribe", "Scribe"
    VENDOR_LIAISON = "vendor_liaison", "Vendor liaison"


class TimelineKind(models.TextChoices):
    DECLARED = "declared", "Declared"
    TRANSITION = "transition", "State change"
    SEVERITY = "severity", "Severity change"
    ROLE = "role", "Role change"
    NOTE = "note", "Note"
    STATUS_UPDATE = "status_update", "Status update"
    CLOCK = "clock", "SLA clock"
    LINK = "link", "Link"
    CORRECTION = "correction", "Timestamp correction"
    ACTION_ITEM = "action_item", "Action item"
    POSTMORTEM = "postmortem", "Post-mortem"
    PLAYBOOK = "playbook", "Playbook"


class Audience(models.TextChoices):
    INTERNAL = "internal", "Internal"
    CUSTOMER = "customer", "Customer-facing"
    EXECUTIVE = "executive", "Executive"


class PostMortemState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class ActionItemKind(models.TextChoices):
    CORRECTIVE = "corrective", "Corrective"
    PREVENTIVE = "preventive", "Preventive"
    DETECTIVE = "detective", "Detective"


class ActionItemState(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


# An action item still to do (its clock runs, it is on "my action items").
ACTION_ITEM_OPEN_STATES = (ActionItemState.OPEN, ActionItemState.IN_PROGRESS)


# Stage timestamps in lifecycle order: each must not be earlier than the one before.
STAGE_TIMESTAMPS = [
    "declared_at", "triaged_at", "contained_at", "resolved_at", "postmortem_started_at",
    "closed_at",
]


# The name other apps extend the incident declaration by (core.registry.FormExtension).
DECLARE_FORM = "incidents.declare"
