"""Incident API: reads, edits and one ``@action`` per transition.

Every write parses a small input serializer and calls a service in
``incidents/services.py``; the services lock, check permissions and guards, audit,
write the timeline and move the clocks. Refusals come back through the shared
exception handler: 409 with the allowed transitions, 400 naming the missing field,
403 for permissions.

Who may call what is declared once per viewset in ``action_permissions``. Close,
cancel, post-mortem sign-off and action-item moves only need read access here,
because the model's own rule decides (a manager or the incident's commander; the
post-mortem's reviewer; the action item's owner), and that rule lives with the model.
"""

import django_filters
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import registry
from core.api.filters import FilterSet, IdFilter, UserIdOrMeFilter
from core.api.permissions import ActionPermissions
from core.api.schema import TRANSITION_ERRORS, validated_input
from core.clocks import running_clocks_by_object
from core.prefetch import prefetch_foreign_keys

from .. import services
from ..choices import (
    ACTION_ITEM_OPEN_STATES,
    DECLARE_FORM,
    ActionItemState,
    TimelineKind,
)
from ..filters import IncidentFilter
from ..models import ActionItem, Channel, Incident, PostMortem, Severity
from ..search import SEARCH_FIELDS
from ..selectors import incident_list
from .serializers import (
    ActionItemCreateSerializer,
    ActionItemDeclineSerializer,
    ActionItemSerializer,
    ActionItemUpdateSerializer,
    ChannelSerializer,
    IncidentCancelSerializer,
    IncidentContainSerializer,
    IncidentCorrectTimestampSerializer,
    IncidentDeclareSerializer,
    IncidentEditSerializer,
    IncidentNoteSerializer,
    IncidentReopenSerializer,
    IncidentResolveSerializer,
    IncidentRoleSerializer,
    IncidentSerializer,
    IncidentSeverityChangeSerializer,
    IncidentTriageSerializer,
    PostMortemEditSerializer,
    PostMortemSerializer,
    SeveritySerializer,
    StatusUpdatePostSerializer,
    StatusUpdateSerializer,
    TimelineEventSerializer,
    TimelinePinSerializer,
)

# The incident's people the representation shows, read in one query (read_queryset).
PEOPLE_FIELDS = ("declared_by", "commander", "communications_lead", "scribe",
                 "vendor_liaison")
WORK_INCIDENT = ["incidents.work_incident"]
VIEW_INCIDENT = ["incidents.view_incident"]


@extend_schema_view(
    list=extend_schema(summary="List incidents"),
    retrieve=extend_schema(summary="One incident", responses={200: IncidentSerializer}),
)
class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Incidents: declare, read, edit, and run through their lifecycle.

    `declared → triaged → contained → resolved → postmortem → closed`, with `cancel`
    (from declared or triaged) and `reopen` (from resolved or post-mortem). Each
    transition is its own `POST /api/incidents/{id}/<transition>/`.
    """

    queryset = Incident.objects.all()
    serializer_class = IncidentSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = IncidentFilter
    search_fields = list(SEARCH_FIELDS)  # the list page's and global search's
    ordering_fields = ["declared_at", "reference", "severity__rank", "priority", "state",
                       "title"]
    ordering = ["-declared_at", "-pk"]
    action_permissions = {
        "create": ["incidents.declare_incident"],
        "partial_update": WORK_INCIDENT,
        "change_severity": WORK_INCIDENT,
        "triage": WORK_INCIDENT,
        "contain": WORK_INCIDENT,
        "resolve": WORK_INCIDENT,
        "start_postmortem": WORK_INCIDENT,
        "reopen": WORK_INCIDENT,
        # Manager or the commander: the model's permission (can_close_or_cancel) decides.
        "close": VIEW_INCIDENT,
        "cancel": VIEW_INCIDENT,
        "roles": WORK_INCIDENT,
        "correct_timestamp": WORK_INCIDENT,
        "timeline": ["incidents.view_timelineevent"],
        "notes": ["incidents.view_timelineevent"],
        "add_note": WORK_INCIDENT,
        "pin": WORK_INCIDENT,
        "status_updates": ["incidents.view_statusupdate"],
        "post_status_update": WORK_INCIDENT,
        "postmortem": ["incidents.view_postmortem"],
        "edit_postmortem": ["incidents.write_postmortem"],
        "submit_postmortem": ["incidents.write_postmortem"],
        # The reviewer or a manager: postmortem_transition decides.
        "publish_postmortem": ["incidents.view_postmortem"],
        "request_postmortem_changes": ["incidents.view_postmortem"],
        "action_items": ["incidents.view_actionitem"],
        "create_action_item": ["incidents.add_action_item"],
    }

    def read_queryset(self):
        """Everything the representation shows but the people (``_render`` reads
        them), in a fixed number of queries."""
        # The five people are one query after the page (prefetch_foreign_keys), not five
        # joins: PostgreSQL spent 120–190 ms *planning* the eight-way join on every
        # request against ~1 ms running it (bench/bench_lists.py); three tables plan
        # at once.
        return Incident.objects.select_related("severity", "duplicate_of").prefetch_related(
            "channels", "participants")

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return self.read_queryset()
        # Writes re-read the row under lock in the service; no need to prefetch here.
        return Incident.objects.all()

    def filter_queryset(self, queryset):
        """The list's filters are the incident list page's (``incident_list``);
        search and ordering as everywhere."""
        if self.action != "list":
            return super().filter_queryset(queryset)
        filterset = incident_list(filters=self.request.query_params, user=self.request.user,
                                  queryset=queryset)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        queryset = filterset.qs
        for backend in self.filter_backends:
            if not issubclass(backend, DjangoFilterBackend):
                queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        incidents = prefetch_foreign_keys(page if page is not None else queryset,
                                          *PEOPLE_FIELDS)
        # One query for the clocks of the whole page (no GenericRelation to prefetch).
        serializer = self.get_serializer(incidents, many=True, context={
            **self.get_serializer_context(), "clocks": running_clocks_by_object(incidents),
        })
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        return self._render(self.get_object())

    def _respond(self, incident, status_code=status.HTTP_200_OK):
        return self._render(self.read_queryset().get(pk=incident.pk), status_code)

    def _render(self, incident, status_code=status.HTTP_200_OK):
        prefetch_foreign_keys([incident], *PEOPLE_FIELDS)
        context = {**self.get_serializer_context(),
                   "clocks": running_clocks_by_object([incident])}
        return Response(IncidentSerializer(incident, context=context).data, status=status_code)

    # --- Create and edit -------------------------------------------------------------

    @extend_schema(summary="Declare an incident", request=IncidentDeclareSerializer,
                   responses={201: IncidentSerializer})
    def create(self, request, *args, **kwargs):
        """Declare an incident. It gets a reference, its severity's SLA clocks start,
        and SEV1/SEV2 page managers and responders."""
        data = validated_input(self, IncidentDeclareSerializer)
        data, extra = registry.split_extension_data(DECLARE_FORM, data, request.user)
        with transaction.atomic():
            incident = services.incident_declare(
                by=request.user, channels=data.pop("channels", []), **data)
            registry.apply_form_extensions(DECLARE_FORM, incident, extra, by=request.user)
        return self._respond(incident, status.HTTP_201_CREATED)

    @extend_schema(summary="Edit descriptive fields", request=IncidentEditSerializer,
                   responses={200: IncidentSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Edit title, summary, priority, impact, channels, talk track… State, severity
        and roles have their own actions."""
        data = validated_input(self, IncidentEditSerializer, partial=True)
        incident = services.incident_edit(incident=self.get_object(), by=request.user,
                                          channels=data.pop("channels", None), **data)
        return self._respond(incident)

    @extend_schema(summary="Change severity", request=IncidentSeverityChangeSerializer,
                   responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"], url_path="severity")
    def change_severity(self, request, pk=None):
        """Raise or lower the severity, with a reason. Running clocks take the new
        targets; raising to SEV1/SEV2 pages people."""
        data = validated_input(self, IncidentSeverityChangeSerializer)
        incident = services.incident_change_severity(incident=self.get_object(), by=request.user,
                                                     **data)
        return self._respond(incident)

    # --- Transitions -------------------------------------------------------------------

    @extend_schema(summary="Triage", request=IncidentTriageSerializer,
                   responses={200: IncidentSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        """declared → triaged. Needs a severity and a commander (given here or already
        set). Stops the triage clock."""
        data = validated_input(self, IncidentTriageSerializer)
        incident = services.incident_triage(incident=self.get_object(), by=request.user, **data)
        return self._respond(incident)

    @extend_schema(summary="Contain", request=IncidentContainSerializer,
                   responses={200: IncidentSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def contain(self, request, pk=None):
        """triaged → contained. Needs `containment_summary`: how customers stopped
        being hurt. Stops the containment clock."""
        data = validated_input(self, IncidentContainSerializer)
        incident = services.incident_contain(incident=self.get_object(), by=request.user,
                                             summary=data["containment_summary"])
        return self._respond(incident)

    @extend_schema(summary="Resolve", request=IncidentResolveSerializer,
                   responses={200: IncidentSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """triaged or contained → resolved. Needs `resolution_summary`. Stops the
        response clocks and starts the post-mortem clock where one is due."""
        data = validated_input(self, IncidentResolveSerializer)
        incident = services.incident_resolve(incident=self.get_object(), by=request.user,
                                             summary=data["resolution_summary"])
        return self._respond(incident)

    @extend_schema(summary="Start the post-mortem", request=None,
                   responses={200: IncidentSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="start-postmortem")
    def start_postmortem(self, request, pk=None):
        """resolved → postmortem. Drafts the post-mortem (if none yet)."""
        incident = services.incident_start_postmortem(incident=self.get_object(),
                                                      by=request.user)
        return self._respond(incident)

    @extend_schema(summary="Close", request=None,
                   responses={200: IncidentSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """resolved or postmortem → closed, by a manager or the commander. Needs the
        post-mortem published (where the severity requires one) and every action item
        owned and dated."""
        incident = services.incident_close(incident=self.get_object(), by=request.user)
        return self._respond(incident)

    @extend_schema(summary="Cancel", request=IncidentCancelSerializer,
                   responses={200: IncidentSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """declared or triaged → cancelled, by a manager or the commander. Needs
        `cancel_reason`; `duplicate_of` links the incident it duplicates."""
        data = validated_input(self, IncidentCancelSerializer)
        incident = services.incident_cancel(incident=self.get_object(), by=request.user,
                                            reason=data["cancel_reason"],
                                            duplicate_of=data.get("duplicate_of"))
        return self._respond(incident)

    @extend_schema(summary="Reopen", request=IncidentReopenSerializer,
                   responses={200: IncidentSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """resolved or postmortem → triaged, with a `reason`. The response clocks start
        a new cycle."""
        data = validated_input(self, IncidentReopenSerializer)
        incident = services.incident_reopen(incident=self.get_object(), by=request.user,
                                            reason=data["reason"])
        return self._respond(incident)

    # --- Roles, corrections ------------------------------------------------------------

    @extend_schema(summary="Assign a role", request=IncidentRoleSerializer,
                   responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def roles(self, request, pk=None):
        """Give a role (commander, communications_lead, scribe, vendor_liaison) to a
        user, or take it away with `user: null`. The user joins the participants."""
        data = validated_input(self, IncidentRoleSerializer)
        incident = services.incident_assign_role(incident=self.get_object(), by=request.user,
                                                 role=data["role"], user=data["user"])
        return self._respond(incident)

    @extend_schema(summary="Correct a stage time", request=IncidentCorrectTimestampSerializer,
                   responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"], url_path="correct-timestamp")
    def correct_timestamp(self, request, pk=None):
        """Correct a stage time (e.g. the outage began before it was declared), with a
        `reason`. Stage times never go backwards; the correction is audited and on the
        timeline."""
        data = validated_input(self, IncidentCorrectTimestampSerializer)
        incident = services.incident_correct_timestamp(incident=self.get_object(),
                                                       by=request.user, **data)
        return self._respond(incident)

    # --- Timeline and notes ------------------------------------------------------------

    @extend_schema(summary="Timeline", responses={200: TimelineEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """What happened, oldest first: declaration, transitions, severity and role
        changes, notes, status updates, clock warnings and breaches."""
        events = self.get_object().timeline.select_related("actor").order_by("at", "pk")
        return Response(TimelineEventSerializer(events, many=True).data)

    @extend_schema(summary="Notes", responses={200: TimelineEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def notes(self, request, pk=None):
        """The notes on the timeline, pinned first."""
        events = (self.get_object().timeline.filter(kind=TimelineKind.NOTE)
                  .select_related("actor").order_by("-pinned", "at", "pk"))
        return Response(TimelineEventSerializer(events, many=True).data)

    @extend_schema(summary="Add a note", request=IncidentNoteSerializer,
                   responses={201: TimelineEventSerializer})
    @notes.mapping.post
    def add_note(self, request, pk=None):
        """Add a note to the timeline (optionally pinned)."""
        data = validated_input(self, IncidentNoteSerializer)
        event = services.incident_add_note(incident=self.get_object(), by=request.user,
                                           text=data["text"], pinned=data["pinned"])
        return Response(TimelineEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Pin or unpin a timeline event", request=TimelinePinSerializer,
                   responses={200: TimelineEventSerializer})
    @action(detail=True, methods=["post"])
    def pin(self, request, pk=None):
        """Pin (or unpin) one of this incident's timeline events."""
        data = validated_input(self, TimelinePinSerializer)
        event = get_object_or_404(self.get_object().timeline, pk=data["event"])
        event = services.timeline_pin(event=event, by=request.user, pinned=data["pinned"])
        return Response(TimelineEventSerializer(event).data)

    # --- Status updates ----------------------------------------------------------------

    @extend_schema(summary="Status updates", responses={200: StatusUpdateSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="status-updates")
    def status_updates(self, request, pk=None):
        """Status updates, newest first."""
        updates = (self.get_object().status_updates.select_related("posted_by")
                   .prefetch_related("channels"))
        return Response(StatusUpdateSerializer(updates, many=True).data)

    @extend_schema(summary="Post a status update", request=StatusUpdatePostSerializer,
                   responses={201: StatusUpdateSerializer})
    @status_updates.mapping.post
    def post_status_update(self, request, pk=None):
        """Post an internal, customer-facing or executive update (Markdown). A
        customer-facing or executive one restarts the update-cadence clock."""
        data = validated_input(self, StatusUpdatePostSerializer)
        update = services.status_update_post(incident=self.get_object(), by=request.user,
                                             audience=data["audience"], body=data["body"],
                                             channels=data.get("channels", []))
        return Response(StatusUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    # --- Post-mortem -------------------------------------------------------------------

    def _postmortem(self):
        return get_object_or_404(
            PostMortem.objects.select_related("incident", "author", "reviewer"),
            incident=self.get_object(),
        )

    def _postmortem_response(self, postmortem, status_code=status.HTTP_200_OK):
        postmortem = PostMortem.objects.select_related("incident", "author", "reviewer").get(
            pk=postmortem.pk)
        return Response(PostMortemSerializer(postmortem, context=self.get_serializer_context())
                        .data, status=status_code)

    @extend_schema(summary="The post-mortem", responses={200: PostMortemSerializer})
    @action(detail=True, methods=["get"])
    def postmortem(self, request, pk=None):
        """The incident's post-mortem, with the timeline built in. 404 until it is
        drafted (by start-postmortem or a first PATCH)."""
        return self._postmortem_response(self._postmortem())

    @extend_schema(summary="Edit the post-mortem", request=PostMortemEditSerializer,
                   responses={200: PostMortemSerializer, 201: PostMortemSerializer})
    @postmortem.mapping.patch
    def edit_postmortem(self, request, pk=None):
        """Edit the draft post-mortem (drafted now if there is none: 201). Only a draft
        can be edited; `request-changes` reopens one in review."""
        data = validated_input(self, PostMortemEditSerializer, partial=True)
        incident = self.get_object()
        with transaction.atomic():
            created = not PostMortem.objects.filter(incident=incident).exists()
            postmortem = services.postmortem_get_or_create(incident=incident, by=request.user)
            postmortem = services.postmortem_edit(postmortem=postmortem, by=request.user, **data)
        return self._postmortem_response(
            postmortem, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _postmortem_transition(self, name):
        postmortem = services.postmortem_transition(postmortem=self._postmortem(),
                                                    by=self.request.user, name=name)
        return self._postmortem_response(postmortem)

    @extend_schema(summary="Submit the post-mortem for review", request=None,
                   responses={200: PostMortemSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="postmortem/submit")
    def submit_postmortem(self, request, pk=None):
        """draft → in_review. Needs a summary, a root cause and a reviewer."""
        return self._postmortem_transition("submit")

    @extend_schema(summary="Publish the post-mortem", request=None,
                   responses={200: PostMortemSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="postmortem/publish")
    def publish_postmortem(self, request, pk=None):
        """in_review → published, by the reviewer or a manager. Stops the post-mortem
        clock."""
        return self._postmortem_transition("publish")

    @extend_schema(summary="Send the post-mortem back for changes", request=None,
                   responses={200: PostMortemSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="postmortem/request-changes")
    def request_postmortem_changes(self, request, pk=None):
        """in_review → draft, by the reviewer or a manager."""
        return self._postmortem_transition("request_changes")

    # --- Action items ------------------------------------------------------------------

    @extend_schema(summary="Action items", responses={200: ActionItemSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="action-items")
    def action_items(self, request, pk=None):
        """The incident's action items, by due date."""
        items = self.get_object().action_items.select_related("incident", "owner")
        return Response(ActionItemSerializer(items, many=True,
                                             context=self.get_serializer_context()).data)

    @extend_schema(summary="Add an action item", request=ActionItemCreateSerializer,
                   responses={201: ActionItemSerializer})
    @action_items.mapping.post
    def create_action_item(self, request, pk=None):
        """Add a corrective, preventive or detective action item. A due date starts its
        clock, which warns the owner."""
        data = validated_input(self, ActionItemCreateSerializer)
        item = services.action_item_create(incident=self.get_object(), by=request.user, **data)
        return Response(ActionItemSerializer(item, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class ActionItemFilter(FilterSet):
    owner = UserIdOrMeFilter(field_name="owner", help_text="A user id, or `me`.")
    state = django_filters.MultipleChoiceFilter(choices=ActionItemState.choices,
                                                help_text="Repeat for several states.")
    overdue = django_filters.BooleanFilter(method="filter_overdue",
                                           help_text="Open or in progress and past due.")
    incident = IdFilter(field_name="incident_id")

    class Meta:
        model = ActionItem
        fields = ["owner", "state", "overdue", "incident", "kind"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"due_date__lt": timezone.localdate(),
                   "state__in": ACTION_ITEM_OPEN_STATES}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


@extend_schema_view(
    list=extend_schema(summary="List action items"),
    retrieve=extend_schema(summary="One action item",
                           responses={200: ActionItemSerializer}),
)
class ActionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Action items from every incident: `?owner=me` is "my action items".

    `open → in_progress → done`, or `won't do` with a reason. Add them on the incident
    (`POST /api/incidents/{id}/action-items/`).
    """

    queryset = ActionItem.objects.select_related("incident", "owner")
    serializer_class = ActionItemSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = ActionItemFilter
    search_fields = ["title", "incident__reference"]
    ordering_fields = ["due_date", "created_at", "state"]
    ordering = ["due_date", "pk"]
    action_permissions = {
        "partial_update": ["incidents.reschedule_action_item"],
        # The owner may move their own item: action_item_transition decides.
        "start": ["incidents.view_actionitem"],
        "complete": ["incidents.view_actionitem"],
        "decline": ["incidents.view_actionitem"],
    }

    def _respond(self, item):
        item = self.get_queryset().get(pk=item.pk)
        return Response(self.get_serializer(item).data)

    @extend_schema(summary="Change owner, due date or title", request=ActionItemUpdateSerializer,
                   responses={200: ActionItemSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change the owner, the due date (restarts its clock) or the title."""
        data = validated_input(self, ActionItemUpdateSerializer, partial=True)
        item = services.action_item_update(item=self.get_object(), by=request.user,
                                           owner=data.get("owner", ...),
                                           due_date=data.get("due_date", ...),
                                           title=data.get("title"))
        return self._respond(item)

    @extend_schema(summary="Start", request=None,
                   responses={200: ActionItemSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """open → in_progress (the owner or a responder)."""
        item = services.action_item_transition(item=self.get_object(), by=request.user,
                                               name="start")
        return self._respond(item)

    @extend_schema(summary="Complete", request=None,
                   responses={200: ActionItemSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """open or in_progress → done. Stops its clock."""
        item = services.action_item_transition(item=self.get_object(), by=request.user,
                                               name="complete")
        return self._respond(item)

    @extend_schema(summary="Won't do", request=ActionItemDeclineSerializer,
                   responses={200: ActionItemSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """open or in_progress → won't do. Needs a `reason` (400 names
        `wont_do_reason` without one)."""
        data = validated_input(self, ActionItemDeclineSerializer)
        item = services.action_item_transition(item=self.get_object(), by=request.user,
                                               name="decline", reason=data["reason"])
        return self._respond(item)


class SeverityViewSet(viewsets.ReadOnlyModelViewSet):
    """Severities and their SLA targets (SEV1 most severe). Managers edit them in the
    admin."""

    queryset = Severity.objects.order_by("rank")
    serializer_class = SeveritySerializer
    lookup_field = "key"
    filterset_fields = ["postmortem_required"]
    ordering_fields = ["rank", "key"]


class ChannelViewSet(viewsets.ReadOnlyModelViewSet):
    """Customer-facing channels an incident can affect. Managers edit them in the admin."""

    queryset = Channel.objects.order_by("order", "name")
    serializer_class = ChannelSerializer
    lookup_field = "key"
    filterset_fields = ["active"]
    ordering_fields = ["order", "name", "key"]

