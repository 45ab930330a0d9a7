"""Demo: work the playbooks the demo incidents and escalations attached, as a team
would — each step a little before it is due, with the evidence it asks for — so the
demo shows runs in every stage: finished, half done, overdue.
"""

from datetime import timedelta

from django.core.files.base import ContentFile

from . import services
from .choices import Evidence, StepState
from .models import StepRun

# A step without a due time is done this long after the playbook attached.
UNTIMED = timedelta(minutes=45)


def _evidence(step_run):
    owner = step_run.run.owner
    kind = step_run.step.evidence
    if kind == Evidence.LINK:
        return {"link": f"https://tickets.example.com/{owner.reference}/{step_run.position}"}
    if kind == Evidence.FILE:
        text = f"{owner.reference}: {step_run.step.title}\nCaptured by the demo.\n"
        return {"file": ContentFile(text.encode(), name=f"{owner.reference}-step-"
                                                          f"{step_run.position}.txt")}
    if kind == Evidence.NOTE:
        return {"note": "Done; details on the bridge notes and the timeline."}
    return {}


def work_playbooks(obj, *, by, at, finish=False):
    """Complete the pending steps of ``obj``'s runs that a team would have done by
    ``at`` (70 % into their due offset). With ``finish``, every required step left is
    done at ``at`` and the optional ones left are skipped: the object can close."""
    pending = (StepRun.objects.filter(**{f"run__{services._owner_field(obj)}": obj},
                                      state=StepState.PENDING)
               .select_related("step", "run__playbook").order_by("run__attached_at",
                                                                 "position"))
    for step_run in pending:
        attached = step_run.run.attached_at
        done_at = attached + (step_run.step.due_offset or UNTIMED) * 0.7
        if done_at <= at:
            services.step_complete(step_run=step_run, by=by, at=max(done_at, attached),
                                   **_evidence(step_run))
        elif finish and step_run.step.required:
            services.step_complete(step_run=step_run, by=by, at=at, **_evidence(step_run))
        elif finish:
            services.step_skip(step_run=step_run, by=by, at=at,
                               reason="Not needed this time: covered by the steps above.")
