"""Playbooks in the admin: every model with its history; writes through the services.

Playbooks, their attach rules and the steps of drafts are edited here by managers
(``playbook_update``, ``rule_save``, ``step_save``, so a published version refuses
changes with the service's message on the form); versions are published and retired
as actions. Runs and step runs are read-only: they are worked on the incident and
escalation pages.
"""

from django import forms
from django.contrib import admin

from core.admin import (
    AuditedAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ServiceSaveAdmin,
    run_for_each,
)

from . import conditions as rule_conditions
from . import services
from .choices import VersionState
from .models import (
    AttachRule,
    Playbook,
    PlaybookRun,
    PlaybookStep,
    PlaybookVersion,
    StepRun,
    owner_reference_contains,
)


class VersionInline(ReadOnlyInline):
    model = PlaybookVersion
    fields = ["number", "state", "change_note", "published_at", "published_by"]
    readonly_fields = fields
    ordering = ["-number"]


class RuleInline(ReadOnlyInline):
    model = AttachRule
    fields = ["min_severity", "min_priority", "channel", "category", "customer_tier",
              "regulatory", "regulatory_regime", "description"]
    readonly_fields = fields

    @admin.display(description="Attaches when")
    def description(self, rule):
        return rule.describe()


@admin.register(Playbook)
class PlaybookAdmin(ServiceSaveAdmin):
    list_display = ["name", "kind", "slug", "owner", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "purpose"]
    list_select_related = ["owner"]
    inlines = [RuleInline, VersionInline]

    def get_readonly_fields(self, request, obj=None):
        # The kind is fixed once created: its rules and runs depend on it.
        return ["kind", "slug"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data
                      if name in ("name", "purpose", "owner")}
            services.playbook_update(playbook=obj, by=request.user, **fields)
        else:
            created = services.playbook_create(
                by=request.user, **{name: form.cleaned_data[name]
                                    for name in ("name", "kind", "purpose", "slug", "owner")})
            obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # read-only inlines: nothing to write
            formset.save(commit=False)


class StepInline(ReadOnlyInline):
    model = PlaybookStep
    fields = ["position", "title", "responsible_role", "due_offset", "required", "evidence"]
    readonly_fields = fields
    ordering = ["position"]


@admin.register(PlaybookVersion)
class PlaybookVersionAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["playbook", "number", "state", "change_note", "published_at",
                    "published_by"]
    list_filter = ["state", "playbook__kind"]
    search_fields = ["playbook__name", "change_note"]
    list_select_related = ["playbook", "published_by"]
    inlines = [StepInline]
    actions = ["publish_selected", "retire_selected"]

    def has_change_permission(self, request, obj=None):
        return False  # the actions below are the only changes

    @admin.action(description="Publish selected drafts (retires the published one)",
                  permissions=["publish"])
    def publish_selected(self, request, queryset):
        run_for_each(request, queryset.filter(state=VersionState.DRAFT),
                     lambda version: services.version_publish(version=version,
                                                              by=request.user),
                     done="Published")

    @admin.action(description="Retire selected published versions", permissions=["publish"])
    def retire_selected(self, request, queryset):
        run_for_each(request, queryset, lambda version: services.version_retire(
            version=version, by=request.user), done="Retired")

    def has_publish_permission(self, request):
        return request.user.has_perm("playbooks.publish_playbookversion")


@admin.register(PlaybookStep)
class PlaybookStepAdmin(ServiceSaveAdmin):
    """Steps of drafts; a published version's steps are refused by the service."""

    list_display = ["version", "position", "title", "responsible_role", "due_offset",
                    "required", "evidence"]
    list_filter = ["version__state", "required", "evidence", "responsible_role"]
    search_fields = ["title", "instructions", "version__playbook__name"]
    list_select_related = ["version__playbook"]
    readonly_fields = ["position"]

    def get_readonly_fields(self, request, obj=None):
        return ["version", "position"] if obj is not None else ["position"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.STEP_FIELDS
                  if name in form.cleaned_data}
        version = obj.version
        saved = services.step_save(version=version, by=request.user,
                                   step=obj if change else None, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.step_delete(step=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.version.state != VersionState.DRAFT:
            return False
        return super().has_delete_permission(request, obj)


class AttachRuleForm(forms.ModelForm):
    """The rule's own fields, then those of the conditions other apps register
    (``playbooks/conditions.py``), their stored values as the initial data."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in rule_conditions.initial_values(
                self.instance.extra_conditions).items():
            if name in self.fields:
                self.initial.setdefault(name, value)

    def clean(self):
        cleaned = super().clean()
        # The model's own check ("set at least one condition") runs on the instance
        # before the service does: it must see the registered conditions chosen here.
        names = rule_conditions.condition_field_names()
        self.instance.extra_conditions = rule_conditions.merge(
            self.instance.extra_conditions,
            {name: value for name, value in cleaned.items() if name in names})
        return cleaned


@admin.register(AttachRule)
class AttachRuleAdmin(ServiceSaveAdmin):
    list_display = ["playbook", "description"]
    list_filter = ["playbook__kind", "channel", "min_severity"]
    search_fields = ["playbook__name"]
    list_select_related = ["playbook", "min_severity", "channel", "regulatory_regime"]
    # Edited through the registered conditions' own fields, never as raw JSON.
    exclude = ["extra_conditions"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # Built per request: the conditions are registered by other apps at start-up.
        kwargs["form"] = type("AttachRuleForm", (AttachRuleForm,),
                              {"__module__": __name__, **rule_conditions.form_fields()})
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description="Attaches when")
    def description(self, rule):
        return rule.describe()

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.fields if name != "playbook"}
        saved = services.rule_save(playbook=obj.playbook, by=request.user,
                                   rule=obj if change else None, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.rule_delete(rule=obj, by=request.user)


class StepRunInline(ReadOnlyInline):
    model = StepRun
    fields = ["position", "step", "state", "done_by", "done_at", "note", "link", "file",
              "skip_reason"]
    readonly_fields = fields
    show_change_link = False


class OwnerSearchMixin:
    """Search also finds runs by their incident's or escalation's reference: a generic
    key has no ``incident__reference`` path for ``search_fields`` to follow."""

    owner_path = ""

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset,
                                                                search_term)
        if search_term.strip():
            found |= queryset.filter(owner_reference_contains(search_term.strip(),
                                                              self.owner_path))
        return found, may_have_duplicates


@admin.register(PlaybookRun)
class PlaybookRunAdmin(OwnerSearchMixin, ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["playbook", "version", "owner_reference", "attached_how", "attached_at"]
    list_filter = ["playbook", "attached_how"]
    search_fields = ["playbook__name"]
    list_select_related = ["playbook", "version__playbook"]
    inlines = [StepRunInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_owner_reference()

    @admin.display(description="Incident or escalation")
    def owner_reference(self, run):
        return run.owner_reference


@admin.register(StepRun)
class StepRunAdmin(OwnerSearchMixin, ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["run", "position", "step", "state", "done_by", "done_at"]
    list_filter = ["state"]
    search_fields = ["step__title"]
    list_select_related = ["run__playbook", "run__version__playbook", "step", "done_by"]
    owner_path = "run__"

    def get_queryset(self, request):
        # A run names its owner ("… on INC-12"): one query per kind, not one per row.
        return super().get_queryset(request).prefetch_related("run__owner")
