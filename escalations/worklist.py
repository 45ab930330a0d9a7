"""What escalations put on "My work": the open escalations I own, and the tier
changes waiting for me to acknowledge (``core.registry.WorkSource``)."""

from core.registry import WorkEntry
from core.worklist import clock_due_what, soonest_clocks

from .choices import FINISHED_STATES, OPEN_STATES
from .models import Escalation, TierChange


def my_escalations(user, now) -> list[WorkEntry]:
    """Open escalations ``user`` owns, dated by the SLA clock due soonest (two queries)."""
    escalations = list(Escalation.objects.filter(owner=user, state__in=OPEN_STATES))
    clocks = soonest_clocks(Escalation, [escalation.pk for escalation in escalations])
    entries = []
    for escalation in escalations:
        clock = clocks.get(escalation.pk)
        entries.append(WorkEntry(
            reference=escalation.reference, title=escalation.summary,
            url=escalation.get_absolute_url(), due_at=clock.due_at if clock else None,
            due_what=clock_due_what(clock),
            state=f"{escalation.priority} · {escalation.get_state_display()}"))
    return entries


def my_tier_acknowledgements(user, now) -> list[WorkEntry]:
    """Tier changes nobody acknowledged yet that ``user`` may acknowledge, dated by the
    next reminder (a couple of queries)."""
    from .services.tiers import can_acknowledge_tier

    changes = list(TierChange.objects.filter(acknowledged_at__isnull=True,
                                             next_notify_at__isnull=False)
                   .exclude(escalation__state__in=FINISHED_STATES)
                   .select_related("escalation").order_by("next_notify_at"))
    allowed = {tier: can_acknowledge_tier(user, tier) for tier in {c.to_tier for c in changes}}
    return [WorkEntry(reference=change.escalation.reference,
                      title=f"Acknowledge {change.to_tier}: {change.escalation.summary}",
                      url=change.escalation.get_absolute_url(), due_at=change.next_notify_at,
                      due_what="Next reminder", state=f"Escalated to {change.to_tier}")
            for change in changes if allowed[change.to_tier]]
