"""The SLA clock a playbook step with a due offset runs (``core/clocks.py``)."""

from core.clocks import ClockKind, notify_owner_and_team, register_clock_kind

STEP_CLOCK = "playbooks.step"


def register():
    # The step's recipients are the people in its role on the incident or escalation
    # (StepRun.sla_recipients); the owner's timeline records the warning and breach.
    register_clock_kind(ClockKind(key=STEP_CLOCK, label="Playbook step",
                                  warn_thresholds=(75,),
                                  on_warning=(notify_owner_and_team,),
                                  on_breach=(notify_owner_and_team,)))
