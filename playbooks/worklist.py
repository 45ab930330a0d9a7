"""What playbooks put on "My work": the steps with a deadline on the incidents and
escalations I work, in my role (``core.registry.WorkSource``)."""

from django.apps import apps
from django.db.models import Q

from core.choices import ClockState
from core.models import SlaClock
from core.registry import WorkEntry

from .choices import StepState
from .clock_kinds import STEP_CLOCK
from .models import StepRun, owned_by_many

# Who works an item, by the item's fields: an incident's roles, an escalation's owner.
WORKED_BY = {"incidents.incident": ("commander", "communications_lead", "scribe",
                                    "vendor_liaison"),
             "escalations.escalation": ("owner",)}


def _on_items_worked_by(user) -> Q:
    """Step runs whose run's owner ``user`` works: per kind, the owner's id among the
    items naming ``user`` in one of those fields (a subquery, no extra round trip)."""
    found = Q(pk__in=[])
    for label, fields in WORKED_BY.items():
        model = apps.get_model(label)
        named = Q()
        for name in fields:
            named |= Q(**{name: user})
        found |= owned_by_many(model, model._default_manager.filter(named).values("pk"),
                               "run__")
    return found


def my_steps(user, now) -> list[WorkEntry]:
    """Pending steps whose clock runs, on open items ``user`` works (an incident role,
    an escalation owned), for ``user``'s role or no role (three queries, and one per
    kind of item among the steps for their owners)."""
    roles = list(user.groups.values_list("name", flat=True))
    steps = list(
        StepRun.objects.filter(state=StepState.PENDING)
        .filter(_on_items_worked_by(user))
        .filter(Q(step__responsible_role="") | Q(step__responsible_role__in=roles))
        .select_related("step", "run").prefetch_related("run__owner"))
    due = {clock.object_id: clock.due_at for clock in SlaClock.objects.of_many(
        StepRun, [step.pk for step in steps]).filter(kind=STEP_CLOCK, state=ClockState.RUNNING)}
    return [WorkEntry(reference=step.run.owner.reference, title=step.step.title,
                      url=step.get_absolute_url(), due_at=due[step.pk], due_what="Step due",
                      state=step.run.owner.get_state_display())
            for step in steps if step.pk in due and not _finished(step.run.owner)]


def _finished(owner):
    from core.work_items import is_finished

    return is_finished(owner)
