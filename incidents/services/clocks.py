"""Which SLA clocks an incident runs, and starting and stopping them with its stages."""



from core.choices import ClockState
from core.clocks import (
    clock_start,
    clock_stop,
    clocks_of,
)

from ..clock_kinds import (
    CONTAINMENT_CLOCK,
    POSTMORTEM_CLOCK,
    RESOLUTION_CLOCK,
    TRIAGE_CLOCK,
    UPDATE_CLOCK,
)

# Which severity target each response clock uses.
RESPONSE_CLOCKS = {
    TRIAGE_CLOCK: "triage_target",
    CONTAINMENT_CLOCK: "containment_target",
    UPDATE_CLOCK: "update_cadence",
    RESOLUTION_CLOCK: "resolution_target",
}
# The clocks a transition stops (met or missed).
STOPS = {
    "triage": [TRIAGE_CLOCK],
    "contain": [CONTAINMENT_CLOCK],
    "resolve": [TRIAGE_CLOCK, CONTAINMENT_CLOCK, RESOLUTION_CLOCK, UPDATE_CLOCK],
    "cancel": [TRIAGE_CLOCK, CONTAINMENT_CLOCK, RESOLUTION_CLOCK, UPDATE_CLOCK],
    "close": [POSTMORTEM_CLOCK],
}


def running_clocks(incident, kinds=None):
    clocks = [c for c in clocks_of(incident) if c.state != ClockState.STOPPED]
    return [c for c in clocks if kinds is None or c.kind in kinds]


def start_response_clocks(incident, *, by, at, kinds=None):
    severity = incident.severity
    for kind, target_field in RESPONSE_CLOCKS.items():
        target = getattr(severity, target_field)
        if target and (kinds is None or kind in kinds):
            clock_start(owner=incident, kind=kind, target=target, by=by, at=at,
                        calendar=severity.calendar)


def stop_clocks(incident, kinds, *, by, at):
    for clock in running_clocks(incident, kinds):
        clock_stop(clock=clock, by=by, at=at)
