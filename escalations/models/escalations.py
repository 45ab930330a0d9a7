"""Customer escalations: the escalation itself (its lifecycle, declared once here) and its
timeline. Customers, policies, the tier ladder and links live beside it in this package.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django_fsm import RETURN_VALUE, FSMModelMixin, transition

from core.audit import History
from core.choices import Role
from core.fields import FreeCharField, FreeTextField, StateField
from core.hooks import close_blockers
from core.models import Team
from core.predicates import perm_checker
from core.timeline import TimelineEntry, event_field, params_field
from core.transitions import guard
from core.validation import validate_plausible_date

from ..choices import (
    FINISHED_STATES,
    OPEN_STATES,
    EscalationCategory,
    EscalationPriority,
    EscalationState,
    EscalationTimelineKind,
    Tier,
)
from ..querysets import EscalationQuerySet
from .customers import Customer
from .policies import EscalationSlaPolicy, RegulatoryRegime

# --- Escalations -----------------------------------------------------------------

E = EscalationState
USER = settings.AUTH_USER_MODEL


@guard("priority", "Set a priority before triage.")
def has_priority(escalation):
    return bool(escalation.priority)


@guard("owner", "Assign an owner before triage.")
def has_owner(escalation):
    return escalation.owner_id is not None


@guard("category", "Choose a category before triage.")
def has_category(escalation):
    return bool(escalation.category)


@guard("containment_note", "Say how the customer was contacted and what interim remedy "
                           "was offered.")
def has_containment_note(escalation):
    return bool(escalation.containment_note.strip())


@guard("resolution", "Record the resolution agreed with the customer.")
def has_resolution(escalation):
    return bool(escalation.resolution.strip())


@guard("root_cause_review", "Write the root-cause review before closing.")
def has_root_cause_review(escalation):
    return bool(escalation.root_cause_review.strip())


@guard("withdraw_reason", "Say why the customer withdrew the escalation.")
def has_withdraw_reason(escalation):
    return bool(escalation.withdraw_reason.strip())


# Who may run each transition: declared once in escalations/rules.py.
can_work = perm_checker("escalations.work_escalation")


def _blockers_message(obj):
    return "Finish first: " + "; ".join(close_blockers(obj)) + "."


@guard("playbook", _blockers_message)
def nothing_blocks_closing(obj):
    """Other apps' requirements (required playbook steps), via core.hooks."""
    return not close_blockers(obj)


class Escalation(FSMModelMixin, models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="escalations")
    channel = models.ForeignKey("incidents.Channel", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="escalations")
    category = models.CharField(max_length=20, choices=EscalationCategory.choices, blank=True)
    priority = models.CharField(max_length=2, choices=EscalationPriority.choices, blank=True)
    summary = FreeCharField(max_length=200)
    description = FreeTextField(blank=True, help_text="Card numbers are masked on input.")
    requested_outcome = FreeTextField(blank=True)
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="escalations_owned")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="escalations")
    tier = models.CharField(max_length=2, choices=Tier.choices, default=Tier.L1)
    state = StateField(default=E.NEW, choices=E.choices, protected=True)
    previous_state = models.CharField(
        max_length=20, choices=E.choices, blank=True,
        help_text="Where an escalation awaiting the customer returns when they reply.",
    )
    containment_note = FreeTextField(blank=True)
    resolution = FreeTextField(blank=True)
    root_cause_review = FreeTextField(blank=True)
    withdraw_reason = FreeTextField(blank=True)
    policy = models.ForeignKey(
        EscalationSlaPolicy, on_delete=models.PROTECT, null=True, blank=True,
        related_name="escalations", help_text="The SLA policy whose targets the clocks hold.",
    )
    policy_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The version of the policy the clocks were set from.")
    regulatory_regime = models.ForeignKey(
        RegulatoryRegime, on_delete=models.PROTECT, null=True, blank=True,
        related_name="escalations",
        help_text="The regulator's rule this complaint falls under, if any.")
    regulatory_extended_at = models.DateTimeField(null=True, blank=True)
    regulatory_extension_reason = FreeTextField(blank=True)

    # Compensation: offered by whoever works the escalation, approved within the
    # approver's role limit (CompensationApprovalLimit).
    compensation_offered = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))])
    compensation_note = FreeTextField(
        blank=True, help_text="What is offered, e.g. refund of the March charges.")
    compensation_offered_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True,
                                                blank=True, related_name="+")
    compensation_offered_at = models.DateTimeField(null=True, blank=True)
    compensation_approved = models.DecimalField(max_digits=12, decimal_places=2, null=True,
                                                blank=True)
    compensation_approved_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True,
                                                 blank=True, related_name="+")
    compensation_approved_at = models.DateTimeField(null=True, blank=True)

    incidents = models.ManyToManyField(
        "incidents.Incident", through="EscalationIncidentLink", blank=True,
        related_name="escalations")

    sla_due_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the earliest running SLA clock is due (kept by the clocks).")

    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # When the customer complained: now, or the "received" date typed when opening.
    created_at = models.DateTimeField(validators=[validate_plausible_date])
    triaged_at = models.DateTimeField(null=True, blank=True)
    contained_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)

    # sla_due_at is derived from the clocks, which keep their own history.
    history = History(excluded_fields=["sla_due_at"])
    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "-created_at"], name="escalation_state_idx"),
            models.Index(fields=["owner", "state"], name="escalation_owner_idx"),
            # The queue and ?ordering=next_due: SLA order, read a page at a time (rows
            # without a running clock have NULL and sort last).
            models.Index(fields=["sla_due_at", "id"], name="escalation_queue_idx"),
            # The API's default order, newest first.
            models.Index(fields=["-created_at", "-id"], name="escalation_created_idx"),
            # The burst detector reads recent escalations by category and channel.
            models.Index(fields=["category", "channel", "created_at"],
                         name="escalation_burst_idx"),
        ]
        permissions = [
            ("approve_compensation",
             "Can approve compensation up to the role's approval limit"),
        ]

    def __str__(self):
        return f"{self.reference} {self.summary}"

    def get_absolute_url(self):
        return reverse("escalations:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        """The desk still owes the customer something (``choices.OPEN_STATES``)."""
        return self.state in OPEN_STATES

    @property
    def is_finished(self) -> bool:
        """Closed or withdrawn (``choices.FINISHED_STATES``)."""
        return self.state in FINISHED_STATES

    # --- Transitions (fields only; escalations/services.py does the rest) ---

    @transition(field=state, source=E.NEW, target=E.TRIAGED,
                conditions=[has_priority, has_owner, has_category], permission=can_work)
    def triage(self, *, at):
        self.triaged_at = at

    @transition(field=state, source=E.TRIAGED, target=E.CONTAINED,
                conditions=[has_containment_note], permission=can_work)
    def contain(self, *, at):
        self.contained_at = at

    @transition(field=state, source=[E.TRIAGED, E.CONTAINED], target=E.AWAITING_CUSTOMER,
                permission=can_work)
    def await_customer(self):
        self.previous_state = self.state

    @transition(field=state, source=E.AWAITING_CUSTOMER,
                target=RETURN_VALUE(E.TRIAGED, E.CONTAINED), permission=can_work)
    def customer_replied(self):
        back = self.previous_state or E.TRIAGED
        self.previous_state = ""
        return back

    @transition(field=state, source=[E.TRIAGED, E.CONTAINED], target=E.RESOLVED,
                conditions=[has_resolution], permission=can_work)
    def resolve(self, *, at):
        self.resolved_at = at
        if self.contained_at is None:
            self.contained_at = at  # resolving also ends the customer's pain

    @transition(field=state, source=E.RESOLVED, target=E.REVIEW, permission=can_work)
    def start_review(self):
        pass

    @transition(field=state, source=E.REVIEW, target=E.CLOSED,
                conditions=[has_root_cause_review, nothing_blocks_closing], permission=can_work)
    def close(self, *, at):
        self.closed_at = at

    @transition(field=state, source=[E.RESOLVED, E.CLOSED], target=E.TRIAGED,
                permission=can_work)
    def reopen(self, *, at):
        # Earlier stage times stay in history; the new cycle starts again.
        self.reopened_at = at
        self.contained_at = None
        self.resolved_at = None
        self.closed_at = None

    @transition(field=state, source=list(OPEN_STATES), target=E.WITHDRAWN,
                conditions=[has_withdraw_reason], permission=can_work)
    def withdraw(self):
        self.previous_state = ""

    # --- Rules read by the services ---

    @staticmethod
    def reopen_window() -> timedelta:
        return timedelta(days=settings.ESCALATION_REOPEN_WINDOW_DAYS)

    def reopen_deadline(self):
        """Until when a resolved (or closed) escalation may be reopened."""
        return self.resolved_at + self.reopen_window() if self.resolved_at else None

    # --- SLA clock hooks (core/clocks.py) ---

    def refresh_sla_due_at(self):
        """Keep ``sla_due_at`` = the earliest due instant of the running clocks.

        Called on every clock event (start, pause, resume, stop, retarget…), so the
        queue orders by an indexed column instead of a subquery per open escalation
        (bench/bench_escalation_queue.py: 175 ms → see the issue note at 100k). A
        derived bookkeeping column: written with an update, kept out of history.
        """
        from django.contrib.contenttypes.models import ContentType
        from django.db.models import OuterRef, Subquery

        from core.choices import ClockState
        from core.models import SlaClock

        first_due = (SlaClock.objects.filter(
            content_type=ContentType.objects.get_for_model(Escalation),
            object_id=OuterRef("pk"), state=ClockState.RUNNING, due_at__isnull=False)
            .order_by("due_at").values("due_at")[:1])
        Escalation.objects.filter(pk=self.pk).update(sla_due_at=Subquery(first_due))

    def sla_recipients(self, clock):
        from ..clock_kinds import REGULATORY_CLOCK

        people = [self.owner] if self.owner_id else []
        if self.team_id:
            people += list(self.team.members.filter(is_active=True))
        if clock is not None and clock.kind == REGULATORY_CLOCK:
            # A regulatory deadline is the managers' business too.
            people += list(get_user_model().objects.filter(groups__name=Role.MANAGER,
                                                           is_active=True))
        seen, unique = set(), []
        for person in people:
            if person.pk not in seen and person.is_active:
                seen.add(person.pk)
                unique.append(person)
        return unique

    def sla_clock_event(self, *, clock, event):
        from core.work_items import timeline_clock_event

        self.refresh_sla_due_at()
        # Typed (core.timeline): warnings, breaches, retargets, pauses, resumes.
        timeline_clock_event(self, EscalationTimelineKind.CLOCK, clock=clock, event=event)


class EscalationTimelineEvent(TimelineEntry, models.Model):
    """What people read on the escalation page: typed, timed, attributed."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE,
                                   related_name="timeline")
    kind = models.CharField(max_length=20, choices=EscalationTimelineKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    text = FreeTextField()
    # Typed entries (core.timeline): drawn with render(); ``text`` is the fallback.
    event = event_field()
    params = params_field()

    history = History()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["escalation", "at"], name="esc_timeline_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.text[:60]}"
