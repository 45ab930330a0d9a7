"""What incidents put on "My work": the open incidents I hold a role on, and my
action items (``core.registry.WorkSource``)."""

from django.db.models import Q

from core.registry import WorkEntry
from core.worklist import clock_due_what, soonest_clocks

from .models import ActionItem, Incident


def my_incidents(user, now) -> list[WorkEntry]:
    """Open incidents where ``user`` is commander, communications lead, scribe or vendor
    liaison, dated by their SLA clock due soonest (two queries)."""
    incidents = list(Incident.objects.open().filter(
        Q(commander=user) | Q(communications_lead=user) | Q(scribe=user)
        | Q(vendor_liaison=user)).select_related("severity"))
    clocks = soonest_clocks(Incident, [incident.pk for incident in incidents])
    entries = []
    for incident in incidents:
        clock = clocks.get(incident.pk)
        severity = incident.severity.key if incident.severity_id else "Unassessed"
        entries.append(WorkEntry(
            reference=incident.reference, title=incident.title,
            url=incident.get_absolute_url(), due_at=clock.due_at if clock else None,
            due_what=clock_due_what(clock), state=f"{severity} · {incident.get_state_display()}"))
    return entries


def my_action_items(user, now) -> list[WorkEntry]:
    """Open action items ``user`` owns, by due date (one query)."""
    return [WorkEntry(reference=item.incident.reference, title=item.title,
                      url=item.get_absolute_url(), due_at=item.due_date, due_what="Due",
                      state=item.get_state_display())
            for item in ActionItem.objects.open().filter(owner=user).select_related("incident")]
