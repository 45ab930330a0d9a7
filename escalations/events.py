"""The escalation events other systems may subscribe to (``core/events.py``).

An escalation's summary and its customer are personal data seen by some roles only
(``escalations/visibility.py``), so payloads carry the reference, tier, priority,
category and state — what a receiver needs to route it — and the link.
"""

from core.event_payloads import absolute_url, iso
from core.events import register_event_type

BREACHED = "escalation.breached"
TIER_CHANGED = "escalation.tier_changed"


def escalation_data(escalation) -> dict:
    return {"id": escalation.pk, "reference": escalation.reference, "tier": escalation.tier,
            "priority": escalation.priority, "category": escalation.category,
            "state": escalation.state, "url": absolute_url(escalation)}


def _breached(escalation, data):
    clock = data.get("clock", "")
    return {"escalation": escalation_data(escalation), "clock": clock,
            "breached_at": iso(data.get("at")),
            "summary": f"{escalation.reference}: {clock or 'SLA'} target breached"}


def _tier_changed(change, data):
    escalation = change.escalation
    return {"escalation": escalation_data(escalation),
            "tier_change": {"id": change.pk, "from_tier": change.from_tier,
                            "to_tier": change.to_tier, "direction": change.direction,
                            "automatic": change.automatic,
                            "requested_at": iso(change.requested_at)},
            "summary": f"{escalation.reference} moved {change.from_tier} → {change.to_tier}"}


def register():
    register_event_type(BREACHED, "An escalation's SLA clock breached its target.", _breached)
    register_event_type(TIER_CHANGED, "An escalation moved up or down a support tier.",
                        _tier_changed)
