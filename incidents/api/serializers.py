"""Incident API serializers.

Read serializers render; the small input serializers only parse what an action
takes and hand it to a service in ``incidents/services.py``. No serializer saves:
every write, and every rule, is a service's. State fields are never writable.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import registry
from core.api.fast_read import FastReadMixin
from core.api.fields import (
    CountField,
    PlausibleDateField,
    PlausibleDateTimeField,
    TimelineFieldsMixin,
)
from core.api.serializers import UserSummarySerializer, allowed_transitions_for
from core.clocks import clock_kind, clock_status, running_clocks_by_object
from incidents.services.lifecycle import TITLE_REQUIRED

from ..choices import (
    DECLARE_FORM,
    STAGE_TIMESTAMPS,
    ActionItemKind,
    Audience,
    IncidentRole,
)
from ..models import (
    ActionItem,
    Channel,
    Incident,
    PostMortem,
    Severity,
    StatusUpdate,
    TimelineEvent,
)

User = get_user_model()


def _active_users():
    return User.objects.filter(is_active=True)


def _user_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(queryset=_active_users(), **kwargs)


# --- Reference data ---------------------------------------------------------------------


class SeveritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Severity
        fields = [
            "id", "key", "name", "rank", "colour", "description", "triage_target",
            "containment_target", "update_cadence", "resolution_target", "postmortem_due",
            "postmortem_required", "calendar", "postmortem_calendar",
        ]
        read_only_fields = fields


class SeveritySummarySerializer(FastReadMixin, serializers.ModelSerializer):
    class Meta:
        model = Severity
        fields = ["key", "name", "rank", "colour"]
        read_only_fields = fields


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["id", "key", "name", "active", "order"]
        read_only_fields = fields


class IncidentLinkSerializer(FastReadMixin, serializers.ModelSerializer):
    class Meta:
        model = Incident
        fields = ["id", "reference", "title"]
        read_only_fields = fields


class ClockSummarySerializer(FastReadMixin, serializers.Serializer):
    """A running (or paused) SLA clock, as the badge shows it. Full detail, with the
    remaining business time, is at ``/api/clocks/?owner_type=incidents.incident``."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.SerializerMethodField()
    cycle = serializers.IntegerField()
    state = serializers.CharField()
    status = serializers.SerializerMethodField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)

    def get_label(self, clock) -> str:
        return clock_kind(clock.kind).label

    def get_status(self, clock) -> str:
        return clock_status(clock, self.context.get("now") or timezone.now()).value


def clock_summaries(serializer, clocks) -> list[dict]:
    """``clocks`` as ``ClockSummarySerializer`` renders them, for a row of a list.

    One summary serializer serves every row of the response (kept in the shared
    context): a new one per row deep-copied its fields each time, which cost more than
    rendering the clocks themselves on a 200-row page.
    """
    child = serializer.context.get("clock_summary")
    if child is None:
        child = serializer.context["clock_summary"] = ClockSummarySerializer(
            context=serializer.context)
    return [child.to_representation(clock) for clock in clocks]


# --- Incident -------------------------------------------------------------------------------


class IncidentSerializer(FastReadMixin, serializers.ModelSerializer):
    """An incident as read. Every field is read-only: writes go through the actions."""

    severity = SeveritySummarySerializer(read_only=True)
    channels = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    declared_by = UserSummarySerializer(read_only=True)
    commander = UserSummarySerializer(read_only=True)
    communications_lead = UserSummarySerializer(read_only=True)
    scribe = UserSummarySerializer(read_only=True)
    vendor_liaison = UserSummarySerializer(read_only=True)
    participants = UserSummarySerializer(many=True, read_only=True)
    duplicate_of = IncidentLinkSerializer(read_only=True)
    clocks = serializers.SerializerMethodField(
        help_text="Running and paused SLA clocks (stopped ones are at /api/clocks/)."
    )
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Transitions you may try from the current state (requirements unchecked)."
    )

    class Meta:
        model = Incident
        fields = [
            "id", "reference", "title", "summary", "severity", "priority", "state",
            "allowed_transitions", "channels", "affected_services", "customer_impact",
            "contacts_affected", "agents_idle", "talk_track", "declared_by", "declared_via",
            "commander", "communications_lead", "scribe", "vendor_liaison", "participants",
            "duplicate_of", "containment_summary", "resolution_summary", "cancel_reason",
            "declared_at", "triaged_at", "contained_at", "resolved_at",
            "postmortem_started_at", "closed_at", "cancelled_at", "clocks",
        ]
        read_only_fields = fields

    @extend_schema_field(ClockSummarySerializer(many=True))
    def get_clocks(self, incident):
        clocks_by_incident = self.context.get("clocks")
        if clocks_by_incident is None:  # one incident rendered on its own
            clocks_by_incident = running_clocks_by_object([incident])
        return clock_summaries(self, clocks_by_incident.get(incident.pk, []))

    def get_allowed_transitions(self, incident) -> list[str]:
        return allowed_transitions_for(self, incident)


class IncidentDeclareSerializer(serializers.Serializer):
    """Declare an incident (``incident_declare``)."""

    def get_fields(self):
        fields = super().get_fields()
        # Input other apps add (core.registry.FormExtension), e.g. affected vendors.
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for extension in registry.form_extensions(DECLARE_FORM, user):
            fields.update(extension.serializer_fields())
        return fields

    # The service's words, checked with the other fields so every error comes at once.
    title = serializers.CharField(max_length=200, error_messages={
        "required": TITLE_REQUIRED, "blank": TITLE_REQUIRED})
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    severity = serializers.SlugRelatedField(
        slug_field="key", queryset=Severity.objects.all(), required=False, allow_null=True,
        help_text="Severity key, e.g. SEV2. May be left for triage.",
    )
    priority = serializers.ChoiceField(choices=Incident._meta.get_field("priority").choices,
                                       required=False)
    channels = serializers.SlugRelatedField(
        slug_field="key", queryset=Channel.objects.filter(active=True), many=True,
        required=False, help_text="Channel keys, e.g. [\"chat\", \"ivr\"].",
    )
    affected_services = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                              default="")
    customer_impact = serializers.CharField(required=False, allow_blank=True, default="")
    commander = _user_field(required=False, allow_null=True, help_text="User id.")
    contacts_affected = CountField(required=False, allow_null=True)
    agents_idle = CountField(required=False, allow_null=True)


class IncidentEditSerializer(serializers.Serializer):
    """The descriptive fields ``incident_edit`` changes (not state, severity or roles)."""

    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=Incident._meta.get_field("priority").choices,
                                       required=False)
    affected_services = serializers.CharField(max_length=500, required=False, allow_blank=True)
    customer_impact = serializers.CharField(required=False, allow_blank=True)
    contacts_affected = CountField(required=False, allow_null=True)
    agents_idle = CountField(required=False, allow_null=True)
    talk_track = serializers.CharField(required=False, allow_blank=True,
                                       help_text="Approved wording agents read to customers.")
    channels = serializers.SlugRelatedField(
        slug_field="key", queryset=Channel.objects.all(), many=True, required=False,
        help_text="Channel keys; replaces the list.",
    )


# Transition inputs. Text a guard requires is optional here on purpose: the model's
# guard is the one rule, and its 400 names the field (e.g. ``containment_summary``).


class IncidentTriageSerializer(serializers.Serializer):
    severity = serializers.SlugRelatedField(
        slug_field="key", queryset=Severity.objects.all(), required=False,
        help_text="Severity key; defaults to the incident's.",
    )
    commander = _user_field(required=False, help_text="User id; defaults to the incident's.")


class IncidentContainSerializer(serializers.Serializer):
    containment_summary = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="How the impact was contained (required by the transition).",
    )


class IncidentResolveSerializer(serializers.Serializer):
    resolution_summary = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="How the incident was resolved (required by the transition).",
    )


class IncidentCancelSerializer(serializers.Serializer):
    cancel_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Why: false alarm, duplicate… (required by the transition).",
    )
    duplicate_of = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True,
        help_text="Id of the incident this one duplicates (they are linked).",
    )


class IncidentReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentSeverityChangeSerializer(serializers.Serializer):
    severity = serializers.SlugRelatedField(slug_field="key", queryset=Severity.objects.all(),
                                            help_text="Severity key, e.g. SEV1.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=IncidentRole.choices)
    user = _user_field(allow_null=True, help_text="User id, or null to take the role away.")


class IncidentCorrectTimestampSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=STAGE_TIMESTAMPS)
    value = PlausibleDateTimeField(help_text="ISO 8601 with offset.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- Timeline and status updates -------------------------------------------------------


class TimelineEventSerializer(TimelineFieldsMixin, serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True)

    class Meta:
        model = TimelineEvent
        fields = ["id", "kind", "event", "params", "at", "actor", "text", "pinned"]
        read_only_fields = fields


class IncidentNoteSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    pinned = serializers.BooleanField(required=False, default=False)


class TimelinePinSerializer(serializers.Serializer):
    event = serializers.IntegerField(help_text="Id of a timeline event of this incident.")
    pinned = serializers.BooleanField()


class StatusUpdateSerializer(serializers.ModelSerializer):
    channels = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    posted_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = StatusUpdate
        fields = ["id", "audience", "body", "channels", "posted_by", "posted_at"]
        read_only_fields = fields


class StatusUpdatePostSerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=Audience.choices)
    body = serializers.CharField(allow_blank=True, help_text="Markdown.")
    channels = serializers.SlugRelatedField(
        slug_field="key", queryset=Channel.objects.all(), many=True, required=False,
        help_text="Channel keys the update is about.",
    )


# --- Post-mortem ------------------------------------------------------------------------------


class PostMortemSerializer(serializers.ModelSerializer):
    incident = IncidentLinkSerializer(read_only=True)
    author = UserSummarySerializer(read_only=True)
    reviewer = UserSummarySerializer(read_only=True)
    allowed_transitions = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField(
        help_text="The incident's timeline, oldest first, for the document."
    )

    class Meta:
        model = PostMortem
        fields = [
            "id", "incident", "state", "allowed_transitions", "author", "reviewer", "summary",
            "customer_impact", "root_cause", "contributing_factors", "five_whys", "went_well",
            "went_badly", "lessons", "submitted_at", "published_at", "created_at", "timeline",
        ]
        read_only_fields = fields

    def get_allowed_transitions(self, postmortem) -> list[str]:
        return allowed_transitions_for(self, postmortem)

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_timeline(self, postmortem):
        from ..services import postmortem_timeline

        return TimelineEventSerializer(postmortem_timeline(postmortem), many=True).data


class PostMortemEditSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True)
    customer_impact = serializers.CharField(required=False, allow_blank=True)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    contributing_factors = serializers.CharField(required=False, allow_blank=True)
    five_whys = serializers.CharField(required=False, allow_blank=True,
                                      help_text="One 'why' per line.")
    went_well = serializers.CharField(required=False, allow_blank=True)
    went_badly = serializers.CharField(required=False, allow_blank=True)
    lessons = serializers.CharField(required=False, allow_blank=True)
    reviewer = _user_field(required=False, allow_null=True, help_text="User id.")


# --- Action items ---------------------------------------------------------------------------


class ActionItemSerializer(serializers.ModelSerializer):
    incident = IncidentLinkSerializer(read_only=True)
    owner = UserSummarySerializer(read_only=True)
    overdue = serializers.SerializerMethodField()
    # A plain string here: the choice set is the enum of the create input. Several
    # models have a "kind"; one component per choice set keeps the enum names stable.
    kind = serializers.CharField(read_only=True,
                                 help_text="corrective, preventive or detective")
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id", "incident", "kind", "title", "description", "owner", "due_date", "overdue",
            "state", "allowed_transitions", "wont_do_reason", "done_at", "created_at",
        ]
        read_only_fields = fields

    def get_overdue(self, item) -> bool:
        return (item.due_date is not None and item.due_date < timezone.localdate()
                and item.is_open)

    def get_allowed_transitions(self, item) -> list[str]:
        return allowed_transitions_for(self, item)


class ActionItemCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActionItemKind.choices)
    title = serializers.CharField(max_length=200, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner = _user_field(required=False, allow_null=True, help_text="User id.")
    due_date = PlausibleDateField(required=False, allow_null=True)


class ActionItemUpdateSerializer(serializers.Serializer):
    """Owner, due date and title (``action_item_update``); a new due date restarts its
    clock. Leave a field out to keep it."""

    owner = _user_field(required=False, allow_null=True, help_text="User id, or null.")
    due_date = PlausibleDateField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False)


class ActionItemDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="Why it won't be done (required).")

