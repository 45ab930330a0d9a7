"""Playbook API serializers.

Read serializers render what the viewsets fetched (``read_queryset()`` and
``step_clocks``), without a query per row; the small input serializers only parse what
an action takes and hand it to ``playbooks/services.py``, which decides. No serializer
saves. Version and step states are never writable.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import BusinessDurationField
from core.api.serializers import UserSummarySerializer, allowed_transitions_for
from core.choices import ClockStatus, Role
from core.clocks import clock_status
from core.models import SlaClock
from escalations.choices import CustomerTier, EscalationCategory
from escalations.models import Escalation, RegulatoryRegime
from incidents.models import Channel, Incident, Severity

from .. import conditions as rule_conditions
from ..choices import Evidence, PlaybookKind, StepState, VersionState
from ..models import (
    PRIORITIES,
    AttachRule,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    PlaybookVersion,
    StepRun,
)


def step_clocks(step_runs) -> dict[int, SlaClock]:
    """The latest clock of each step run, for many step runs in one query (SlaClock
    points at its owner through a generic foreign key: nothing to prefetch)."""
    ids = [step_run.pk for step_run in step_runs]
    if not ids:
        return {}
    found: dict[int, SlaClock] = {}
    clocks = (SlaClock.objects
              .filter(content_type=ContentType.objects.get_for_model(StepRun),
                      object_id__in=ids)
              .order_by("object_id", "-cycle", "-pk"))
    for clock in clocks:
        found.setdefault(clock.object_id, clock)  # the first one is the latest cycle
    return found


def _now(serializer):
    # One instant for the whole response: every row is judged against the same "now".
    return serializer.context.setdefault("now", timezone.now())


def is_overdue(step_run, clock, now) -> bool:
    """A step still to do whose clock is past due or breached."""
    return (step_run.state == StepState.PENDING and clock is not None
            and clock_status(clock, now) == ClockStatus.BREACHED)


# --- The library --------------------------------------------------------------------------


class AttachRuleSerializer(serializers.ModelSerializer):
    """An attach rule: every condition set must match; empty ones match anything."""

    min_severity = serializers.SlugRelatedField(slug_field="key", read_only=True,
                                                allow_null=True)
    channel = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    regulatory_regime = serializers.SlugRelatedField(slug_field="code", read_only=True,
                                                     allow_null=True)
    description = serializers.CharField(source="describe", read_only=True,
                                        help_text="The conditions as people read them.")

    class Meta:
        model = AttachRule
        fields = ["id", "min_severity", "min_priority", "channel", "category", "customer_tier",
                  "regulatory", "regulatory_regime", "description"]
        read_only_fields = fields

    def get_fields(self):
        # The conditions other apps register (playbooks/conditions.py), read from the
        # rule's stored values: ``extra_conditions.<condition key>.<field name>``.
        fields = super().get_fields()
        for condition in rule_conditions.rule_conditions():
            for name, field in condition.output_fields().items():
                field.source = f"extra_conditions.{condition.key}.{name}"
                fields[name] = field
        return fields


class VersionSummarySerializer(serializers.ModelSerializer):
    step_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PlaybookVersion
        fields = ["id", "number", "state", "change_note", "step_count", "created_at",
                  "published_at", "retired_at"]
        read_only_fields = fields


def _version_number(playbook, state):
    # From the prefetched versions: no query per playbook.
    return next((version.number for version in playbook.versions.all()
                 if version.state == state), None)


class PlaybookSerializer(serializers.ModelSerializer):
    """A playbook as listed. Every field is read-only: writes go through the actions."""

    owner = UserSummarySerializer(read_only=True, allow_null=True)
    published_version = serializers.SerializerMethodField(
        help_text="The number of the version new runs follow, or null (none published).")
    draft_version = serializers.SerializerMethodField(
        help_text="The number of the draft being written, or null.")

    class Meta:
        model = Playbook
        fields = ["id", "name", "slug", "kind", "purpose", "owner", "published_version",
                  "draft_version", "created_at"]
        read_only_fields = fields

    def get_published_version(self, playbook) -> int | None:
        return _version_number(playbook, VersionState.PUBLISHED)

    def get_draft_version(self, playbook) -> int | None:
        return _version_number(playbook, VersionState.DRAFT)


class PlaybookDetailSerializer(PlaybookSerializer):
    """A playbook with its attach rules and every version, newest first."""

    rules = AttachRuleSerializer(many=True, read_only=True)
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta(PlaybookSerializer.Meta):
        fields = [*PlaybookSerializer.Meta.fields, "rules", "versions"]
        read_only_fields = fields

    def to_representation(self, playbook):
        rule_conditions.describe_in_bulk(playbook.rules.all())  # the prefetched rules
        return super().to_representation(playbook)


class PlaybookStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlaybookStep
        fields = ["id", "version", "position", "title", "instructions", "responsible_role",
                  "due_offset", "required", "evidence"]
        read_only_fields = fields


class PlaybookVersionSerializer(serializers.ModelSerializer):
    """A version as listed: ``draft → published → retired``."""

    playbook_name = serializers.CharField(source="playbook.name", read_only=True)
    step_count = serializers.IntegerField(read_only=True)
    created_by = UserSummarySerializer(read_only=True)
    published_by = UserSummarySerializer(read_only=True, allow_null=True)
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Transitions you may try from the current state (requirements unchecked).")

    class Meta:
        model = PlaybookVersion
        fields = ["id", "playbook", "playbook_name", "number", "state", "allowed_transitions",
                  "change_note", "step_count", "created_by", "created_at", "published_by",
                  "published_at", "retired_at"]
        read_only_fields = fields

    def get_allowed_transitions(self, version) -> list[str]:
        return allowed_transitions_for(self, version)


class PlaybookVersionDetailSerializer(PlaybookVersionSerializer):
    """A version with its steps in order."""

    steps = PlaybookStepSerializer(many=True, read_only=True)

    class Meta(PlaybookVersionSerializer.Meta):
        fields = [*PlaybookVersionSerializer.Meta.fields, "steps"]
        read_only_fields = fields


# The largest PlaybookVersion.number the database holds (a PositiveIntegerField): a bigger
# one is no version, and the database cannot even compare with it.
MAX_VERSION_NUMBER = 2**31 - 1


class VersionDiffQuerySerializer(serializers.Serializer):
    """``?from=<n>&to=<n>``: version numbers of the same playbook."""

    to = serializers.IntegerField(min_value=1, max_value=MAX_VERSION_NUMBER,
                                  help_text="The newer version's number.")

    def get_fields(self):
        # ``from`` is a Python keyword: it cannot be declared as a class attribute.
        return {"from": serializers.IntegerField(min_value=1, max_value=MAX_VERSION_NUMBER,
                                                 help_text="The older version's number."),
                **super().get_fields()}


class VersionDiffSerializer(serializers.Serializer):
    to = serializers.IntegerField()
    lines = serializers.ListField(
        child=serializers.CharField(),
        help_text="A unified diff of the two versions' steps, one line each.")

    def get_fields(self):
        return {"from": serializers.IntegerField(), **super().get_fields()}


# --- Runs and step runs ---------------------------------------------------------------


class StepRunSerializer(serializers.ModelSerializer):
    """One step of a run: what to do (from the version it follows) and how it went."""

    title = serializers.CharField(source="step.title", read_only=True)
    instructions = serializers.CharField(source="step.instructions", read_only=True,
                                         help_text="Markdown.")
    required = serializers.BooleanField(source="step.required", read_only=True)
    evidence = serializers.ChoiceField(source="step.evidence", choices=Evidence.choices,
                                       read_only=True, help_text="What completing it needs.")
    responsible_role = serializers.ChoiceField(source="step.responsible_role",
                                               choices=Role.choices, read_only=True,
                                               allow_blank=True)
    done_by = UserSummarySerializer(read_only=True, allow_null=True)
    file = serializers.SerializerMethodField(
        help_text="Where to download the evidence file (signed-in, permission-checked), "
                  "or null.")
    file_name = serializers.CharField(read_only=True)
    due_at = serializers.SerializerMethodField(
        help_text="When the step is due (its SLA clock), or null for a step with no due "
                  "time.")
    overdue = serializers.SerializerMethodField(
        help_text="Still to do and past its due time.")

    class Meta:
        model = StepRun
        fields = ["id", "run", "position", "title", "instructions", "required", "evidence",
                  "responsible_role", "state", "due_at", "overdue",
                  "done_by", "done_at", "note", "link", "file", "file_name", "skip_reason"]
        read_only_fields = fields

    def get_file(self, step_run) -> str | None:
        if not step_run.file:
            return None
        url = step_run.evidence_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def _clock(self, step_run):
        clocks = self.context.get("clocks")
        if clocks is None:  # one step run rendered on its own
            clocks = self.context["clocks"] = step_clocks([step_run])
        return clocks.get(step_run.pk)

    def get_due_at(self, step_run) -> datetime | None:
        clock = self._clock(step_run)
        if clock is None or clock.due_at is None:
            return None
        return serializers.DateTimeField().to_representation(clock.due_at)

    def get_overdue(self, step_run) -> bool:
        return is_overdue(step_run, self._clock(step_run), _now(self))


class RunOwnerSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=PlaybookKind.choices)
    id = serializers.IntegerField()
    reference = serializers.CharField()


class RunProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    skipped = serializers.IntegerField()
    pending = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Pending steps past their due time.")


class PlaybookRunSerializer(serializers.ModelSerializer):
    """A playbook attached to an incident or an escalation, on the version it started
    with, and its steps in order."""

    playbook_name = serializers.CharField(source="playbook.name", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    owner = serializers.SerializerMethodField(help_text="The incident or escalation.")
    attached_by = UserSummarySerializer(read_only=True)
    rule_description = serializers.SerializerMethodField(
        help_text="The rule that attached it, as people read it; null when attached by "
                  "hand.")
    progress = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta:
        model = PlaybookRun
        fields = ["id", "playbook", "playbook_name", "version", "version_number", "owner",
                  "attached_how", "attached_by", "attached_at", "rule", "rule_description",
                  "progress", "steps"]
        read_only_fields = fields

    def _clocks(self, run):
        clocks = self.context.get("clocks")
        if clocks is None:  # a run rendered without the view's page-wide fetch
            clocks = step_clocks(run.steps.all())
        return clocks

    @extend_schema_field(RunOwnerSerializer)
    def get_owner(self, run):
        # The list annotates the reference (``with_owner_reference``): the owner itself
        # is fetched only for a run rendered without it.
        reference = getattr(run, "owner_reference", None) or run.owner.reference
        return {"type": run.owner_kind, "id": run.object_id, "reference": reference}

    def get_rule_description(self, run) -> str | None:
        return run.rule.describe() if run.rule_id else None

    @extend_schema_field(RunProgressSerializer)
    def get_progress(self, run):
        clocks, now = self._clocks(run), _now(self)
        steps = run.steps.all()
        states = [step.state for step in steps]
        return {"total": len(states),
                "done": states.count(StepState.DONE),
                "skipped": states.count(StepState.SKIPPED),
                "pending": states.count(StepState.PENDING),
                "overdue": sum(is_overdue(step, clocks.get(step.pk), now) for step in steps)}

    @extend_schema_field(StepRunSerializer(many=True))
    def get_steps(self, run):
        return StepRunSerializer(run.steps.all(), many=True,
                                 context={**self.context, "clocks": self._clocks(run)}).data


# --- Inputs -------------------------------------------------------------------------------


def _user_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), **kwargs)


class PlaybookCreateSerializer(serializers.Serializer):
    """A new playbook (``playbook_create``); it starts with an empty draft, v1."""

    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=PlaybookKind.choices,
                                   help_text="Followed on incidents or on escalations; fixed.")
    purpose = serializers.CharField(help_text="When to use it and what it achieves.")
    slug = serializers.SlugField(max_length=60, help_text="Unique.")
    owner = _user_field(required=False, allow_null=True,
                        help_text="User id of who keeps it up to date.")


class PlaybookUpdateSerializer(serializers.Serializer):
    """Change some fields (``playbook_update``); the kind never changes."""

    name = serializers.CharField(max_length=120, required=False)
    purpose = serializers.CharField(required=False)
    owner = _user_field(required=False, allow_null=True, help_text="User id.")


class ChangeNoteSerializer(serializers.Serializer):
    change_note = serializers.CharField(
        required=False, allow_blank=True, max_length=300,
        help_text="What changed from the previous version.")


class AttachRuleInputSerializer(serializers.Serializer):
    """The conditions of a new rule; leave out the ones that do not matter. Incident
    playbooks take `min_severity`, `min_priority` and `channel`; escalation playbooks
    every condition but `min_severity`. Other apps add conditions of their own (the
    vendors app: `vendors`, `vendor_categories`)."""

    min_severity = serializers.SlugRelatedField(
        slug_field="key", queryset=Severity.objects.all(), required=False, allow_null=True,
        help_text="Severity key, e.g. SEV2 (matches SEV1 and SEV2).")
    min_priority = serializers.ChoiceField(choices=PRIORITIES, required=False,
                                           allow_blank=True,
                                           help_text="P2 matches P1 and P2.")
    channel = serializers.SlugRelatedField(slug_field="key", queryset=Channel.objects.all(),
                                           required=False, allow_null=True,
                                           help_text="Channel key, e.g. voice.")
    category = serializers.ChoiceField(choices=EscalationCategory.choices, required=False,
                                       allow_blank=True)
    customer_tier = serializers.ChoiceField(choices=CustomerTier.choices, required=False,
                                            allow_blank=True)
    regulatory = serializers.BooleanField(
        required=False, help_text="Only escalations under a regulatory regime.")
    regulatory_regime = serializers.SlugRelatedField(
        slug_field="code", queryset=RegulatoryRegime.objects.all(), required=False,
        allow_null=True, help_text="Regulatory regime code, e.g. uk-fca-disp.")

    def get_fields(self):
        # And the conditions other apps register (the vendors named…).
        fields = super().get_fields()
        for condition in rule_conditions.rule_conditions():
            fields.update(condition.input_fields())
        return fields


class StepInputSerializer(serializers.Serializer):
    """A step's fields (``step_save``). Adding needs a `title`; a change sends only the
    fields it changes."""

    title = serializers.CharField(max_length=200)
    instructions = serializers.CharField(required=False, allow_blank=True,
                                         help_text="Markdown.")
    responsible_role = serializers.ChoiceField(choices=Role.choices, required=False,
                                               allow_blank=True)
    due_offset = BusinessDurationField(
        required=False, allow_null=True,
        help_text="Due this long after the playbook attaches: ISO 8601 (PT15M) or "
                  "HH:MM:SS; null for no due time. Must be positive.")
    required = serializers.BooleanField(
        required=False, help_text="Must be done before the incident or escalation closes.")
    evidence = serializers.ChoiceField(choices=Evidence.choices, required=False,
                                       help_text="What completing the step needs.")


class StepMoveSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="The new position, 1 = first.")


class PlaybookAttachSerializer(serializers.Serializer):
    """Attach a playbook by hand: its `playbook` and exactly one of `incident` or
    `escalation`."""

    playbook = serializers.PrimaryKeyRelatedField(queryset=Playbook.objects.all(),
                                                  help_text="Playbook id.")
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all(),
                                                  required=False, allow_null=True,
                                                  help_text="Incident id.")
    escalation = serializers.PrimaryKeyRelatedField(queryset=Escalation.objects.all(),
                                                    required=False, allow_null=True,
                                                    help_text="Escalation id.")

    def validate(self, attrs):
        # Which object the run belongs to is input shape, not a business rule.
        given = [name for name in ("incident", "escalation") if attrs.get(name) is not None]
        if len(given) != 1:
            message = ("Give an incident or an escalation, not both." if given
                       else "Give the incident or the escalation to attach it to.")
            raise serializers.ValidationError({"incident": [message], "escalation": [message]})
        attrs["obj"] = attrs.pop(given[0])
        attrs.pop("incident" if given[0] == "escalation" else "escalation", None)
        return attrs


class StepCompleteSerializer(serializers.Serializer):
    """The evidence, as the step asks: a `note`, a `link` or (multipart) a `file`."""

    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="Card numbers are masked on input.")
    link = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="A full web address (https://…).")
    file = serializers.FileField(required=False, allow_null=True, default=None,
                                 help_text="Send as multipart/form-data; 10 MB at most.")


class StepSkipSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="Why the step is skipped (required).")
