"""Domain errors raised by services.

Services raise these; the API's exception handler (``core/api/exceptions.py``) and
the web views turn them into responses, so a rule is never re-checked in a view.
Each carries an HTTP status and a stable machine-readable ``code``.
"""


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message, *, errors=None):
        super().__init__(message)
        self.message = str(message)
        # field name -> list of messages; "non_field_errors" for the whole object.
        self.errors = errors or {}

    def extra(self):
        """Extra keys for the error body (beyond status, code, detail, errors)."""
        return {}


class RequirementMissing(DomainError):
    """A transition or action lacks something it needs; ``errors`` names the fields."""

    status = 400
    code = "requirement_missing"


class TransitionNotAllowed(DomainError):
    """The object's current state has no such transition (or the user may not run it)."""

    status = 409
    code = "transition_not_allowed"

    def __init__(self, *, transition, current_state, allowed):
        self.transition = transition
        self.current_state = current_state
        self.allowed = list(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "none"
        super().__init__(
            f"'{transition}' is not allowed from state '{current_state}'. "
            f"Allowed now: {allowed_text}."
        )

    def extra(self):
        return {
            "transition": self.transition,
            "current_state": self.current_state,
            "allowed_transitions": self.allowed,
        }


class ConcurrentChange(DomainError):
    """Someone else changed the object since it was read."""

    status = 409
    code = "concurrent_change"

    def __init__(self, message="The object was changed by someone else. Reload and try again."):
        super().__init__(message)


class LockedOut(DomainError):
    """Too many failed logins from this address for this username (django-axes)."""

    status = 429
    code = "locked_out"
