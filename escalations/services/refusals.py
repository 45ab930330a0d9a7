"""Why an action other than a transition may not be done now — asked once.

Each such action (edit, note, customer update, tier moves, acknowledging, offering and
approving compensation, extending the regulatory deadline, applying a policy version,
linking) has one ``why_not_<action>(user, escalation, …)`` next to its service. It
returns ``None`` when the action is allowed, else a :class:`Refusal` whose words are
shown on the page beside the greyed-out button *and* raised by the service, so the
page and the API can never disagree (an FSM transition has this from django-fsm:
``core.transitions``).
"""

# The Refusal every app shares (core/why_not.py), re-exported for the services here.
from core.why_not import Refusal, forbidden, refuse

__all__ = ["Refusal", "forbidden", "refuse"]
