"""SLA clocks: one row per promise being timed, attached to any object.

A clock counts *business* time on its calendar. While running it has
``running_since`` (start of the current running stretch) and ``consumed``
(business time used before that stretch); pausing folds the stretch into
``consumed``. ``due_at`` is derived from those whenever they change, and
``next_action_at`` is the one indexed column the sweep reads: the earliest
instant at which something must happen (a warning, the breach, or the end of a
capped pause), NULL when nothing is pending. So the sweep's cost follows what
is due, not how many clocks are running (measured in bench/bench_sla_sweep.py).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django_fsm import FSMModelMixin, transition

from core.choices import ClockEventKind, ClockOutcome, ClockState, PauseCapUnit

from ..audit import History
from ..fields import FreeCharField, StateField
from .calendars import BusinessCalendar

ACTIVE_CLOCK_STATES = (ClockState.RUNNING, ClockState.PAUSED)


class SlaClockQuerySet(models.QuerySet):
    """The clock reads every app needs, written once."""

    def of(self, owner):
        """Every clock of one object, every cycle."""
        return self.filter(content_type=ContentType.objects.get_for_model(owner),
                           object_id=owner.pk)

    def of_many(self, model, ids):
        return self.filter(content_type=ContentType.objects.get_for_model(model),
                           object_id__in=list(ids))

    def active(self):
        """Running or paused: a promise still being timed."""
        return self.filter(state__in=ACTIVE_CLOCK_STATES)

    def overdue(self, now):
        """Active clocks whose deadline has passed (breach recorded or not yet swept)."""
        return self.active().filter(Q(breached_at__isnull=False) | Q(due_at__lte=now))

    def for_summaries(self):
        """Only the columns a clock summary shows (``ClockSummarySerializer``: kind,
        cycle, state, start, due, breach, and the outcome and warnings its status
        reads): a 200-row API page reads ~400 clocks, and loading the rest — the
        stretches log, targets and pause bookkeeping — cost more than showing them."""
        return self.only("content_type_id", "object_id", "kind", "cycle", "state", "outcome",
                         "started_at", "due_at", "breached_at", "warnings_fired")

    def for_badges(self):
        """With what a badge needs to compute remaining business time: the calendar,
        its hours and holidays (three more queries, whatever the number of clocks).

        Prefetched, not joined: a join built one calendar object per clock, and each
        then got its own prefetched hours and holidays (two querysets cloned per
        clock, ~0.2 ms); prefetched, the page's few calendars are shared by its clocks.
        """
        return self.prefetch_related("calendar", "calendar__working_hours",
                                     "calendar__holidays")


def default_warn_thresholds():
    return [50, 75]


class ClockOwner(GenericForeignKey):
    """The object a clock runs for. Django checks a cached owner again on every read
    (its content type looked up through a fresh manager copy); the sweep reads each
    clock's owner a dozen times per firing (recipients, message, timeline, actions),
    which was a tenth of a burst's Python time. A read repeats that check only when
    something it depends on changed: the clock's two columns or the cached object."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        cached = self.get_cached_value(instance, default=None)
        checked = instance.__dict__.get("_owner_checked")
        if cached is not None and checked is not None and checked == self._key(instance,
                                                                                cached):
            return cached
        owner = super().__get__(instance, cls)
        instance.__dict__["_owner_checked"] = (self._key(instance, owner)
                                               if owner is not None else None)
        return owner

    def _key(self, instance, owner):
        return (instance.content_type_id, getattr(instance, self.fk_field), type(owner),
                id(owner), owner.pk)


class SlaClock(FSMModelMixin, models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    owner = ClockOwner("content_type", "object_id")

    kind = models.CharField(max_length=64, help_text="Registered by the app that uses it.")
    cycle = models.PositiveSmallIntegerField(default=1)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")
    target = models.DurationField(help_text="Business time allowed.")

    state = StateField(default=ClockState.RUNNING, choices=ClockState.choices, protected=True)
    outcome = models.CharField(max_length=8, choices=ClockOutcome.choices, blank=True)

    started_at = models.DateTimeField()
    running_since = models.DateTimeField(null=True, blank=True)
    consumed = models.DurationField(
        default=timedelta(0), help_text="Business time used before running_since."
    )
    # Where each running stretch began: ``[start (ISO), business microseconds used
    # before it, calendar id]``. A threshold that a lowered target (or a late sweep)
    # puts behind ``running_since`` is dated in the stretch where it was crossed.
    stretches = models.JSONField(default=list, blank=True, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = FreeCharField(max_length=200, blank=True)
    paused_total = models.DurationField(
        default=timedelta(0), help_text="Wall-clock time spent paused."
    )
    pause_cap = models.DurationField(
        null=True, blank=True, help_text="A pause longer than this resumes by itself."
    )
    pause_cap_unit = models.CharField(max_length=8, choices=PauseCapUnit.choices,
                                      default=PauseCapUnit.BUSINESS)
    resume_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    due_at = models.DateTimeField(null=True, blank=True)
    warn_thresholds = models.JSONField(default=default_warn_thresholds)
    warnings_fired = models.JSONField(default=list, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    next_action_at = models.DateTimeField(null=True, blank=True)

    history = History()
    objects = SlaClockQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "cycle"], name="one_clock_per_cycle"
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="clock_owner_idx"),
            # The sweep's only read: rows with pending work, in due order (stopped
            # clocks and capless pauses leave the index). Ordered by id too, so the
            # sweep pages through it with a cursor.
            models.Index(
                fields=["next_action_at", "id"], name="clock_next_action_idx",
                condition=Q(next_action_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.cycle} on {self.content_type.model} {self.object_id}"

    # Transitions change fields only; core.clocks.services computes the times.
    @transition(field=state, source=ClockState.RUNNING, target=ClockState.PAUSED)
    def pause(self):
        pass

    @transition(field=state, source=ClockState.PAUSED, target=ClockState.RUNNING)
    def resume(self):
        pass

    @transition(field=state, source=[ClockState.RUNNING, ClockState.PAUSED],
                target=ClockState.STOPPED)
    def stop(self):
        pass


class SlaClockEvent(models.Model):
    """What happened to a clock, in order. Warnings and breaches are unique per
    clock and threshold: the database itself refuses a second firing."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=ClockEventKind.choices)
    threshold = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Percent of the target, for warnings."
    )
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    detail = FreeCharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "kind", "threshold"], name="fire_warning_once",
                condition=Q(kind=ClockEventKind.WARNING),
            ),
            models.UniqueConstraint(
                fields=["clock", "kind"], name="fire_breach_once",
                condition=Q(kind=ClockEventKind.BREACHED),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
