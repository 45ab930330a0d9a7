"""Why an action other than a state transition may not be done now — asked once.

Every app's non-transition actions (edit, note, tier moves, compensation, status
updates…) have one ``why_not_<action>(user, obj, …)`` check next to their service. It
returns ``None`` when the action is allowed, else a :class:`Refusal` whose words are
shown on the page beside the greyed-out button *and* raised by the service, so the page
and the API never disagree. (FSM transitions get the same from ``core.transitions``.)
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError


@dataclass(frozen=True)
class Refusal:
    """Why not, in the words people read.

    ``forbidden``: the person's role may never do this (403; the page hides the
    control). Otherwise the action is not possible *now* (400; the page shows it
    disabled with the message), and ``field`` names what the refusal is about in the
    API's error body (``None``: a non-field error).
    """

    message: str
    field: str | None = None
    forbidden: bool = False

    def __str__(self):
        return self.message

    @property
    def is_permission(self) -> bool:
        return self.forbidden

    def exception(self) -> Exception:
        if self.forbidden:
            return PermissionDenied(self.message)
        if self.field:
            return ValidationError({self.field: self.message})
        return ValidationError(self.message)


def forbidden(message: str) -> Refusal:
    return Refusal(message, forbidden=True)


def refuse(refusal: Refusal | None) -> None:
    """Raise the refusal a why-not check returned (nothing when it returned ``None``)."""
    if refusal is not None:
        raise refusal.exception()
