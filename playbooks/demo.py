"""Demo: work the playbooks the demo incidents and escalations attached, as a team
would — each step a little before it is due, with the evidence it asks for — so the
demo shows runs in every stage: finished, half done, overdue.
"""

from datetime import timedelta

from django.core.files.base import ContentFile

from . import services
from .choices import Evidence, StepState
from .models import StepRun, owned_by

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


def _worker(step_run, by, obj, cache):
    """``by`` if they may do this step (its role), else someone in the step's role who
    works ``obj``, else a manager — as the team would hand it over."""
    from django.contrib.auth import get_user_model

    from core.choices import Role

    role = step_run.step.responsible_role or ""
    if role not in cache:
        people = get_user_model().objects.filter(is_active=True).order_by("pk")
        candidates = [by, *people.filter(groups__name=role), *people.filter(
            groups__name=Role.MANAGER)]
        cache[role] = next((person for person in candidates
                            if services.why_not_work_step(person, step_run) is None
                            and services.can_work_on(person, obj)), by)
    return cache[role]


def work_playbooks(obj, *, by, at, finish=False):
    """Complete the pending steps of ``obj``'s runs that a team would have done by
    ``at`` (70 % into their due offset). With ``finish``, every required step left is
    done at ``at`` and the optional ones left are skipped: the object can close."""
    pending = (StepRun.objects.filter(owned_by(obj, "run__"), state=StepState.PENDING)
               .select_related("step", "run__playbook").order_by("run__attached_at",
                                                                 "position"))
    workers = {}
    for step_run in pending:
        by_step = _worker(step_run, by, obj, workers)
        attached = step_run.run.attached_at
        done_at = attached + (step_run.step.due_offset or UNTIMED) * 0.7
        if done_at <= at:
            services.step_complete(step_run=step_run, by=by_step, at=max(done_at, attached),
                                   **_evidence(step_run))
        elif finish and step_run.step.required:
            services.step_complete(step_run=step_run, by=by_step, at=at,
                                   **_evidence(step_run))
        elif finish:
            services.step_skip(step_run=step_run, by=by_step, at=at,
                               reason="Not needed this time: covered by the steps above.")
