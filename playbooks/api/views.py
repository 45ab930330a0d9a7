"""Playbook API: the library (playbooks, versions, steps, attach rules), runs attached
to incidents and escalations, and working their steps.

Every write parses a small input serializer and calls a service in
``playbooks/services.py``, which checks the permission again, the state and the rules,
audits and writes the owner's timeline. Refusals come back through the shared
exception handler: 409 with the allowed transitions (retiring a draft), 400 naming the
field (publishing without steps, editing a published version's steps), 403 for
permissions (an Escalation Lead working an incident's steps).

Who may call what is declared once per viewset in ``action_permissions``; reads need
the model's ``view_*`` permission, which every role holds.
"""

import django_filters
from django.apps import apps
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api.filters import FilterSet, IdFilter
from core.api.permissions import ActionPermissions
from core.api.schema import TRANSITION_ERRORS, validated_input

from .. import conditions as rule_conditions
from .. import services
from ..choices import StepState, VersionState
from ..models import (
    PUBLISH_PERMISSION,
    AttachRule,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    PlaybookVersion,
    StepRun,
)
from .serializers import (
    AttachRuleInputSerializer,
    AttachRuleSerializer,
    ChangeNoteSerializer,
    PlaybookAttachSerializer,
    PlaybookCreateSerializer,
    PlaybookDetailSerializer,
    PlaybookRunSerializer,
    PlaybookSerializer,
    PlaybookStepSerializer,
    PlaybookUpdateSerializer,
    PlaybookVersionDetailSerializer,
    PlaybookVersionSerializer,
    StepCompleteSerializer,
    StepInputSerializer,
    StepMoveSerializer,
    StepRunSerializer,
    StepSkipSerializer,
    VersionDiffQuerySerializer,
    VersionDiffSerializer,
    step_clocks,
)

EDIT_LIBRARY = [services.EDIT_PERMISSION]
PUBLISH = [PUBLISH_PERMISSION]
WORK_STEPS = ["playbooks.change_steprun"]


def _versions_with_step_counts():
    return PlaybookVersion.objects.annotate(step_count=Count("steps"))


# --- Playbooks ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List playbooks"),
    retrieve=extend_schema(summary="One playbook",
                           responses={200: PlaybookDetailSerializer}),
)
class PlaybookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """The playbook library: procedures followed on incidents or escalations.

    A playbook is written as a draft version and published; a published version never
    changes (`new-draft` copies it for the next edit). Attach rules say which
    incidents or escalations it attaches to by itself. Managers keep the library;
    everyone reads it. `?kind=` filters, `?search=` matches the name and purpose.
    """

    queryset = Playbook.objects.all()
    serializer_class = PlaybookSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_fields = ["kind"]
    search_fields = ["name", "purpose"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "pk"]
    action_permissions = {
        "create": ["playbooks.add_playbook"],
        "partial_update": EDIT_LIBRARY,
        "new_draft": EDIT_LIBRARY,
        "diff": ["playbooks.view_playbookversion"],
        "add_rule": EDIT_LIBRARY,
        "remove_rule": EDIT_LIBRARY,
    }

    def read_queryset(self, *, detail=False):
        """Everything the representation shows, in a fixed number of queries."""
        queryset = Playbook.objects.select_related("owner")
        if not detail:
            return queryset.prefetch_related(
                Prefetch("versions", queryset=PlaybookVersion.objects.order_by("-number")))
        return queryset.prefetch_related(
            Prefetch("versions", queryset=_versions_with_step_counts().order_by("-number")),
            Prefetch("rules", queryset=AttachRule.objects.select_related(
                "min_severity", "channel", "regulatory_regime").order_by("pk")))

    def get_queryset(self):
        if self.action == "list":
            return self.read_queryset()
        if self.action == "retrieve":
            return self.read_queryset(detail=True)
        # Writes re-read the row under lock in the service.
        return Playbook.objects.all()

    def get_serializer_class(self):
        return PlaybookDetailSerializer if self.action != "list" else PlaybookSerializer

    def _respond(self, playbook, status_code=status.HTTP_200_OK):
        playbook = self.read_queryset(detail=True).get(pk=playbook.pk)
        return Response(PlaybookDetailSerializer(playbook,
                                                 context=self.get_serializer_context()).data,
                        status=status_code)

    @extend_schema(summary="Add a playbook", request=PlaybookCreateSerializer,
                   responses={201: PlaybookDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Managers: a new playbook (`name`, `kind`, `purpose`, a unique `slug`, an
        optional `owner` user id). It starts with an empty draft, v1, to add steps to."""
        data = validated_input(self, PlaybookCreateSerializer)
        playbook = services.playbook_create(by=request.user, **data)
        return self._respond(playbook, status.HTTP_201_CREATED)

    @extend_schema(summary="Edit a playbook", request=PlaybookUpdateSerializer,
                   responses={200: PlaybookDetailSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Managers: change the `name`, `purpose` or `owner`. The kind is fixed (its
        rules and runs depend on it)."""
        data = validated_input(self, PlaybookUpdateSerializer, partial=True)
        playbook = services.playbook_update(playbook=self.get_object(), by=request.user,
                                            **data)
        return self._respond(playbook)

    @extend_schema(summary="Start the next version as a draft", request=ChangeNoteSerializer,
                   responses={201: PlaybookVersionDetailSerializer})
    @action(detail=True, methods=["post"], url_path="new-draft")
    def new_draft(self, request, pk=None):
        """Managers: the next version, a draft copied from the latest version's steps,
        with an optional `change_note`. A playbook has one draft at a time (400 naming
        `version` when it already has one)."""
        data = validated_input(self, ChangeNoteSerializer)
        version = services.version_new_draft(playbook=self.get_object(), by=request.user,
                                             change_note=data.get("change_note", ""))
        return Response(PlaybookVersionViewSet.render(version, self.get_serializer_context()),
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary="Compare two versions", parameters=[VersionDiffQuerySerializer],
                   responses={200: VersionDiffSerializer})
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        """`?from=<n>&to=<n>`: a unified diff of two versions' steps, by version number.
        400 naming `from` or `to` when it is missing or not a version of this playbook."""
        playbook = self.get_object()
        query = VersionDiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        numbers = {"from": query.validated_data["from"], "to": query.validated_data["to"]}
        versions = {version.number: version
                    for version in playbook.versions.filter(number__in=numbers.values())}
        unknown = {name: [f"v{number} is not a version of {playbook.name}."]
                   for name, number in numbers.items() if number not in versions}
        if unknown:
            raise serializers.ValidationError(unknown)
        lines = services.version_diff(versions[numbers["from"]], versions[numbers["to"]])
        return Response({**numbers, "lines": lines})

    @extend_schema(summary="Add an attach rule", request=AttachRuleInputSerializer,
                   responses={201: AttachRuleSerializer})
    @action(detail=True, methods=["post"], url_path="rules")
    def add_rule(self, request, pk=None):
        """Managers: a rule saying when the playbook attaches by itself. Every condition
        set must match; set at least one, and only those of the playbook's kind (400
        naming the field). It applies to changes from now on."""
        data = validated_input(self, AttachRuleInputSerializer)
        rule = services.rule_save(playbook=self.get_object(), by=request.user, **data)
        rule = AttachRule.objects.select_related(
            "min_severity", "channel", "regulatory_regime").get(pk=rule.pk)
        return Response(AttachRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove an attach rule", request=None,
                   parameters=[OpenApiParameter("rule_id", OpenApiTypes.INT,
                                                OpenApiParameter.PATH,
                                                description="The rule's id.")],
                   responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"rules/(?P<rule_id>[0-9]+)")
    def remove_rule(self, request, pk=None, rule_id=None):
        """Managers: `DELETE /api/playbooks/{id}/rules/{rule_id}/`. Runs the rule already
        attached stay; 404 for a rule of another playbook."""
        playbook = self.get_object()
        rule = get_object_or_404(AttachRule, pk=rule_id, playbook=playbook)
        services.rule_delete(rule=rule, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Versions and steps ------------------------------------------------------------------


class VersionFilter(FilterSet):
    playbook = IdFilter(field_name="playbook_id", help_text="Playbook id.")
    state = django_filters.MultipleChoiceFilter(choices=VersionState.choices,
                                                help_text="Repeat for several states.")

    class Meta:
        model = PlaybookVersion
        fields = ["playbook", "state"]


@extend_schema_view(
    list=extend_schema(summary="List playbook versions"),
    retrieve=extend_schema(summary="One playbook version, with its steps",
                           responses={200: PlaybookVersionDetailSerializer}),
)
class PlaybookVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):
    """Versions of playbooks: `draft → published → retired`.

    Only a draft's steps change (`POST {id}/steps/`, and `/api/playbook-steps/{id}/`);
    publishing retires the version published before; runs keep the version they
    started with. Managers publish and retire.
    """

    queryset = PlaybookVersion.objects.all()
    serializer_class = PlaybookVersionSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = VersionFilter
    ordering_fields = ["number", "created_at", "published_at"]
    ordering = ["playbook__name", "-number"]
    action_permissions = {
        "publish": PUBLISH,
        "retire": PUBLISH,
        "add_step": EDIT_LIBRARY,
    }

    @staticmethod
    def read_queryset(*, detail=False):
        """Everything the representation shows, in a fixed number of queries."""
        queryset = _versions_with_step_counts().select_related("playbook", "created_by",
                                                               "published_by")
        if detail:
            queryset = queryset.prefetch_related(
                Prefetch("steps", queryset=PlaybookStep.objects.order_by("position", "pk")))
        return queryset

    @classmethod
    def render(cls, version, context):
        version = cls.read_queryset(detail=True).get(pk=version.pk)
        return PlaybookVersionDetailSerializer(version, context=context).data

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return self.read_queryset(detail=self.action == "retrieve")
        return PlaybookVersion.objects.all()

    def get_serializer_class(self):
        return PlaybookVersionSerializer if self.action == "list" \
            else PlaybookVersionDetailSerializer

    def _respond(self, version):
        return Response(self.render(version, self.get_serializer_context()))

    @extend_schema(summary="Publish a draft", request=ChangeNoteSerializer,
                   responses={200: PlaybookVersionDetailSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """draft → published, with an optional `change_note`: new runs follow it; the
        version published before is retired. Needs at least one step (400 naming
        `steps`). Runs under way keep their version."""
        data = validated_input(self, ChangeNoteSerializer)
        version = services.version_publish(version=self.get_object(), by=request.user,
                                           change_note=data.get("change_note"))
        return self._respond(version)

    @extend_schema(summary="Retire the published version", request=None,
                   responses={200: PlaybookVersionDetailSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """published → retired, without a replacement: the playbook stops attaching
        (runs under way go on). A draft cannot be retired (409)."""
        version = services.version_retire(version=self.get_object(), by=request.user)
        return self._respond(version)

    @extend_schema(summary="Add a step to a draft", request=StepInputSerializer,
                   responses={201: PlaybookStepSerializer})
    @action(detail=True, methods=["post"], url_path="steps")
    def add_step(self, request, pk=None):
        """Managers: a step at the end of a draft (`title`; optional `instructions`,
        `responsible_role`, `due_offset`, `required`, `evidence`). A published or
        retired version refuses (400 naming `version`); a due offset must be positive
        (400 naming `due_offset`)."""
        data = validated_input(self, StepInputSerializer)
        step = services.step_save(version=self.get_object(), by=request.user, **data)
        return Response(PlaybookStepSerializer(step).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(summary="One playbook step",
                           responses={200: PlaybookStepSerializer}),
)
class PlaybookStepViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The steps of a version (listed in order on `/api/playbook-versions/{id}/`).
    Managers change, remove and move the steps of a draft; a published version's steps
    never change (400 naming `version`): start a new draft."""

    queryset = PlaybookStep.objects.select_related("version")
    serializer_class = PlaybookStepSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = []
    action_permissions = {
        "partial_update": EDIT_LIBRARY,
        "destroy": EDIT_LIBRARY,
        "move": EDIT_LIBRARY,
    }

    @extend_schema(summary="Change a draft's step", request=StepInputSerializer,
                   responses={200: PlaybookStepSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Send only the fields that change."""
        data = validated_input(self, StepInputSerializer, partial=True)
        step = self.get_object()
        step = services.step_save(version=step.version, by=request.user, step=step, **data)
        return Response(PlaybookStepSerializer(step).data)

    @extend_schema(summary="Remove a draft's step", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """The steps after it move up one position."""
        services.step_delete(step=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Move a draft's step", request=StepMoveSerializer,
                   responses={200: PlaybookVersionDetailSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """To `position` (1 = first); the others renumber. Answers the whole version,
        its steps in their new order. 400 naming `position` when out of range."""
        data = validated_input(self, StepMoveSerializer)
        step = services.step_move(step=self.get_object(), by=request.user,
                                  position=data["position"])
        return Response(PlaybookVersionViewSet.render(step.version,
                                                      self.get_serializer_context()))


# --- Runs ----------------------------------------------------------------------------------


class OwnerIdFilter(IdFilter):
    """``?incident=12``: runs on that incident, through the generic owner key."""

    def __init__(self, *args, model, **kwargs):
        self.owner_model = model
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if value in EMPTY_VALUES:
            return queryset
        return queryset.of_many(apps.get_model(self.owner_model), [value])


class RunFilter(FilterSet):
    incident = OwnerIdFilter(model="incidents.incident", help_text="Incident id.")
    escalation = OwnerIdFilter(model="escalations.escalation", help_text="Escalation id.")
    playbook = IdFilter(field_name="playbook_id", help_text="Playbook id.")

    class Meta:
        model = PlaybookRun
        fields = ["incident", "escalation", "playbook"]


def _run_context(view, step_runs):
    """The step clocks of a whole page in one query, judged against one "now"."""
    return {**view.get_serializer_context(), "clocks": step_clocks(step_runs),
            "now": timezone.now()}


@extend_schema_view(
    list=extend_schema(summary="List playbook runs"),
    retrieve=extend_schema(summary="One playbook run",
                           responses={200: PlaybookRunSerializer}),
)
class PlaybookRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Playbooks attached to incidents and escalations (by a rule, or by hand), each on
    the version it started with, with its steps and progress. `?incident=<id>` or
    `?escalation=<id>` gives one object's checklists."""

    queryset = PlaybookRun.objects.all()
    serializer_class = PlaybookRunSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = RunFilter
    ordering_fields = ["attached_at"]
    ordering = ["attached_at", "pk"]
    action_permissions = {"create": ["playbooks.add_playbookrun"]}

    @staticmethod
    def read_queryset():
        """Everything the representation shows, in a fixed number of queries (the step
        clocks come in one more, for the page)."""
        return PlaybookRun.objects.with_owner_reference().select_related(
            "playbook", "version", "attached_by",
            "rule__min_severity", "rule__channel", "rule__regulatory_regime",
        ).prefetch_related(Prefetch("steps", queryset=StepRun.objects.select_related(
            "step", "done_by").order_by("position", "pk")))

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return self.read_queryset()
        return PlaybookRun.objects.all()

    def _render(self, runs, **kwargs):
        step_runs = [step for run in runs for step in run.steps.all()]
        # The rules' registered conditions (vendor names…) described for the page.
        rule_conditions.describe_in_bulk(run.rule for run in runs)
        return PlaybookRunSerializer(runs, context=_run_context(self, step_runs),
                                     **kwargs).data

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        runs = list(page if page is not None else queryset)
        data = self._render(runs, many=True)
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self._render([self.get_object()], many=True)[0])

    @extend_schema(summary="Attach a playbook by hand", request=PlaybookAttachSerializer,
                   responses={201: PlaybookRunSerializer})
    def create(self, request, *args, **kwargs):
        """Attach a published playbook to an incident or an escalation of its kind
        (its rules need not match): `playbook` and exactly one of `incident` or
        `escalation` (ids; 400 naming both when neither or both are given). Needs a
        role that works that kind of object (403); never twice (400 naming
        `playbook`)."""
        data = validated_input(self, PlaybookAttachSerializer)
        run = services.playbook_attach(playbook=data["playbook"], obj=data["obj"],
                                       by=request.user)
        run = self.read_queryset().get(pk=run.pk)
        return Response(self._render([run], many=True)[0], status=status.HTTP_201_CREATED)


class StepRunFilter(FilterSet):
    run = IdFilter(field_name="run_id", help_text="Playbook run id.")
    state = django_filters.MultipleChoiceFilter(choices=StepState.choices,
                                                help_text="Repeat for several states.")

    class Meta:
        model = StepRun
        fields = ["run", "state"]


@extend_schema_view(
    list=extend_schema(summary="List step runs"),
    retrieve=extend_schema(summary="One step run",
                           responses={200: StepRunSerializer}),
)
class StepRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """The steps of playbook runs: `pending → done | skipped`.

    People who work the run's incident (Incident Responders, Managers) or escalation
    (Escalation Leads, Managers) complete and skip them; others get 403.
    """

    queryset = StepRun.objects.all()
    serializer_class = StepRunSerializer
    permission_classes = [ActionPermissions]
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = StepRunFilter
    ordering_fields = ["position"]
    ordering = ["run", "position", "pk"]
    action_permissions = {"complete": WORK_STEPS, "skip": WORK_STEPS}

    @staticmethod
    def read_queryset():
        return StepRun.objects.select_related("step", "done_by")

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return self.read_queryset()
        # The service re-reads the row under lock.
        return StepRun.objects.all()

    def _render(self, step_runs, **kwargs):
        return StepRunSerializer(step_runs, context=_run_context(self, step_runs),
                                 **kwargs).data

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        step_runs = list(page if page is not None else queryset)
        data = self._render(step_runs, many=True)
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self._render([self.get_object()], many=True)[0])

    def _respond(self, step_run):
        return Response(self._render([self.read_queryset().get(pk=step_run.pk)],
                                     many=True)[0])

    @extend_schema(summary="Complete a step", request=StepCompleteSerializer,
                   responses={200: StepRunSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"],
            parser_classes=[MultiPartParser, FormParser, JSONParser])
    def complete(self, request, pk=None):
        """pending → done, with the evidence the step asks for: a `note`, a `link`
        (https://…) or a `file` (send multipart/form-data; 10 MB at most). 400 names the
        missing one; card numbers in the note are masked. Stops the step's clock."""
        data = validated_input(self, StepCompleteSerializer)
        step_run = services.step_complete(step_run=self.get_object(), by=request.user,
                                          **data)
        return self._respond(step_run)

    @extend_schema(summary="Skip a step", request=StepSkipSerializer,
                   responses={200: StepRunSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        """pending → skipped, with a `reason` (400 naming `reason` without one).
        Required steps cannot be skipped: complete them, saying in the note if they did
        not apply. Stops the step's clock."""
        data = validated_input(self, StepSkipSerializer)
        step_run = services.step_skip(step_run=self.get_object(), by=request.user,
                                      reason=data["reason"])
        return self._respond(step_run)
