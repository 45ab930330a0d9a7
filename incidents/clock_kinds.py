"""The SLA clocks an incident runs, registered with the core clock engine."""

from core.clocks import ClockKind, notify_owner_and_team, register_clock_kind

TRIAGE_CLOCK = "incidents.triage"
CONTAINMENT_CLOCK = "incidents.containment"
UPDATE_CLOCK = "incidents.update"
RESOLUTION_CLOCK = "incidents.resolution"
POSTMORTEM_CLOCK = "incidents.postmortem"
ACTION_ITEM_CLOCK = "incidents.action_item"


def register():
    # Warnings and breaches notify the commander and managers (Incident.sla_recipients);
    # an action item's clock notifies its owner (ActionItem.sla_recipients).
    for key, label in [
        (TRIAGE_CLOCK, "Triage"),
        (CONTAINMENT_CLOCK, "Containment"),
        (UPDATE_CLOCK, "Next update"),
        (RESOLUTION_CLOCK, "Resolution"),
        (POSTMORTEM_CLOCK, "Post-mortem due"),
        (ACTION_ITEM_CLOCK, "Action item due"),
    ]:
        register_clock_kind(ClockKind(key=key, label=label, on_warning=(notify_owner_and_team,),
                                      on_breach=(notify_owner_and_team,),
                                      cadence=key == UPDATE_CLOCK))
