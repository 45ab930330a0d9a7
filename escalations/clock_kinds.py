"""The SLA clocks an escalation runs, registered with the core clock engine.

Warnings and breaches drive the tier ladder: at each warning (50 % and 75 % of the
target) the owner and the team are notified; at the breach they are notified and the
escalation goes one tier up automatically. The sweep (``core/sweep.py``) runs these
actions inside each clock's savepoint, once per clock, so a breach escalates exactly
once however many sweepers run.
"""

import logging

from core.clocks import (
    ClockKind,
    batched,
    notify_owner_and_team,
    register_clock_kind,
    register_sla_owner,
)

logger = logging.getLogger(__name__)

FIRST_RESPONSE_CLOCK = "escalations.first_response"
UPDATE_CLOCK = "escalations.update"
CONTAINMENT_CLOCK = "escalations.containment"
RESOLUTION_CLOCK = "escalations.resolution"
# A regulator's final-response deadline (escalations/services/regulatory.py).
REGULATORY_CLOCK = "escalations.regulatory"

# Kind -> label, in the order they are shown.
KINDS = {
    FIRST_RESPONSE_CLOCK: "First response",
    UPDATE_CLOCK: "Next update",
    CONTAINMENT_CLOCK: "Containment",
    RESOLUTION_CLOCK: "Resolution",
    REGULATORY_CLOCK: "Regulatory final response",
}

# Warnings at half the target and at 75 % (where the owner must act).
WARN_THRESHOLDS = (50, 75)
# A regulatory deadline warns once more, with a tenth of the time left.
REGULATORY_WARN_THRESHOLDS = (50, 75, 90)


def _escalate_one_tier_many(pairs):
    from .clock_batch import escalate_one_tier_many

    escalate_one_tier_many(pairs)


@batched(_escalate_one_tier_many)
def escalate_one_tier(clock, event):
    """Breach action: move the escalation one tier up, as the system.

    At L4 (or when the escalation is no longer open) there is nowhere to go, and while
    the tier that received the previous escalation has not acknowledged it, another
    breach does not climb past them: the timeline says so and the sweep carries on.
    Any other error propagates, so the sweep rolls this clock back and retries it on
    the next run.
    """
    from django.core.exceptions import ValidationError

    from core.audit import system_user
    from core.events import emit

    from . import events, timeline_events
    from .choices import EscalationTimelineKind, Tier
    from .models import Escalation
    from .selectors import pending_tier_change
    from .services import escalation_escalate_tier, escalation_timeline_add

    escalation = clock.owner
    if not isinstance(escalation, Escalation):
        return
    label = KINDS.get(clock.kind, clock.kind)
    actor = system_user()
    # Inside the sweep's savepoint for this clock: told once per breach.
    emit(events.BREACHED, escalation, by=actor, data={"clock": label, "at": event.at},
         at=event.at)
    if not escalation.is_open:
        logger.info("%s breached on %s, which is %s: no tier change", label, escalation,
                    escalation.state)
        return
    if escalation.tier == Tier.L4:
        logger.warning("%s breached on %s, already at L4: not escalated", label, escalation)
        escalation_timeline_add(
            escalation, EscalationTimelineKind.NOTE, event=timeline_events.BREACH_AT_TOP,
            params={"clock": clock.kind}, by=actor, at=event.at)
        return
    pending = pending_tier_change(escalation)
    if pending is not None:
        # The tier that received the last escalation has not taken it yet: climbing
        # again would skip them. Their reminders (and, unanswered, the tier above)
        # already run; say so instead of jumping to the top on a burst of breaches.
        escalation_timeline_add(
            escalation, EscalationTimelineKind.NOTE, event=timeline_events.BREACH_WAITING,
            params={"clock": clock.kind, "to_tier": pending.to_tier}, by=actor, at=event.at)
        return
    try:
        escalation_escalate_tier(escalation=escalation, by=actor, reason=f"{label} breached",
                                 automatic=True, at=event.at)
    except ValidationError as exc:
        # A race (escalated to L4 or closed meanwhile): note it, never fail the sweep.
        logger.warning("Automatic tier escalation of %s refused: %s", escalation, exc)
        escalation_timeline_add(
            escalation, EscalationTimelineKind.NOTE, event=timeline_events.BREACH_REFUSED,
            params={"clock": clock.kind, "messages": list(exc.messages)}, by=actor,
            at=event.at)


def register():
    from . import clock_batch
    from .models import Escalation

    # The sweep's burst path: many clocks' recipients and timeline entries at once.
    register_sla_owner(Escalation, recipients=clock_batch.recipients_many,
                       clock_events=clock_batch.clock_events_many)
    # Warnings notify the owner and the team (Escalation.sla_recipients); a breach
    # notifies them and escalates one tier.
    for key, label in KINDS.items():
        thresholds = REGULATORY_WARN_THRESHOLDS if key == REGULATORY_CLOCK else WARN_THRESHOLDS
        register_clock_kind(ClockKind(key=key, label=label, warn_thresholds=thresholds,
                                      on_warning=(notify_owner_and_team,),
                                      on_breach=(notify_owner_and_team, escalate_one_tier),
                                      cadence=key == UPDATE_CLOCK))
