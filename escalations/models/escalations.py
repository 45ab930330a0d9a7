"""Customer escalations: the customers, the SLA policies and the escalations.

A customer's name, contact details and notes are personal data: only roles with
``core.view_customer_personal_data`` see them (``escalations/visibility.py``), a
manager can export everything held about a customer and erase it on request
(``escalations/services.py``), and erasure reaches the history rows too.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from core.audit import History
from core.choices import PauseCapUnit, Role
from core.fields import FreeCharField, FreeTextField
from core.hooks import close_blockers
from core.models import BusinessCalendar, Team
from core.predicates import perm_checker
from core.timeline import TimelineEntry, event_field, params_field
from core.transitions import guard
from core.validation import validate_duration, validate_plausible_date

from ..choices import (
    FINISHED_STATES,
    OPEN_STATES,
    CustomerTier,
    DayCounting,
    EscalationCategory,
    EscalationPriority,
    EscalationState,
    EscalationTimelineKind,
    Tier,
)
from ..querysets import EscalationQuerySet

# Erased customers keep a unique tombstone reference; nobody may type one by hand.
ERASED_REFERENCE_PREFIX = "ERASED-"


class Customer(models.Model):
    """A customer whose escalations the desk works. Personal data is role-restricted."""

    name = FreeCharField(max_length=200)
    account_reference = models.CharField(
        max_length=40, unique=True,
        help_text="The account number in the billing or CRM system, e.g. ACC-104233.",
    )
    tier = models.CharField(max_length=20, choices=CustomerTier.choices,
                            default=CustomerTier.STANDARD)
    annual_value = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What the account is worth a year (money: visible to finance roles).",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = FreeTextField(blank=True)
    notes = FreeTextField(blank=True, help_text="Card numbers are masked on input.")
    erased_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the personal data was erased on the customer's request.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["account_reference"]
        indexes = [models.Index(fields=["tier"], name="customer_tier_idx")]
        permissions = [
            ("erase_customer",
             "Can export and erase a customer's personal data on request"),
        ]

    def __str__(self):
        # The account reference, never the name: this string reaches admin logs,
        # messages and pages that roles without personal-data access read.
        return self.account_reference

    def get_absolute_url(self):
        return reverse("escalations:customer", args=[self.pk])

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


# --- Regulatory regimes ---------------------------------------------------------


# No regulator allows more days than this for a final response; it keeps every
# regulatory deadline within the plausible dates of core/validation.py.
MAX_REGULATORY_DAYS = 3 * 366


class RegulatoryRegime(models.Model):
    """A regulator's complaint-handling rule: a final response is owed within a number
    of calendar or business days of receipt, sometimes extendable.

    An escalation under a regime runs a regulatory clock beside the internal ones. Its
    deadline is the end of the last day counted, in the calendar's time zone; business
    days are the days the calendar is open at all (without a calendar: Monday to
    Friday). The clock itself counts every hour (24×7): the regulator's time does not
    stop out of hours. Deadlines are computed in ``escalations/services/regulatory.py``.
    """

    code = models.SlugField(max_length=40, unique=True, help_text="e.g. uk-fca-disp")
    name = FreeCharField(max_length=120)
    jurisdiction = FreeCharField(max_length=60, blank=True)
    description = FreeTextField(
        blank=True, help_text="What the rule asks for, in the desk's words.")
    final_response_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REGULATORY_DAYS)],
        help_text="Days from receipt by which the final response is due.")
    counting = models.CharField(max_length=20, choices=DayCounting.choices,
                                default=DayCounting.CALENDAR_DAYS)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Whose days count: business days are the days it is open, and days end "
                  "at midnight in its time zone. Empty: Monday–Friday, UTC.",
    )
    extended_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_REGULATORY_DAYS)],
        help_text="Days allowed in all after an extension (e.g. 35 business days with a "
                  "holding reply); empty: no extension.")
    extension_conditions = FreeTextField(
        blank=True, help_text="When an extension is allowed, and what the customer is told.")
    reference_url = models.URLField(blank=True, help_text="Where the rule is published.")
    is_example = models.BooleanField(
        default=False,
        help_text="Seeded as an example: check it against the current rules before relying "
                  "on it.")
    active = models.BooleanField(default=True)

    history = History()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} (example)" if self.is_example else self.name

    def clean(self):
        if self.extended_days is not None and self.extended_days <= self.final_response_days:
            raise ValidationError({"extended_days": "An extension must allow more days than "
                                                    f"the {self.final_response_days} normally "
                                                    "allowed."})

    @property
    def rule_text(self) -> str:
        """``56 calendar days``, ``15 business days (35 with an extension)``."""
        unit = self.get_counting_display().lower()
        text = f"{self.final_response_days} {unit}"
        if self.extended_days:
            text += f" ({self.extended_days} with an extension)"
        return text


# --- SLA policies --------------------------------------------------------------


def default_pausing_kinds():
    """While awaiting the customer, the update cadence and resolution clocks pause."""
    from ..clock_kinds import RESOLUTION_CLOCK, UPDATE_CLOCK

    return [UPDATE_CLOCK, RESOLUTION_CLOCK]


# The policy fields that make a new version when they change: what clocks are held to.
POLICY_TARGET_FIELDS = (
    "first_response", "update_cadence", "containment", "resolution", "calendar",
    "first_response_calendar", "update_calendar", "containment_calendar",
    "resolution_calendar", "pause_in_awaiting_customer", "pause_cap", "pause_cap_unit",
)


def _calendar_field(label):
    return models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=f"Calendar the {label} clock counts on (empty: the policy's calendar).")


class EscalationSlaPolicy(models.Model):
    """Targets an escalation is held to. Ordered: the first active policy whose
    conditions all match applies (an empty condition matches anything).

    Versioned: a change to a target, a calendar or the pausing rules makes a new
    ``version``. Clocks keep the targets they started with — editing a policy never
    moves clocks already running; a manager applies the new version to an escalation
    explicitly (``escalation_apply_policy``).
    """

    name = FreeCharField(max_length=120)
    order = models.PositiveIntegerField(unique=True, help_text="Lower is checked first.")
    active = models.BooleanField(default=True)
    priority = models.CharField(max_length=2, choices=EscalationPriority.choices, null=True,
                                blank=True, help_text="Empty: any priority.")
    customer_tier = models.CharField(max_length=20, choices=CustomerTier.choices, null=True,
                                     blank=True, help_text="Empty: any customer tier.")
    category = models.CharField(max_length=20, choices=EscalationCategory.choices, null=True,
                                blank=True, help_text="Empty: any category.")
    regulatory_regime = models.ForeignKey(
        RegulatoryRegime, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Empty: any escalation, under a regime or not.")
    first_response = models.DurationField(null=True, blank=True, validators=[validate_duration])
    update_cadence = models.DurationField(null=True, blank=True, validators=[validate_duration])
    containment = models.DurationField(null=True, blank=True, validators=[validate_duration])
    resolution = models.DurationField(null=True, blank=True, validators=[validate_duration])
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Calendar the clocks count on (empty: 24×7).",
    )
    first_response_calendar = _calendar_field("first-response")
    update_calendar = _calendar_field("update-cadence")
    containment_calendar = _calendar_field("containment")
    resolution_calendar = _calendar_field("resolution")
    pause_in_awaiting_customer = models.JSONField(
        default=default_pausing_kinds, blank=True,
        help_text="Clock kinds that pause while awaiting the customer, e.g. "
                  '["escalations.resolution"].',
    )
    pause_cap = models.DurationField(
        null=True, blank=True, validators=[validate_duration],
        help_text="A paused clock resumes by itself after this long (empty: no cap).",
    )
    pause_cap_unit = models.CharField(
        max_length=8, choices=PauseCapUnit.choices, default=PauseCapUnit.BUSINESS,
        help_text="Business time counts only the clock's working hours (a 2 h cap from "
                  "Friday 16:00 ends Monday 10:00 in a 09:00–17:00 office).")
    version = models.PositiveIntegerField(
        default=1, editable=False,
        help_text="Goes up when a target, calendar or pausing rule changes.")

    history = History()

    class Meta:
        ordering = ["order"]
        verbose_name = "escalation SLA policy"
        verbose_name_plural = "escalation SLA policies"

    def __str__(self):
        return self.name

    def clean(self):
        from ..clock_kinds import KINDS

        kinds = self.pause_in_awaiting_customer
        if not isinstance(kinds, list) or any(k not in KINDS for k in kinds):
            raise ValidationError({"pause_in_awaiting_customer":
                                   f"A list of clock kinds from: {', '.join(KINDS)}."})
        for name in ("first_response", "update_cadence", "containment", "resolution",
                     "pause_cap"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise ValidationError({name: "Must be longer than zero."})

    def targets(self) -> dict:
        """``{clock kind: target}`` for every target the policy sets."""
        from ..clock_kinds import (
            CONTAINMENT_CLOCK,
            FIRST_RESPONSE_CLOCK,
            RESOLUTION_CLOCK,
            UPDATE_CLOCK,
        )

        found = {FIRST_RESPONSE_CLOCK: self.first_response, UPDATE_CLOCK: self.update_cadence,
                 CONTAINMENT_CLOCK: self.containment, RESOLUTION_CLOCK: self.resolution}
        return {kind: target for kind, target in found.items() if target}

    def calendar_for(self, kind):
        """The calendar a clock of ``kind`` counts on (None: the 24×7 calendar)."""
        from ..clock_kinds import (
            CONTAINMENT_CLOCK,
            FIRST_RESPONSE_CLOCK,
            RESOLUTION_CLOCK,
            UPDATE_CLOCK,
        )

        own = {FIRST_RESPONSE_CLOCK: self.first_response_calendar,
               UPDATE_CLOCK: self.update_calendar,
               CONTAINMENT_CLOCK: self.containment_calendar,
               RESOLUTION_CLOCK: self.resolution_calendar}.get(kind)
        return own or self.calendar


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
    state = FSMField(default=E.NEW, choices=E.choices, protected=True)
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


# --- Tier ladder -------------------------------------------------------------------


class TierDirection(models.TextChoices):
    UP = "up", "Escalated"
    DOWN = "down", "De-escalated"


class TierChange(models.Model):
    """One step on the tier ladder (L1 → L4 and back), with its acknowledgement.

    An escalation up must be acknowledged by a lead of the receiving tier; until it
    is, ``next_notify_at`` (indexed, NULL when nothing is pending) says when the
    renotify sweep (``escalations.services.tier_changes_renotify``) reminds the
    leads again, and after the configured attempts tells the tier above once.
    """

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE,
                                   related_name="tier_changes")
    from_tier = models.CharField(max_length=2, choices=Tier.choices)
    to_tier = models.CharField(max_length=2, choices=Tier.choices)
    direction = models.CharField(max_length=4, choices=TierDirection.choices)
    reason = FreeTextField()
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    automatic = models.BooleanField(
        default=False, help_text="Made by the system when an SLA clock breached.")
    acknowledged_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    notify_attempts = models.PositiveIntegerField(
        default=0, help_text="How many times the receiving tier's leads were notified.")
    next_notify_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the leads are reminded next; empty once acknowledged or done.")
    escalated_further = models.BooleanField(
        default=False, help_text="Nobody acknowledged in time: the tier above was told.")

    history = History()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            # Partial: the renotify sweep reads only the rows with something pending.
            models.Index(fields=["next_notify_at", "id"], name="tierchange_notify_idx",
                         condition=models.Q(next_notify_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.escalation_id}: {self.from_tier} → {self.to_tier}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


# --- Compensation ------------------------------------------------------------------


class CompensationApprovalLimit(models.Model):
    """How much compensation a role may approve on an escalation. A person's limit is
    the highest of their roles'; a role without a row cannot approve; an empty amount
    is no limit."""

    role = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="+")
    limit = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))], help_text="Empty: no limit.")

    history = History()

    class Meta:
        ordering = ["role__name"]

    def __str__(self):
        return f"{self.role.name}: {'no limit' if self.limit is None else self.limit}"


# --- Links to incidents --------------------------------------------------------------


class EscalationIncidentLink(models.Model):
    """An escalation caused (or made worse) by an incident; many to many."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE,
                                   related_name="incident_links")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE,
                                 related_name="escalation_links")
    linked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField()

    history = History()

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["escalation", "incident"],
                                               name="link_escalation_incident_once")]

    def __str__(self):
        return f"{self.escalation_id} ↔ {self.incident_id}"
