"""Reads for playbook pages: the runs of an incident or escalation with their steps and
clocks, and progress for whole list pages, each in a fixed number of queries."""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from core.choices import ClockState
from core.models import SlaClock

from .choices import StepState
from .models import PlaybookRun, StepRun, owned_by_many

FINISHED = (StepState.DONE, StepState.SKIPPED)


@dataclass
class Progress:
    total: int = 0
    finished: int = 0
    overdue: int = 0
    required_pending: int = 0
    runs: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100


@dataclass
class RunView:
    run: PlaybookRun
    steps: list = field(default_factory=list)
    progress: Progress = field(default_factory=Progress)


def _overdue_clocks(now):
    """Running step clocks past due (or breached), for an ``Exists`` on step runs."""
    return SlaClock.objects.filter(
        content_type=ContentType.objects.get_for_model(StepRun), object_id=OuterRef("pk"),
        state=ClockState.RUNNING,
    ).filter(Q(breached_at__isnull=False) | Q(due_at__lte=now))


def runs_for(obj, now=None) -> list[RunView]:
    """The playbook runs of an incident or escalation, their steps in order, each
    step's clock and whether it is overdue: four queries whatever the number."""
    now = now or timezone.now()
    runs = list(PlaybookRun.objects.of(obj)
                .select_related("playbook", "version", "attached_by", "rule")
                .order_by("attached_at", "pk"))
    if not runs:
        return []
    for run in runs:
        run.owner = obj  # known already: a run on the page never fetches it again
    steps = list(StepRun.objects.filter(run__in=runs)
                 .select_related("step", "done_by").order_by("run", "position", "pk"))
    clocks = {clock.object_id: clock for clock in SlaClock.objects.filter(
        content_type=ContentType.objects.get_for_model(StepRun),
        object_id__in=[step.pk for step in steps]).select_related("calendar")
        .order_by("object_id", "-cycle")}
    views = {run.pk: RunView(run=run) for run in runs}
    for step in steps:
        step.clock = clocks.get(step.pk)
        step.is_overdue = bool(
            step.state == StepState.PENDING and step.clock is not None
            and step.clock.state == ClockState.RUNNING
            and (step.clock.breached_at or (step.clock.due_at and step.clock.due_at <= now)))
        view = views[step.run_id]
        view.steps.append(step)
        view.progress.total += 1
        view.progress.finished += step.state in FINISHED
        view.progress.overdue += step.is_overdue
        view.progress.required_pending += step.state == StepState.PENDING and step.step.required
    return list(views.values())


def progress_by_owner(model, ids, now=None) -> dict[int, Progress]:
    """Playbook progress of many incidents or escalations at once (one query): steps
    finished / total and overdue, across all their runs."""
    ids = list(ids)
    if not ids:
        return {}
    now = now or timezone.now()
    owner = "run__object_id"
    rows = (StepRun.objects.filter(owned_by_many(model, ids, "run__"))
            .annotate(late=Exists(_overdue_clocks(now)))
            .values(owner)
            .annotate(total=Count("pk"),
                      finished=Count("pk", filter=Q(state__in=FINISHED)),
                      overdue=Count("pk", filter=Q(state=StepState.PENDING, late=True)),
                      runs=Count("run", distinct=True))
            .order_by())
    return {row[owner]: Progress(total=row["total"], finished=row["finished"],
                                 overdue=row["overdue"], runs=row["runs"]) for row in rows}
