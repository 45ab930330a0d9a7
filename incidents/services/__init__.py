"""Incident use cases. Web views, API actions, admin actions and tasks all call these.

Each service runs in a transaction with the incident row locked, checks permission
and guards through ``core.transitions.perform_transition`` (transitions) or the
action's "why not" check in ``why_not.py`` (everything else), saves with an audited
reason, writes the timeline, moves the SLA clocks, and schedules notifications
after commit.

One module per concern; ``from incidents.services import x`` keeps working for all:

* ``lifecycle`` — declaring, the state transitions, severity changes;
* ``details`` — descriptive fields and corrected stage times;
* ``roles``, ``status_updates``, ``timeline`` (notes and pins);
* ``postmortem``, ``action_items``;
* ``clocks`` — which SLA clocks an incident runs;
* ``why_not`` — may this person do this non-transition action now, and if not, why.
"""

from .action_items import action_item_create, action_item_transition, action_item_update
from .clocks import RESPONSE_CLOCKS, STOPS
from .details import EDITABLE_FIELDS, incident_correct_timestamp, incident_edit
from .lifecycle import (
    PAGING_SEVERITY_RANK,
    incident_cancel,
    incident_change_severity,
    incident_close,
    incident_contain,
    incident_declare,
    incident_reopen,
    incident_resolve,
    incident_start_postmortem,
    incident_triage,
)
from .postmortem import (
    POSTMORTEM_FIELDS,
    postmortem_edit,
    postmortem_get_or_create,
    postmortem_timeline,
    postmortem_transition,
)
from .roles import incident_assign_role
from .status_updates import status_update_post
from .timeline import incident_add_note, timeline_add, timeline_pin

__all__ = [
    "EDITABLE_FIELDS", "PAGING_SEVERITY_RANK", "POSTMORTEM_FIELDS", "RESPONSE_CLOCKS", "STOPS",
    "action_item_create", "action_item_transition", "action_item_update",
    "incident_add_note", "incident_assign_role", "incident_cancel", "incident_change_severity",
    "incident_close", "incident_contain", "incident_correct_timestamp", "incident_declare",
    "incident_edit", "incident_reopen", "incident_resolve", "incident_start_postmortem",
    "incident_triage", "postmortem_edit", "postmortem_get_or_create", "postmortem_timeline",
    "postmortem_transition", "status_update_post", "timeline_add", "timeline_pin",
]
