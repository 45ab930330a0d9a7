"""Incidents in the admin: history, filters, search, and the transitions as actions.

Nothing here changes an incident by itself. Edits go through ``incident_edit``,
``postmortem_edit`` and ``action_item_update``; each admin action calls the same
service as the web pages and the API, and a refusal (wrong state, a missing
requirement, not allowed) is shown as an error message naming what is missing.
State, stage times, severity and roles are read-only here: they have their own
services (transitions, ``incident_correct_timestamp``, ``incident_change_severity``,
``incident_assign_role``) because each one moves clocks or writes the timeline.
Severities and channels are plain configuration, edited here by managers.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.html import format_html

from core.admin import (
    AuditedAdmin,
    ReadOnlyInline,
    ServiceSaveAdmin,
    action_with_form,
    can_transition,
    run_for_each,
)
from core.why_not import why_not_transition

from . import services
from .models import (
    ActionItem,
    Channel,
    Incident,
    PostMortem,
    Severity,
    StatusUpdate,
    TimelineEvent,
)
from .services import why_not

# --- Shared plumbing ----------------------------------------------------------------------


def _can(request, name, fills):
    """Asked before an action's form: may this incident take transition ``name`` now
    (whatever the form will be given for ``fills``)?"""
    return lambda incident: why_not_transition(request.user, incident, name, fills=fills)



class ReasonForm(forms.Form):
    text = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                           required=False)


class ContainForm(forms.Form):
    text = forms.CharField(label="Containment summary", required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                           help_text="How customers stopped being hurt.")


class ResolveForm(forms.Form):
    text = forms.CharField(label="Resolution summary", required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                           help_text="How the incident was resolved.")


class TriageForm(forms.Form):
    severity = forms.ModelChoiceField(Severity.objects.all(), required=False,
                                      help_text="Empty: keep each incident's severity.")
    commander = forms.ModelChoiceField(get_user_model().objects.filter(is_active=True),
                                       required=False,
                                       help_text="Empty: keep each incident's commander.")


# The intermediate page of the actions that need input. Kept here, inline, because
# it is this module's only template.
# --- Configuration: severities and channels --------------------------------------------------


@admin.register(Severity)
class SeverityAdmin(AuditedAdmin):
    list_display = ["key", "name", "rank", "colour_swatch", "triage_target",
                    "containment_target", "update_cadence", "resolution_target",
                    "postmortem_due", "postmortem_required"]
    list_filter = ["postmortem_required"]
    search_fields = ["key", "name", "description"]
    ordering = ["rank"]

    @admin.display(description="Colour", ordering="colour")
    def colour_swatch(self, obj):
        return format_html('<span style="display:inline-block;width:1em;height:1em;'
                           'background:{}" title="{}"></span> {}', obj.colour, obj.colour,
                           obj.colour)


@admin.register(Channel)
class ChannelAdmin(AuditedAdmin):
    list_display = ["name", "key", "active", "order"]
    list_editable = ["active", "order"]
    list_filter = ["active"]
    search_fields = ["key", "name"]
    prepopulated_fields = {"key": ["name"]}


# --- Incidents ------------------------------------------------------------------------------


class TimelineEventInline(ReadOnlyInline):
    model = TimelineEvent
    fields = ["at", "kind", "actor", "text", "pinned"]
    readonly_fields = fields
    ordering = ["at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class StatusUpdateInline(ReadOnlyInline):
    model = StatusUpdate
    fields = ["posted_at", "audience", "body", "posted_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("posted_by")


class ActionItemInline(ReadOnlyInline):
    model = ActionItem
    fields = ["title", "kind", "owner", "due_date", "state"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")


INCIDENT_EDITABLE = [*services.EDITABLE_FIELDS, "channels"]


@admin.register(Incident)
class IncidentAdmin(ServiceSaveAdmin):
    list_display = ["reference", "title", "severity", "state", "priority", "commander",
                    "declared_at"]
    list_filter = ["state", "severity", "priority", "channels", "declared_via",
                   "declared_at"]
    search_fields = ["reference", "title", "summary", "affected_services"]
    list_select_related = ["severity", "commander"]
    date_hierarchy = "declared_at"
    filter_horizontal = ["channels"]
    fieldsets = [
        (None, {"fields": ["reference", "title", "state", "severity", "priority", "summary"]}),
        ("Impact", {"fields": ["channels", "affected_services", "customer_impact",
                               "contacts_affected", "agents_idle", "talk_track"]}),
        ("People", {"fields": ["declared_by", "declared_via", "commander",
                               "communications_lead", "scribe", "vendor_liaison",
                               "participants"]}),
        ("Outcome", {"fields": ["containment_summary", "resolution_summary", "cancel_reason",
                                "duplicate_of"]}),
        ("Stage times", {"fields": ["declared_at", "triaged_at", "contained_at", "resolved_at",
                                    "postmortem_started_at", "closed_at", "cancelled_at"]}),
    ]
    inlines = [TimelineEventInline, StatusUpdateInline, ActionItemInline]
    actions = ["triage_selected", "contain_selected", "resolve_selected",
               "start_postmortem_selected", "close_selected", "cancel_selected",
               "reopen_selected"]

    def get_readonly_fields(self, request, obj=None):
        every = [name for _, options in self.fieldsets for name in options["fields"]]
        return [name for name in every if name not in INCIDENT_EDITABLE]

    def has_add_permission(self, request):
        # Declaring starts clocks and pages people: the incident pages and the API do it.
        return False

    def has_change_permission(self, request, obj=None):
        # Editing goes through incident_edit, which asks the same why-not.
        return why_not.why_not_edit(request.user, obj) is None

    def has_delete_permission(self, request, obj=None):
        # An incident is cancelled, never deleted: its history is the record.
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name in services.EDITABLE_FIELDS}
        channels = form.cleaned_data["channels"] if "channels" in form.changed_data else None
        services.incident_edit(incident=obj, by=request.user, channels=channels, **fields)

    def save_related(self, request, form, formsets, change):
        # incident_edit set the channels (audited). The inlines are read-only:
        # commit=False writes nothing and fills the lists the change message reads.
        for formset in formsets:
            formset.save(commit=False)

    # -- Transitions, each through its service ------------------------------------------

    @admin.action(description="Triage selected…", permissions=["change"])
    def triage_selected(self, request, queryset):
        def call(incident, data):
            services.incident_triage(incident=incident, by=request.user,
                                     severity=data["severity"], commander=data["commander"])

        return action_with_form(self, request, queryset, form_class=TriageForm,
                                action="triage_selected",
                                why_not=_can(request, "triage", {"severity", "commander"}),
                                title="Triage", call=call,
                                done="Triaged")

    @admin.action(description="Contain selected…", permissions=["change"])
    def contain_selected(self, request, queryset):
        def call(incident, data):
            services.incident_contain(incident=incident, by=request.user, summary=data["text"])

        return action_with_form(self, request, queryset, form_class=ContainForm,
                                action="contain_selected",
                                why_not=_can(request, "contain", {"containment_summary"}),
                                title="Contain", call=call,
                                done="Contained")

    @admin.action(description="Resolve selected…", permissions=["change"])
    def resolve_selected(self, request, queryset):
        def call(incident, data):
            services.incident_resolve(incident=incident, by=request.user, summary=data["text"])

        return action_with_form(self, request, queryset, form_class=ResolveForm,
                                action="resolve_selected",
                                why_not=_can(request, "resolve", {"resolution_summary"}),
                                title="Resolve", call=call,
                                done="Resolved")

    @admin.action(description="Start the post-mortem of selected", permissions=["change"])
    def start_postmortem_selected(self, request, queryset):
        run_for_each(request, queryset, lambda incident: services.incident_start_postmortem(
            incident=incident, by=request.user), done="Post-mortem started")

    # Close and cancel: the model's rule (a manager or the commander) is checked by
    # the service for each incident, so the action is offered to anyone who can view.
    @admin.action(description="Close selected", permissions=["view"])
    def close_selected(self, request, queryset):
        run_for_each(request, queryset, lambda incident: services.incident_close(
            incident=incident, by=request.user), done="Closed")

    @admin.action(description="Cancel selected (false alarm)…", permissions=["view"])
    def cancel_selected(self, request, queryset):
        def call(incident, data):
            services.incident_cancel(incident=incident, by=request.user, reason=data["text"])

        return action_with_form(self, request, queryset, form_class=ReasonForm,
                                action="cancel_selected",
                                why_not=_can(request, "cancel", {"cancel_reason"}),
                                title="Cancel as a false alarm",
                                call=call, done="Cancelled")

    @admin.action(description="Reopen selected…", permissions=["change"])
    def reopen_selected(self, request, queryset):
        def call(incident, data):
            services.incident_reopen(incident=incident, by=request.user, reason=data["text"])

        return action_with_form(self, request, queryset, form_class=ReasonForm,
                                action="reopen_selected",
                                why_not=_can(request, "reopen", {"reason"}),
                                title="Reopen", call=call,
                                done="Reopened")


@admin.register(TimelineEvent)
class TimelineEventAdmin(AuditedAdmin):
    list_display = ["at", "incident", "kind", "actor", "short_text", "pinned"]
    list_filter = ["kind", "pinned", "at"]
    search_fields = ["text", "incident__reference"]
    list_select_related = ["incident", "actor"]
    date_hierarchy = "at"
    actions = ["pin_selected", "unpin_selected"]

    @admin.display(description="Text")
    def short_text(self, obj):
        return obj.text[:100]

    # The timeline is written by the services; only pinning changes here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_pin_permission(self, request):
        return request.user.has_perm("incidents.work_incident")

    @admin.action(description="Pin selected", permissions=["pin"])
    def pin_selected(self, request, queryset):
        run_for_each(request, queryset, lambda event: services.timeline_pin(
            event=event, by=request.user, pinned=True), done="Pinned")

    @admin.action(description="Unpin selected", permissions=["pin"])
    def unpin_selected(self, request, queryset):
        run_for_each(request, queryset, lambda event: services.timeline_pin(
            event=event, by=request.user, pinned=False), done="Unpinned")


@admin.register(StatusUpdate)
class StatusUpdateAdmin(AuditedAdmin):
    list_display = ["posted_at", "incident", "audience", "posted_by"]
    list_filter = ["audience", "posted_at"]
    search_fields = ["body", "incident__reference"]
    list_select_related = ["incident", "posted_by"]
    date_hierarchy = "posted_at"

    # Posting restarts the update clock: status_update_post does it, not the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PostMortem)
class PostMortemAdmin(ServiceSaveAdmin):
    list_display = ["incident", "state", "author", "reviewer", "submitted_at", "published_at"]
    list_filter = ["state", "published_at"]
    search_fields = ["incident__reference", "incident__title", "summary", "root_cause"]
    list_select_related = ["incident", "author", "reviewer"]
    readonly_fields = ["incident", "state", "author", "submitted_at", "published_at",
                       "created_at"]
    fields = ["incident", "state", "author", *services.POSTMORTEM_FIELDS, "submitted_at",
              "published_at", "created_at"]
    actions = ["submit_selected", "publish_selected", "request_changes_selected"]

    def has_add_permission(self, request):
        return False  # drafted when the incident's post-mortem starts

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Only a draft is edited (postmortem_edit asks the same why-not); in review or
        # published it is shown read-only and moved with the actions.
        if obj is None:
            return request.user.has_perm("incidents.write_postmortem")
        return why_not.why_not_edit_postmortem(request.user, obj) is None

    def has_transition_permission(self, request):
        # Submitting needs the change permission, signing off the reviewer or a
        # manager: postmortem_transition decides for each post-mortem.
        return request.user.has_perm("incidents.view_postmortem")

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name in services.POSTMORTEM_FIELDS}
        services.postmortem_edit(postmortem=obj, by=request.user, **fields)

    def _transition(self, request, queryset, name, done):
        run_for_each(request, queryset, lambda postmortem: services.postmortem_transition(
            postmortem=postmortem, by=request.user, name=name), done=done)

    @admin.action(description="Submit selected for review", permissions=["transition"])
    def submit_selected(self, request, queryset):
        self._transition(request, queryset, "submit", "Submitted")

    @admin.action(description="Publish selected", permissions=["transition"])
    def publish_selected(self, request, queryset):
        self._transition(request, queryset, "publish", "Published")

    @admin.action(description="Send selected back for changes", permissions=["transition"])
    def request_changes_selected(self, request, queryset):
        self._transition(request, queryset, "request_changes", "Sent back")


@admin.register(ActionItem)
class ActionItemAdmin(ServiceSaveAdmin):
    list_display = ["title", "incident", "kind", "owner", "due_date", "state"]
    list_filter = ["state", "kind", "due_date"]
    search_fields = ["title", "description", "incident__reference"]
    list_select_related = ["incident", "owner"]
    fields = ["incident", "kind", "title", "description", "owner", "due_date", "state",
              "wont_do_reason", "done_at", "created_at"]
    readonly_fields = ["incident", "kind", "description", "state", "wont_do_reason", "done_at",
                       "created_at"]
    actions = ["start_selected", "complete_selected", "decline_selected"]

    def has_add_permission(self, request):
        return False  # added on the incident (action_item_create writes the timeline)

    def has_change_permission(self, request, obj=None):
        return why_not.why_not_reschedule_action_item(request.user, obj) is None

    def has_delete_permission(self, request, obj=None):
        return False

    def has_transition_permission(self, request):
        # The owner or a responder: action_item_transition decides for each item.
        return request.user.has_perm("incidents.view_actionitem")

    def save_model(self, request, obj, form, change):
        changed = set(form.changed_data)
        services.action_item_update(
            item=obj, by=request.user,
            owner=form.cleaned_data["owner"] if "owner" in changed else ...,
            due_date=form.cleaned_data["due_date"] if "due_date" in changed else ...,
            title=form.cleaned_data["title"] if "title" in changed else None,
        )

    @admin.action(description="Start selected", permissions=["transition"])
    def start_selected(self, request, queryset):
        run_for_each(request, queryset, lambda item: services.action_item_transition(
            item=item, by=request.user, name="start"), done="Started")

    @admin.action(description="Complete selected", permissions=["transition"])
    def complete_selected(self, request, queryset):
        run_for_each(request, queryset, lambda item: services.action_item_transition(
            item=item, by=request.user, name="complete"), done="Completed")

    @admin.action(description="Won't do selected…", permissions=["transition"])
    def decline_selected(self, request, queryset):
        def call(item, data):
            services.action_item_transition(item=item, by=request.user, name="decline",
                                            reason=data["text"])

        return action_with_form(self, request, queryset, form_class=ReasonForm,
                                action="decline_selected",
                                why_not=can_transition(request, "decline"),
                                title="Won't do", call=call,
                                done="Marked won't do")
