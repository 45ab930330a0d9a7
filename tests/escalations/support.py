"""Helpers the escalation tests share (fixtures are in conftest.py)."""

from datetime import UTC, datetime, timedelta

from core.clocks import clocks_of
from escalations.models import Escalation

CARD = "4111 1111 1111 1111"
# Monday 2 March 2026, 09:00 UTC (London is on UTC until the clocks change).
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(hours=0, minutes=0, days=0):
    return MONDAY_9 + timedelta(days=days, hours=hours, minutes=minutes)


def clock_map(escalation, states=None):
    """The escalation's clocks by kind (the latest cycle of each)."""
    found = {}
    for clock in clocks_of(escalation):  # newest cycle first within a kind
        if states is None or clock.state in states:
            found.setdefault(clock.kind, clock)
    return found


def reload(escalation):
    return Escalation.objects.get(pk=escalation.pk)
