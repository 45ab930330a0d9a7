"""Playbooks: versioned procedures that attach themselves to incidents and escalations.

A ``Playbook`` has ``PlaybookVersion``s (``draft → published → retired``; at most one
published and one draft at a time) made of ``PlaybookStep``s, and ``AttachRule``s
saying which incidents or escalations it belongs to. Attached to one, it becomes a
``PlaybookRun`` that keeps the version it started with, one ``StepRun`` per step
(``pending → done | skipped``), each step's due offset an SLA clock. The rules live in
``playbooks/services.py``; the models hold fields, constraints and transitions.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django_fsm import FSMModelMixin, transition

from core.audit import History
from core.choices import Role
from core.fields import FreeCharField, FreeTextField, StateField
from core.transitions import guard
from core.validation import validate_duration
from core.work_items import work_item_type_of, work_item_types

from . import conditions as rule_conditions
from .choices import AttachedHow, Evidence, PlaybookKind, StepState, VersionState

USER = settings.AUTH_USER_MODEL
PUBLISH_PERMISSION = "playbooks.publish_playbookversion"


class Playbook(models.Model):
    name = FreeCharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=12, choices=PlaybookKind.choices,
                            help_text="Followed on incidents or on escalations.")
    purpose = FreeTextField(help_text="When to use it and what it achieves.")
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", help_text="Who keeps it up to date.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("playbooks:detail", args=[self.pk])

    @property
    def reference(self):
        """What confirmations call it ("Carrier outage: draft published")."""
        return self.name


# --- Versions and steps ------------------------------------------------------------------


def can_publish(version, user):
    return user.has_perm(PUBLISH_PERMISSION)


@guard("steps", "A version needs at least one step before it is published.")
def has_steps(version):
    return version.steps.exists()


class PlaybookVersion(FSMModelMixin, models.Model):
    """One edition of a playbook's steps. Only a draft's steps change; a published
    version is immutable, so every run can say exactly what it followed."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = StateField(default=VersionState.DRAFT, choices=VersionState.choices, protected=True)
    change_note = FreeCharField(max_length=300, blank=True,
                                   help_text="What changed from the previous version.")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    published_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    history = History()

    class Meta:
        ordering = ["playbook", "-number"]
        permissions = [("publish_playbookversion", "Can publish and retire playbook versions")]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "number"], name="version_number_once"),
            # The database itself keeps "exactly one published version at a time".
            models.UniqueConstraint(fields=["playbook"], name="one_published_version",
                                    condition=Q(state=VersionState.PUBLISHED)),
            models.UniqueConstraint(fields=["playbook"], name="one_draft_version",
                                    condition=Q(state=VersionState.DRAFT)),
        ]

    def __str__(self):
        return f"{self.playbook} v{self.number}"

    @property
    def is_draft(self):
        return self.state == VersionState.DRAFT

    @transition(field=state, source=VersionState.DRAFT, target=VersionState.PUBLISHED,
                conditions=[has_steps], permission=can_publish)
    def publish(self, *, publisher, at):
        self.published_by = publisher
        self.published_at = at

    @transition(field=state, source=VersionState.PUBLISHED, target=VersionState.RETIRED,
                permission=can_publish)
    def retire(self, *, at):
        self.retired_at = at


class PlaybookStep(models.Model):
    version = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(help_text="Order in the checklist, from 1.")
    title = FreeCharField(max_length=200)
    instructions = FreeTextField(blank=True, help_text="Markdown, sanitised when shown.")
    responsible_role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    due_offset = models.DurationField(
        null=True, blank=True, validators=[validate_duration],
        help_text="Due this long after the playbook attaches (an SLA clock); empty: no "
                  "due time.")
    required = models.BooleanField(
        default=True, help_text="Required steps must be done before the incident or "
                                "escalation closes.")
    evidence = models.CharField(max_length=8, choices=Evidence.choices, default=Evidence.NONE,
                                help_text="What completing the step needs.")

    history = History()

    class Meta:
        ordering = ["version", "position", "pk"]

    def __str__(self):
        return f"{self.position}. {self.title}"

    def clean(self):
        if self.due_offset is not None and self.due_offset <= timedelta(0):
            raise ValidationError({"due_offset": "A due offset must be positive; leave it "
                                                 "empty for a step with no due time."})


# --- Attach rules -------------------------------------------------------------------------

PRIORITIES = [("P1", "P1"), ("P2", "P2"), ("P3", "P3"), ("P4", "P4")]
# The conditions a rule may set, per kind of playbook.
INCIDENT_CONDITIONS = ("min_severity", "min_priority", "channel")
ESCALATION_CONDITIONS = ("min_priority", "channel", "category", "customer_tier",
                         "regulatory", "regulatory_regime")


class AttachRule(models.Model):
    """When a playbook attaches: every condition set must match (empty ones match
    anything); a playbook attaches when any of its rules matches."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="rules")
    min_severity = models.ForeignKey(
        "incidents.Severity", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="severity at least",
        help_text="Incidents this severe or worse (SEV2 matches SEV1 and SEV2).")
    min_priority = models.CharField(
        max_length=2, choices=PRIORITIES, blank=True, verbose_name="priority at least",
        help_text="This urgent or more (P2 matches P1 and P2).")
    channel = models.ForeignKey(
        "incidents.Channel", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="An incident affecting it, or an escalation from it.")
    category = models.CharField(max_length=20, blank=True,
                                help_text="Escalations of this category.")
    customer_tier = models.CharField(max_length=20, blank=True,
                                     help_text="Escalations of customers of this tier.")
    regulatory = models.BooleanField(
        default=False, help_text="Only escalations under a regulatory regime.")
    regulatory_regime = models.ForeignKey(
        "escalations.RegulatoryRegime", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="Only escalations under this regime.")
    # Conditions other apps register (playbooks/conditions.py), by condition key: e.g.
    # {"vendor": {"vendors": [3], "vendor_categories": ["carrier"]}}. Set through
    # ``services.rule_save``, which has each condition clean its values.
    extra_conditions = models.JSONField(
        default=dict, blank=True,
        help_text="Conditions registered by other apps (e.g. vendors), by condition key.")

    history = History()

    class Meta:
        ordering = ["playbook", "pk"]

    def __str__(self):
        return f"{self.playbook}: {self.describe()}"

    def conditions(self) -> dict:
        """The conditions set, by field name."""
        found = {}
        for name in ESCALATION_CONDITIONS + ("min_severity",):
            field = self._meta.get_field(name)
            value = getattr(self, field.attname)
            if value not in (None, "", False):
                found[name] = value
        for key, values in (self.extra_conditions or {}).items():
            if values:
                found[key] = values
        return found

    def describe(self) -> str:
        """``severity SEV2 or worse, channel Voice / ACD`` — how people read it."""
        parts = []
        if self.min_severity_id:
            parts.append(f"severity {self.min_severity.key} or worse")
        if self.min_priority:
            parts.append(f"priority {self.min_priority} or more urgent")
        if self.channel_id:
            parts.append(f"channel {self.channel.name}")
        if self.category:
            parts.append(f"category {self.category}")
        if self.customer_tier:
            parts.append(f"customer tier {self.customer_tier}")
        if self.regulatory_regime_id:
            parts.append(f"under {self.regulatory_regime.name}")
        elif self.regulatory:
            parts.append("under a regulatory regime")
        parts += rule_conditions.describe(self.extra_conditions,
                                          getattr(self, "condition_descriptions", None))
        return ", ".join(parts) or "nothing set"

    def clean(self):
        from escalations.choices import CustomerTier, EscalationCategory

        set_now = set(self.conditions())
        if not set_now:
            raise ValidationError("Set at least one condition: a rule that matches everything "
                                  "would attach the playbook to every "
                                  f"{self.playbook.get_kind_display().lower()}.")
        allowed = (INCIDENT_CONDITIONS if self.playbook.kind == PlaybookKind.INCIDENT
                   else ESCALATION_CONDITIONS)
        allowed += tuple(condition.key for condition
                         in rule_conditions.rule_conditions(self.playbook.kind))
        wrong = sorted(set_now - set(allowed))
        if wrong:
            raise ValidationError({name: f"Not a condition for "
                                         f"{self.playbook.get_kind_display().lower()} "
                                         "playbooks." for name in wrong})
        if self.category and self.category not in EscalationCategory.values:
            raise ValidationError({"category": f"Choose one of: "
                                               f"{', '.join(EscalationCategory.values)}."})
        if self.customer_tier and self.customer_tier not in CustomerTier.values:
            raise ValidationError({"customer_tier": f"Choose one of: "
                                                    f"{', '.join(CustomerTier.values)}."})


# --- Runs -------------------------------------------------------------------------------


def owned_by(owner, path="") -> Q:
    """Rows belonging to ``owner`` (an incident, an escalation…): a run's content type
    and id, or through ``path`` (``"run__"`` for step runs). Written once so no query
    spells the content-type lookup itself."""
    return Q(**{f"{path}content_type": ContentType.objects.get_for_model(owner),
                f"{path}object_id": owner.pk})


def owned_by_many(model, ids, path="") -> Q:
    """Rows belonging to any of the ``model`` objects with ``ids`` (a list, or a
    queryset of ids kept as a subquery)."""
    if not isinstance(ids, models.QuerySet):
        ids = list(ids)
    return Q(**{f"{path}content_type": ContentType.objects.get_for_model(model),
                f"{path}object_id__in": ids})


def _owner_models():
    """The kinds of work item playbooks are written for (incidents, escalations)."""
    return [item_type.model_class for item_type in work_item_types()
            if item_type.key in PlaybookKind.values]


def owner_reference_contains(text, path="") -> Q:
    """Rows whose owner's reference contains ``text`` (the admin's search)."""
    found = Q(pk__in=[])
    for model in _owner_models():
        found |= owned_by_many(model, model._default_manager.filter(
            reference__icontains=text).values("pk"), path)
    return found


class PlaybookRunQuerySet(models.QuerySet):
    def of(self, owner):
        """Every run on one incident or escalation."""
        return self.filter(owned_by(owner))

    def of_many(self, model, ids):
        return self.filter(owned_by_many(model, ids))

    def with_owner_reference(self):
        """``owner_reference`` annotated: a generic key cannot be ``select_related``,
        and a list would pay one more query per kind of owner to prefetch it, so the
        reference a list shows is read by a correlated subquery per kind instead."""
        whens = [When(content_type=ContentType.objects.get_for_model(model),
                      then=Subquery(model._default_manager.filter(pk=OuterRef("object_id"))
                                    .values("reference")[:1]))
                 for model in _owner_models()]
        return self.annotate(owner_reference=Case(*whens, default=Value(""),
                                                  output_field=models.CharField()))


class PlaybookRun(models.Model):
    """A playbook attached to one incident or escalation, on the version it started
    with; never attached twice to the same object.

    The owner is keyed the way the kernel keys SLA clocks (content type + id), so a new
    kind of work item needs no new column, constraint or query here."""

    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="runs")
    version = models.ForeignKey(PlaybookVersion, on_delete=models.PROTECT, related_name="runs")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()  # incidents' and escalations' BigAutoField
    owner = GenericForeignKey("content_type", "object_id")
    attached_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    attached_at = models.DateTimeField()
    attached_how = models.CharField(max_length=4, choices=AttachedHow.choices)
    rule = models.ForeignKey(AttachRule, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", help_text="The rule that matched, if any.")

    objects = PlaybookRunQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["attached_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="run_owner_idx")]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "content_type", "object_id"],
                                    name="one_run_per_owner"),
        ]

    def __str__(self):
        return f"{self.version} on {self.owner}"

    def get_absolute_url(self):
        return f"{self.owner.get_absolute_url()}#playbooks"

    @property
    def owner_kind(self) -> str:
        """The owner's work-item key ("incident"), from the cached content type: no
        query for the owner itself."""
        return work_item_type_of(
            ContentType.objects.get_for_id(self.content_type_id).model_class()).key


def evidence_path(step_run, filename):
    return f"playbooks/evidence/{step_run.run_id}/{step_run.pk or 'new'}/{filename}"


class StepRun(FSMModelMixin, models.Model):
    run = models.ForeignKey(PlaybookRun, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(PlaybookStep, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    state = StateField(default=StepState.PENDING, choices=StepState.choices, protected=True)
    done_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    note = FreeTextField(blank=True, help_text="Card numbers are masked on input.")
    link = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=evidence_path, max_length=300, blank=True)
    skip_reason = FreeTextField(blank=True)

    history = History()

    class Meta:
        ordering = ["run", "position", "pk"]
        indexes = [models.Index(fields=["run", "state"], name="steprun_state_idx")]

    def __str__(self):
        return f"{self.step.title} ({self.get_state_display().lower()})"

    def get_absolute_url(self):
        return self.run.get_absolute_url()

    def notice_label(self):
        """How a notice names the step: with its incident's or escalation's reference."""
        return f"{self.run.owner.reference}: {self.step.title}"

    def evidence_url(self):
        """The evidence file, through a view that checks who asks (never public)."""
        return reverse("playbooks:evidence", args=[self.pk])

    @property
    def file_name(self):
        """The evidence file's own name, without the folders it is stored in."""
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""

    @transition(field=state, source=StepState.PENDING, target=StepState.DONE)
    def complete(self, *, user, at):
        self.done_by = user
        self.done_at = at

    @transition(field=state, source=StepState.PENDING, target=StepState.SKIPPED)
    def skip(self, *, user, at):
        self.done_by = user
        self.done_at = at

    # --- SLA clock hooks (core/clocks.py): an overdue step tells its role. ---

    def sla_recipients(self, clock):
        from .services import step_responsible_people

        return step_responsible_people(self)

    def sla_clock_event(self, *, clock, event):
        from core.choices import ClockEventKind

        from . import timeline_events as events
        from .services import owner_timeline_add

        params = {"run": self.run_id, "step": self.pk, "title": self.step.title}
        if event.kind == ClockEventKind.WARNING:
            code, params = events.STEP_DUE_SOON, {**params, "threshold": event.threshold}
        elif event.kind == ClockEventKind.BREACHED:
            code = events.STEP_OVERDUE
        else:
            return
        owner_timeline_add(self.run.owner, code, params, by=event.by, at=event.at)
