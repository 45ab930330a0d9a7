"""May this person do this now, and if not, why? One function per action that is not
a state transition (transitions answer through ``core.transitions``).

Each returns ``None`` (go ahead) or a :class:`Refusal` with the words a person reads.
The same function decides twice: the incident page shows the button (or greys it out
with the reason beside it), and the service refuses with the same words — 403 when
the refusal is the person's role, 400 naming the field when it is the incident's
state. Permissions are the names declared in ``incidents/rules.py``.

The checks run on whatever row they are given; a service asks them again on the row
it has locked, so a page drawn a minute ago cannot let a change through.
"""

# One Refusal for every app (core/why_not.py); ``refuse`` is re-exported for the services.
from core.why_not import Refusal, forbidden, refuse  # noqa: F401

from ..choices import PostMortemState


def _may(user, perm, obj, message):
    if user is None or not user.has_perm(perm, obj):
        return forbidden(message)
    return None


# --- The incident ------------------------------------------------------------------------


def why_not_edit(user, incident) -> Refusal | None:
    """Edit the descriptive fields (title, summary, impact, priority, channels…)."""
    return _may(user, "incidents.work_incident", incident, "Your role cannot change incidents.")


def why_not_edit_talk_track(user, incident) -> Refusal | None:
    """Change the agents' talk track: not once the incident is over (nobody reads it)."""
    if refusal := why_not_edit(user, incident):
        return refusal
    if incident.is_finished:
        return Refusal("The incident is over; agents no longer read its talk track.",
                       "talk_track")
    return None


def why_not_change_severity(user, incident) -> Refusal | None:
    if refusal := why_not_edit(user, incident):
        return refusal
    if incident.is_finished:
        return Refusal("A closed or cancelled incident keeps its severity.", "severity")
    return None


def why_not_correct_timestamp(user, incident) -> Refusal | None:
    return _may(user, "incidents.work_incident", incident,
                "Your role cannot correct incidents.")


def why_not_assign_role(user, incident) -> Refusal | None:
    return _may(user, "incidents.work_incident", incident, "Your role cannot change incidents.")


def why_not_add_note(user, incident) -> Refusal | None:
    return _may(user, "incidents.work_incident", incident,
                "Your role cannot add notes to incidents.")


def why_not_pin(user, incident) -> Refusal | None:
    return _may(user, "incidents.work_incident", incident, "Your role cannot pin notes.")


def why_not_post_status_update(user, incident) -> Refusal | None:
    if refusal := _may(user, "incidents.work_incident", incident,
                       "Your role cannot post status updates."):
        return refusal
    if incident.is_finished:
        return Refusal("The incident is over; no more updates.", "incident")
    return None


# --- Post-mortem and action items ------------------------------------------------------


def why_not_draft_postmortem(user, incident) -> Refusal | None:
    """Start the post-mortem document (the draft)."""
    return _may(user, "incidents.write_postmortem", incident,
                "Your role cannot write post-mortems.")


def why_not_edit_postmortem(user, postmortem) -> Refusal | None:
    if refusal := _may(user, "incidents.write_postmortem", postmortem,
                       "Your role cannot edit post-mortems."):
        return refusal
    if postmortem.state != PostMortemState.DRAFT:
        return Refusal("Only a draft post-mortem can be edited; request changes to reopen it.",
                       "state")
    return None


def why_not_add_action_item(user, incident) -> Refusal | None:
    return _may(user, "incidents.add_action_item", incident,
                "Your role cannot add action items.")


def why_not_reschedule_action_item(user, item) -> Refusal | None:
    """Change an action item's owner, due date or title."""
    return _may(user, "incidents.reschedule_action_item", item,
                "Your role cannot change action items.")
