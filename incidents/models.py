"""Incidents: outages and degradations of customer-facing channels, run to a post-mortem.

Models with a protected state field use ``FSMModelMixin`` so ``refresh_from_db()``
still works; the state itself only changes through transitions.

Transitions and their guards are declared once here; ``incidents/services.py`` runs
them (lock, permission, guards, audited save, timeline, clocks, notifications).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMModelMixin, transition

from core.audit import History
from core.fields import FreeCharField, FreeTextField, StateField
from core.hooks import close_blockers
from core.models import BusinessCalendar
from core.predicates import perm_checker
from core.timeline import TimelineEntry, event_field, params_field
from core.transitions import guard
from core.validation import validate_duration, validate_plausible_date

from .choices import (
    ACTION_ITEM_OPEN_STATES,
    FINISHED_STATES,
    IMPACT_STATES,
    ActionItemKind,
    ActionItemState,
    Audience,
    DeclaredVia,
    IncidentState,
    PostMortemState,
    Priority,
    TimelineKind,
)

S = IncidentState
USER = settings.AUTH_USER_MODEL


class Severity(models.Model):
    """Impact level (SEV1 highest) with the SLA targets its incidents are held to."""

    key = models.CharField(max_length=10, unique=True, help_text="e.g. SEV1")
    name = FreeCharField(max_length=60)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="1 is the most severe.")
    colour = models.CharField(max_length=7, default="#cf222e", help_text="Hex, e.g. #cf222e")
    description = FreeTextField(blank=True)
    triage_target = models.DurationField(null=True, blank=True, validators=[validate_duration])
    containment_target = models.DurationField(null=True, blank=True, validators=[validate_duration])
    update_cadence = models.DurationField(
        null=True, blank=True, help_text="How often customers/executives get an update.",
        validators=[validate_duration],
    )
    resolution_target = models.DurationField(null=True, blank=True, validators=[validate_duration])
    postmortem_due = models.DurationField(
        null=True, blank=True, help_text="From resolution, on the post-mortem calendar.",
        validators=[validate_duration],
    )
    postmortem_required = models.BooleanField(default=True)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Calendar of the response clocks (empty: 24×7).",
    )
    postmortem_calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Calendar of the post-mortem due clock (empty: 24×7).",
    )

    history = History()

    class Meta:
        ordering = ["rank"]
        verbose_name_plural = "severities"

    def __str__(self):
        return f"{self.key} — {self.name}"


class Channel(models.Model):
    """A customer-facing channel an incident can affect (configurable list)."""

    key = models.SlugField(max_length=30, unique=True)
    name = FreeCharField(max_length=60)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = History()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


# --- Guards: each names the field a person must fill in -------------------------


@guard("severity", "Set a severity before triage.")
def has_severity(incident):
    return incident.severity_id is not None


@guard("commander", "Assign an incident commander before triage.")
def has_commander(incident):
    return incident.commander_id is not None


@guard("containment_summary", "Describe how the impact was contained.")
def has_containment_summary(incident):
    return bool(incident.containment_summary.strip())


@guard("resolution_summary", "Describe how the incident was resolved.")
def has_resolution_summary(incident):
    return bool(incident.resolution_summary.strip())


@guard("postmortem", "Publish the post-mortem before closing.")
def postmortem_published_if_required(incident):
    if not incident.severity.postmortem_required:
        return True
    postmortem = getattr(incident, "postmortem", None)
    return postmortem is not None and postmortem.state == PostMortemState.PUBLISHED


@guard("action_items", "Every action item needs an owner and a due date before closing.")
def action_items_owned_and_dated(incident):
    return not incident.action_items.filter(
        Q(owner__isnull=True) | Q(due_date__isnull=True)
    ).exclude(state=ActionItemState.WONT_DO).exists()


@guard("cancel_reason", "Say why the incident is cancelled (false alarm, duplicate…).")
def has_cancel_reason(incident):
    return bool(incident.cancel_reason.strip())


# Who may run each transition: declared once in incidents/rules.py.
can_close_or_cancel = perm_checker("incidents.close_or_cancel_incident")
can_work = perm_checker("incidents.work_incident")
can_write_postmortem = perm_checker("incidents.write_postmortem")
can_sign_off = perm_checker("incidents.sign_off_postmortem")
can_move_action_item = perm_checker("incidents.move_action_item")


def _blockers_message(obj):
    return "Finish first: " + "; ".join(close_blockers(obj)) + "."


@guard("playbook", _blockers_message)
def nothing_blocks_closing(obj):
    """Other apps' requirements (required playbook steps), via core.hooks."""
    return not close_blockers(obj)


class IncidentQuerySet(models.QuerySet):
    """The state groups, declared once in ``choices.py``."""

    def open(self):
        """Not finished: anything but closed or cancelled."""
        return self.exclude(state__in=FINISHED_STATES)

    def finished(self):
        """Closed or cancelled: nothing more happens to them."""
        return self.filter(state__in=FINISHED_STATES)

    def impacting(self):
        """Customers are still hurt: declared, triaged or contained."""
        return self.filter(state__in=IMPACT_STATES)


class Incident(FSMModelMixin, models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = FreeCharField(max_length=200)
    summary = FreeTextField(blank=True)
    severity = models.ForeignKey(Severity, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="incidents")
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P2)
    state = StateField(default=S.DECLARED, choices=S.choices, protected=True)

    channels = models.ManyToManyField(Channel, blank=True, related_name="incidents")
    affected_services = FreeCharField(
        max_length=500, blank=True, help_text="Services and queues, e.g. 'Billing queue, IVR main'."
    )
    customer_impact = FreeTextField(blank=True)
    contacts_affected = models.PositiveIntegerField(null=True, blank=True)
    agents_idle = models.PositiveIntegerField(null=True, blank=True)
    talk_track = FreeTextField(
        blank=True, help_text="Approved wording agents read to customers."
    )

    declared_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    declared_via = models.CharField(max_length=10, choices=DeclaredVia.choices,
                                    default=DeclaredVia.USER)
    commander = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="incidents_commanded")
    communications_lead = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True,
                                            blank=True, related_name="+")
    scribe = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    vendor_liaison = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    participants = models.ManyToManyField(USER, blank=True, related_name="incidents_joined")
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="duplicates")

    containment_summary = FreeTextField(blank=True)
    resolution_summary = FreeTextField(blank=True)
    cancel_reason = FreeTextField(blank=True)

    declared_at = models.DateTimeField(validators=[validate_plausible_date])
    triaged_at = models.DateTimeField(null=True, blank=True)
    contained_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    postmortem_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    history = History(m2m_fields=[channels, participants])

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at", "-pk"]
        permissions = [
            ("close_incident", "Can close and cancel any incident"),
        ]
        indexes = [
            models.Index(fields=["state", "-declared_at"], name="incident_state_idx"),
            models.Index(fields=["severity", "-declared_at"], name="incident_severity_idx"),
            # The list's default order (page and API: newest first): read in index
            # order, LIMIT 50, instead of sorting every incident (bench/bench_lists.py).
            models.Index(fields=["-declared_at", "-id"], name="incident_declared_idx"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.pk])

    @property
    def is_finished(self):
        return self.state in FINISHED_STATES

    @property
    def finished_at(self):
        """When it was closed or cancelled (None while it is not over)."""
        if not self.is_finished:
            return None
        return self.closed_at or self.cancelled_at

    def is_after_close(self, at) -> bool:
        """Was ``at`` after the incident was closed or cancelled? Notes and action items
        are still accepted then (annotations for the record) but marked "after close"."""
        finished = self.finished_at
        return finished is not None and at is not None and at > finished

    # --- Transitions (fields only; services do the rest) ---

    @transition(field=state, source=S.DECLARED, target=S.TRIAGED,
                conditions=[has_severity, has_commander], permission=can_work)
    def triage(self, *, at):
        self.triaged_at = at

    @transition(field=state, source=S.TRIAGED, target=S.CONTAINED,
                conditions=[has_containment_summary], permission=can_work)
    def contain(self, *, at):
        self.contained_at = at

    @transition(field=state, source=[S.TRIAGED, S.CONTAINED], target=S.RESOLVED,
                conditions=[has_resolution_summary], permission=can_work)
    def resolve(self, *, at):
        self.resolved_at = at
        if self.contained_at is None:
            self.contained_at = at  # resolving also ends the impact

    @transition(field=state, source=S.RESOLVED, target=S.POSTMORTEM, permission=can_work)
    def start_postmortem(self, *, at):
        self.postmortem_started_at = at

    @transition(field=state, source=[S.RESOLVED, S.POSTMORTEM], target=S.CLOSED,
                conditions=[postmortem_published_if_required, action_items_owned_and_dated,
                            nothing_blocks_closing],
                permission=can_close_or_cancel)
    def close(self, *, at):
        self.closed_at = at

    @transition(field=state, source=[S.DECLARED, S.TRIAGED], target=S.CANCELLED,
                conditions=[has_cancel_reason], permission=can_close_or_cancel)
    def cancel(self, *, at):
        self.cancelled_at = at

    @transition(field=state, source=[S.RESOLVED, S.POSTMORTEM], target=S.TRIAGED,
                permission=can_work)
    def reopen(self, *, at):
        # The earlier stage times stay in history; the new cycle starts again.
        self.contained_at = None
        self.resolved_at = None
        self.postmortem_started_at = None

    # --- SLA clock hooks (core/clocks.py) ---

    def sla_recipients(self, clock):
        from core.choices import Role

        managers = list(
            type(self.declared_by).objects.filter(groups__name=Role.MANAGER, is_active=True)
        )
        return [u for u in [self.commander, *managers] if u is not None]

    def sla_clock_event(self, *, clock, event):
        from core.work_items import timeline_clock_event

        # Typed (core.timeline): warnings, breaches, retargets, pauses, resumes.
        timeline_clock_event(self, TimelineKind.CLOCK, clock=clock, event=event)


class TimelineEvent(TimelineEntry, models.Model):
    """What people read: typed, timed, attributed. Field history is for auditors."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=TimelineKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    text = FreeTextField()
    # Typed entries (core.timeline): drawn with render(); ``text`` is the fallback.
    event = event_field()
    params = params_field()
    pinned = models.BooleanField(default=False)

    history = History()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["incident", "at"], name="timeline_incident_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.text[:60]}"

    @property
    def after_close(self) -> bool:
        return self.incident.is_after_close(self.at)


class StatusUpdate(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE,
                                 related_name="status_updates")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    body = FreeTextField(help_text="Markdown; rendered sanitised.")
    channels = models.ManyToManyField(Channel, blank=True, related_name="+")
    posted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField()

    history = History(m2m_fields=[channels])

    class Meta:
        ordering = ["-posted_at", "-pk"]

    def __str__(self):
        return f"{self.get_audience_display()} update on {self.incident.reference}"


REVIEWER_NOT_AUTHOR = ("Choose a reviewer other than the author: a post-mortem is "
                       "signed off by a second person.")


def reviewer_is_not_author(postmortem):
    """Reviewer ≠ author (SWITCHBOARD_POSTMORTEM_REVIEWER_NOT_AUTHOR, on by default)."""
    return not (settings.SWITCHBOARD_POSTMORTEM_REVIEWER_NOT_AUTHOR
                and postmortem.reviewer_id is not None
                and postmortem.reviewer_id == postmortem.author_id)


class PostMortem(FSMModelMixin, models.Model):
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE,
                                    related_name="postmortem")
    state = StateField(default=PostMortemState.DRAFT, choices=PostMortemState.choices,
                     protected=True)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    summary = FreeTextField(blank=True)
    customer_impact = FreeTextField(blank=True)
    root_cause = FreeTextField(blank=True)
    contributing_factors = FreeTextField(blank=True)
    five_whys = FreeTextField(blank=True, help_text="One 'why' per line.")
    went_well = FreeTextField(blank=True)
    went_badly = FreeTextField(blank=True)
    lessons = FreeTextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    def __str__(self):
        return f"Post-mortem of {self.incident.reference}"

    @transition(field=state, source=PostMortemState.DRAFT, target=PostMortemState.IN_REVIEW,
                conditions=[
                    guard("summary", "Write the summary.")(lambda pm: bool(pm.summary.strip())),
                    guard("root_cause", "Write the root cause.")(
                        lambda pm: bool(pm.root_cause.strip())),
                    guard("reviewer", "Choose a reviewer.")(lambda pm: pm.reviewer_id is not None),
                    guard("reviewer", REVIEWER_NOT_AUTHOR)(reviewer_is_not_author),
                ], permission=can_write_postmortem)
    def submit(self, *, at):
        self.submitted_at = at

    @transition(field=state, source=PostMortemState.IN_REVIEW, target=PostMortemState.DRAFT,
                permission=can_sign_off)
    def request_changes(self):
        pass

    @transition(field=state, source=PostMortemState.IN_REVIEW, target=PostMortemState.PUBLISHED,
                permission=can_sign_off)
    def publish(self, *, at):
        self.published_at = at


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        """Still to do: open or in progress."""
        return self.filter(state__in=ACTION_ITEM_OPEN_STATES)


class ActionItem(FSMModelMixin, models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="action_items")
    kind = models.CharField(max_length=12, choices=ActionItemKind.choices)
    title = FreeCharField(max_length=200)
    description = FreeTextField(blank=True)
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="incident_action_items")
    due_date = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    state = StateField(default=ActionItemState.OPEN, choices=ActionItemState.choices,
                     protected=True)
    wont_do_reason = FreeTextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.incident.get_absolute_url() + "#action-items"

    @property
    def after_close(self) -> bool:
        return self.incident.is_after_close(self.created_at)

    @property
    def is_open(self):
        return self.state in ACTION_ITEM_OPEN_STATES

    @transition(field=state, source=ActionItemState.OPEN, target=ActionItemState.IN_PROGRESS,
                permission=can_move_action_item)
    def start(self):
        pass

    @transition(field=state, source=list(ACTION_ITEM_OPEN_STATES),
                target=ActionItemState.DONE, permission=can_move_action_item)
    def complete(self, *, at):
        self.done_at = at

    @transition(field=state, source=list(ACTION_ITEM_OPEN_STATES),
                target=ActionItemState.WONT_DO, permission=can_move_action_item,
                conditions=[guard("wont_do_reason", "Say why it won't be done.")(
                    lambda item: bool(item.wont_do_reason.strip()))])
    def decline(self, *, at):
        self.done_at = at

    def sla_recipients(self, clock):
        return [self.owner] if self.owner else []

    def sla_clock_event(self, *, clock, event):
        from core.choices import ClockEventKind
        from core.timeline import word

        from .timeline_events import ACTION_ITEM_DUE

        if event.kind not in (ClockEventKind.WARNING, ClockEventKind.BREACHED):
            return
        params = {"item": self.pk, "title": self.title, "event": event.kind}
        TimelineEvent.objects.create(
            incident=self.incident, kind=TimelineKind.ACTION_ITEM, at=event.at, actor=event.by,
            event=ACTION_ITEM_DUE, params=params, text=word(ACTION_ITEM_DUE, params))
