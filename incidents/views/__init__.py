"""Incident pages: the list, the declare form, the incident page, "my action items".

Views parse, call a service, render. Who may do what and what a transition needs
live in ``incidents/models.py`` (transitions and guards), ``incidents/rules.py``
(permissions) and ``incidents/services/`` (``why_not`` for the actions that are not
transitions); a service's refusal is shown next to the field it names.

Every write on the incident page is a small form that works two ways:

* with htmx (``hx-post``), the answer is the page's main panel re-rendered, so the
  state, clocks, buttons and timeline move together without a reload; refusals
  come back with their real status (400, 403, 409) and are swapped in too (the
  page's ``htmx-config`` lets htmx swap those);
* without JavaScript, an ordinary POST that redirects back to the page, or renders
  the page with the refusal and the same status.

One module per page or panel: ``list``, ``declare``, ``page`` (the incident page and
its panels), ``actions`` (working the incident), ``postmortem``, ``action_items``.
"""

from .action_items import (
    action_item_create,
    action_item_transition,
    action_item_update,
    my_action_items,
)
from .actions import (
    incident_add_note,
    incident_assign_role,
    incident_change_severity,
    incident_correct_timestamp,
    incident_talk_track,
    incident_transition,
    status_update_post,
    timeline_pin,
)
from .declare import incident_declare
from .list import incident_list
from .page import _render_incident, incident_detail
from .postmortem import postmortem_edit, postmortem_transition

__all__ = [
    "_render_incident", "action_item_create", "action_item_transition", "action_item_update",
    "incident_add_note", "incident_assign_role", "incident_change_severity",
    "incident_correct_timestamp", "incident_declare",
    "incident_detail", "incident_list", "incident_talk_track", "incident_transition",
    "my_action_items", "postmortem_edit", "postmortem_transition", "status_update_post",
    "timeline_pin",
]
