"""Why an action other than a transition may not be done now — asked once.

Each such action (edit, note, customer update, tier moves, acknowledging, offering and
approving compensation, extending the regulatory deadline, applying a policy version,
linking) has one ``why_not_<action>(user, escalation, …)`` next to its service. It
returns ``None`` when the action is allowed, else a :class:`Refusal` whose words are
shown on the page beside the greyed-out button *and* raised by the service, so the
page and the API can never disagree (an FSM transition has this from django-fsm:
``core.transitions``).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError


@dataclass(frozen=True)
class Refusal:
    """Why not: ``message`` in the words people read.

    ``forbidden``: the user's role may never do this (403; the page hides the
    button). Otherwise the action is not possible *now* (400; the page shows the
    button disabled with the message), and ``field`` names what the refusal is
    about in the API's error body (``None``: a non-field error).
    """

    message: str
    field: str | None = None
    forbidden: bool = False

    def __str__(self):
        return self.message

    def exception(self) -> Exception:
        if self.forbidden:
            return PermissionDenied(self.message)
        if self.field:
            return ValidationError({self.field: self.message})
        return ValidationError(self.message)


def forbidden(message) -> Refusal:
    return Refusal(message, forbidden=True)


def refuse(refusal: Refusal | None) -> None:
    """Raise the refusal, if any (services call this with their why-not check)."""
    if refusal is not None:
        raise refusal.exception()
