"""The SLA clocks an escalation runs, registered with the core clock engine."""

from core.clocks import ClockKind, notify_owner_and_team, register_clock_kind

FIRST_RESPONSE_CLOCK = "escalations.first_response"
UPDATE_CLOCK = "escalations.update"
CONTAINMENT_CLOCK = "escalations.containment"
RESOLUTION_CLOCK = "escalations.resolution"

# Kind -> label, in the order they are shown.
KINDS = {
    FIRST_RESPONSE_CLOCK: "First response",
    UPDATE_CLOCK: "Next update",
    CONTAINMENT_CLOCK: "Containment",
    RESOLUTION_CLOCK: "Resolution",
}


def register():
    # Warnings and breaches notify the owner and the team (Escalation.sla_recipients).
    for key, label in KINDS.items():
        register_clock_kind(ClockKind(key=key, label=label, on_warning=(notify_owner_and_team,),
                                      on_breach=(notify_owner_and_team,)))
