"""Who may do what to an incident, declared once (``rules``; see core/predicates.py).

Transitions (``permission=``), services, API permissions, templates and the admin
all ask these names with ``user.has_perm(name, incident)``; nothing else in the app
asks for ``incidents.change_*`` or compares a commander by hand. What else an action
needs besides the permission (the incident not being over…) is in
``incidents/services/why_not.py``.
"""

import rules
from django.conf import settings

from core.predicates import has_model_perm


@rules.predicate
def is_commander(user, incident):
    return incident is not None and incident.commander_id is not None \
        and incident.commander_id == user.pk


@rules.predicate
def is_reviewer(user, postmortem):
    return postmortem is not None and postmortem.reviewer_id == user.pk


@rules.predicate
def is_author_under_four_eyes(user, postmortem):
    """The author, while SWITCHBOARD_POSTMORTEM_REVIEWER_NOT_AUTHOR asks for a second pair
    of eyes: they may not sign off their own post-mortem."""
    return (settings.SWITCHBOARD_POSTMORTEM_REVIEWER_NOT_AUTHOR and postmortem is not None
            and postmortem.author_id == user.pk)


@rules.predicate
def owns_action_item(user, item):
    return item is not None and item.owner_id == user.pk


works_incidents = has_model_perm("incidents.change_incident")
manages_incidents = has_model_perm("incidents.close_incident")

rules.add_perm("incidents.declare_incident", has_model_perm("incidents.add_incident"))
# Works the incident: transitions, notes, updates, roles, talk track.
rules.add_perm("incidents.work_incident", works_incidents)
# Closes or cancels: managers, or the incident's own commander.
rules.add_perm("incidents.close_or_cancel_incident", manages_incidents | is_commander)
rules.add_perm("incidents.write_postmortem", has_model_perm("incidents.change_postmortem"))
# Publishes or sends back a post-mortem: the chosen reviewer, or a manager — never its
# author while the reviewer ≠ author setting is on (the default).
rules.add_perm("incidents.sign_off_postmortem",
               (manages_incidents | is_reviewer) & ~is_author_under_four_eyes)
# Adds action items to an incident; changes their owner, due date or title.
rules.add_perm("incidents.add_action_item", has_model_perm("incidents.add_actionitem"))
rules.add_perm("incidents.reschedule_action_item", has_model_perm("incidents.change_actionitem"))
# Moves an action item: whoever works action items, or the item's own owner.
rules.add_perm("incidents.move_action_item",
               has_model_perm("incidents.change_actionitem") | owns_action_item)
