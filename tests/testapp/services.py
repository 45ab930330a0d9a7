"""Services shaped like the real apps' ones: lock, transition, audited save."""

from django.db import transaction

from core.transitions import lock, perform_transition

from .models import Ticket


@transaction.atomic
def ticket_transition(*, ticket_id, name, by, reason, **kwargs):
    ticket = lock(Ticket, ticket_id)
    perform_transition(ticket, name, by=by, reason=reason, **kwargs)
    return ticket


def ticket_resolve(*, ticket_id, by, resolution):
    """Resolve a ticket; the resolution is the change reason in its history."""
    # The field is set before the transition because guards run before its method.
    with transaction.atomic():
        ticket = lock(Ticket, ticket_id)
        ticket.resolution = resolution
        perform_transition(ticket, "resolve", by=by, reason=f"Resolved: {resolution[:80]}")
    return ticket
