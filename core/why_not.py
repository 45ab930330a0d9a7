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


def require_perm(user, perm: str, obj=None, message: str = "Your role does not allow this."
                 ) -> None:
    """Raise ``PermissionDenied`` (403) with ``message`` unless ``user`` holds ``perm``
    (on ``obj`` when given: a ``rules`` object permission). The one role check the
    services of apps without a why-not function make before anything else."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(message)


def refuse(refusal: Refusal | None) -> None:
    """Raise the refusal a why-not check returned (nothing when it returned ``None``)."""
    if refusal is not None:
        raise refusal.exception()


def why_not_transition(user, instance, name, *, fills=(), field_name=None,
                       guards=True) -> Refusal | None:
    """May ``user`` run the state transition ``name`` on ``instance`` now, and if not,
    why — asked the same way for every model's ``@transition``.

    ``fills`` names the fields the transition's own form asks for (a containment
    summary, a reason): a guard on one of those is not a reason to grey the button,
    pressing it asks for the field. Any other unmet guard (a post-mortem not published,
    a required playbook step) is: the page shows the button greyed with the guard's
    words and the admin refuses before asking for input. ``core.transitions`` raises
    the same words when the request is made anyway. ``guards=False`` asks only about
    the state and the permission (an action form that fills every requirement).
    """
    from .transitions import state_field, transitions_from_state, unmet_requirements

    current = state_field(instance, field_name).get_state(instance)
    found = [t for t in transitions_from_state(instance, field_name=field_name)
             if t.name == name]
    if not found:
        label = dict(state_field(instance, field_name).choices).get(current, current)
        return Refusal(f"Not possible while the {instance._meta.verbose_name} is "
                       f"{str(label).lower()}.", "state")
    transition = found[0]
    if user is not None and not transition.has_perm(instance, user):
        return forbidden(f"Your role may not do this to a {instance._meta.verbose_name}.")
    if not guards:
        return None
    errors = {field: messages for field, messages
              in unmet_requirements(instance, transition).items() if field not in fills}
    if errors:
        field = sorted(errors)[0] if len(errors) == 1 else None
        return Refusal(" ".join(m for messages in errors.values() for m in messages),
                       None if field == "non_field_errors" else field)
    return None
