"""What playbooks put on "My work": the steps with a deadline on the incidents and
escalations I work, in my role (``core.registry.WorkSource``)."""

from django.db.models import Q

from core.choices import ClockState
from core.models import SlaClock
from core.registry import WorkEntry

from .choices import StepState
from .clock_kinds import STEP_CLOCK
from .models import StepRun


def my_steps(user, now) -> list[WorkEntry]:
    """Pending steps whose clock runs, on open items ``user`` works (an incident role,
    an escalation owned), for ``user``'s role or no role (three queries)."""
    roles = list(user.groups.values_list("name", flat=True))
    steps = list(
        StepRun.objects.filter(state=StepState.PENDING)
        .filter(Q(run__incident__commander=user) | Q(run__incident__communications_lead=user)
                | Q(run__incident__scribe=user) | Q(run__incident__vendor_liaison=user)
                | Q(run__escalation__owner=user))
        .filter(Q(step__responsible_role="") | Q(step__responsible_role__in=roles))
        .select_related("step", "run__incident", "run__escalation"))
    due = {clock.object_id: clock.due_at for clock in SlaClock.objects.of_many(
        StepRun, [step.pk for step in steps]).filter(kind=STEP_CLOCK, state=ClockState.RUNNING)}
    return [WorkEntry(reference=step.run.owner.reference, title=step.step.title,
                      url=step.get_absolute_url(), due_at=due[step.pk], due_what="Step due",
                      state=step.run.owner.get_state_display())
            for step in steps if step.pk in due and not _finished(step.run.owner)]


def _finished(owner):
    from core.work_items import is_finished

    return is_finished(owner)
