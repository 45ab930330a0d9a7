"""Customers, escalations, SLA policies, regulatory regimes and compensation limits in
the admin.

Customers: search, filters, audited edits through the services, and "Erase on
request…" as an action. Escalations: filters, search, the timeline and incident
links, the transitions as actions calling the same services as the pages and the API
(a refusal is shown as an error naming what is missing), and the descriptive fields
edited through ``escalation_edit`` (masking, clocks, timeline); state, tier, clocks
and compensation have their own services and are read-only here. SLA policies are
saved through ``policy_save`` (a target change makes a new version); regulatory
regimes and approval limits are plain configuration, edited here by managers.

What a staff member sees follows ``escalations/visibility.py``: personal data (and
money) are left out of the list, the search, the form and the history pages for
roles without the capability. Customers are never deleted here: deleting would keep
the personal data in the history rows; erasure is the way to remove it.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models

from core.admin import (
    AuditedAdmin,
    ReadOnlyInline,
    ServiceSaveAdmin,
    action_with_form,
    run_for_each,
)

from . import services
from .choices import EscalationCategory, EscalationPriority
from .models import (
    CompensationApprovalLimit,
    Customer,
    Escalation,
    EscalationIncidentLink,
    EscalationSlaPolicy,
    EscalationTimelineEvent,
    RegulatoryRegime,
)
from .visibility import (
    CUSTOMER_FIELDS,
    ERASE_PERMISSION,
    customer_hidden_fields,
    customer_search_fields,
    customer_visible_fields,
)


class EraseForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), required=False,
        help_text="Why, e.g. the request's reference. Kept in the audit history: no "
                  "personal data here.")


class ErasedFilter(admin.SimpleListFilter):
    title = "erased on request"
    parameter_name = "erased"

    def lookups(self, request, model_admin):
        return [("yes", "Erased"), ("no", "Not erased")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(erased_at__isnull=self.value() == "no")
        return queryset


@admin.register(Customer)
class CustomerAdmin(ServiceSaveAdmin):
    list_filter = ["tier", ErasedFilter, "created_at"]
    readonly_fields = ["erased_at", "created_at"]
    actions = ["erase_selected"]
    # The history list shows only the reason, who and when (never field values).
    history_list_display = []

    # -- What this user may see -----------------------------------------------------

    def get_list_display(self, request):
        shown = [name for name in customer_visible_fields(request.user) if name != "id"]
        return [name for name in shown if name not in ("address", "notes", "phone")]

    def get_search_fields(self, request):
        return customer_search_fields(request.user)

    def get_fields(self, request, obj=None):
        return [name for name in CUSTOMER_FIELDS
                if name != "id" and name not in customer_hidden_fields(request.user)]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_erased:
            return self.get_fields(request, obj)  # an erased customer is a tombstone
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def has_erase_permission(self, request):
        return request.user.has_perm(ERASE_PERMISSION)

    # -- Writes go through the services ------------------------------------------------

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name in services.CUSTOMER_EDITABLE_FIELDS}
        if change:
            saved = services.customer_update(customer=obj, by=request.user, **fields)
        else:
            saved = services.customer_create(by=request.user, **fields)
        obj.pk = saved.pk

    @admin.action(description="Erase on request…", permissions=["erase"])
    def erase_selected(self, request, queryset):
        return action_with_form(
            self, request, queryset, form_class=EraseForm, action="erase_selected",
            title="Erase on request", done="Erased",
            call=lambda customer, data: services.customer_erase(
                customer=customer, by=request.user, reason=data["reason"]),
            help="Replaces the name, account reference, contact details and notes with a "
                 "tombstone, in the customer and in all of its history. Tier, value and "
                 "dates stay. This cannot be undone.",
        )


# --- SLA policies --------------------------------------------------------------------------


@admin.register(EscalationSlaPolicy)
class EscalationSlaPolicyAdmin(ServiceSaveAdmin):
    list_display = ["order", "name", "version", "active", "priority", "customer_tier",
                    "category", "regulatory_regime", "first_response", "update_cadence",
                    "containment", "resolution", "calendar", "pause_cap",
                    "pause_cap_unit"]
    list_display_links = ["name"]
    list_filter = ["active", "priority", "customer_tier", "category", "regulatory_regime"]
    search_fields = ["name"]
    list_select_related = ["calendar", "regulatory_regime"]
    ordering = ["order"]
    readonly_fields = ["version"]
    fieldsets = [
        (None, {"fields": ["name", "order", "active", "version"]}),
        ("Conditions (empty matches anything)",
         {"fields": ["priority", "customer_tier", "category", "regulatory_regime"]}),
        ("Targets", {"fields": ["first_response", "update_cadence", "containment",
                                "resolution"]}),
        ("Calendars", {"fields": ["calendar", "first_response_calendar", "update_calendar",
                                  "containment_calendar", "resolution_calendar"]}),
        ("Awaiting the customer", {"fields": ["pause_in_awaiting_customer", "pause_cap",
                                               "pause_cap_unit"]}),
    ]

    def save_model(self, request, obj, form, change):
        # A target change makes a new version; running clocks keep their targets.
        services.policy_save(policy=obj, by=request.user)


@admin.register(RegulatoryRegime)
class RegulatoryRegimeAdmin(AuditedAdmin):
    list_display = ["name", "code", "jurisdiction", "rule_text", "calendar", "is_example",
                    "active"]
    list_filter = ["active", "is_example", "counting", "jurisdiction"]
    search_fields = ["name", "code", "jurisdiction"]
    list_select_related = ["calendar"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Rule")
    def rule_text(self, regime):
        return regime.rule_text


@admin.register(CompensationApprovalLimit)
class CompensationApprovalLimitAdmin(AuditedAdmin):
    list_display = ["role", "limit"]
    list_select_related = ["role"]


# --- Escalations ---------------------------------------------------------------------------


def _text(label, help_text=""):
    return forms.CharField(label=label, required=False, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class TriageForm(forms.Form):
    priority = forms.ChoiceField(choices=[("", "(keep)"), *EscalationPriority.choices],
                                 required=False)
    owner = forms.ModelChoiceField(get_user_model().objects.filter(is_active=True),
                                   required=False, help_text="Empty: keep each one's owner.")
    category = forms.ChoiceField(choices=[("", "(keep)"), *EscalationCategory.choices],
                                 required=False)


class ContainForm(forms.Form):
    containment_note = _text("Containment note", "How the customer was contacted and the "
                                                 "interim remedy offered.")


class ResolveForm(forms.Form):
    resolution = _text("Resolution", "The resolution agreed with the customer.")


class CloseForm(forms.Form):
    root_cause_review = _text("Root-cause review",
                              "Empty: keep the review already written.")


class ReasonForm(forms.Form):
    reason = _text("Reason")


class EscalationTimelineInline(ReadOnlyInline):
    model = EscalationTimelineEvent
    fields = ["at", "kind", "actor", "text"]
    readonly_fields = fields
    ordering = ["at", "pk"]
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class IncidentLinkInline(ReadOnlyInline):
    model = EscalationIncidentLink
    fields = ["incident", "linked_by", "linked_at"]
    readonly_fields = fields
    verbose_name = "linked incident"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("incident", "linked_by")


@admin.register(Escalation)
class EscalationAdmin(ServiceSaveAdmin):
    # The customer shows as its account reference (Customer.__str__): no personal data.
    list_display = ["reference", "summary", "customer", "state", "tier", "priority",
                    "category", "owner", "created_at"]
    list_filter = ["state", "category", "priority", "tier", "regulatory_regime", "created_at"]
    search_fields = ["reference", "summary"]
    list_select_related = ["customer", "owner"]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["reference", "customer", "summary", "state", "previous_state",
                           "tier", "priority", "category", "channel", "owner", "team",
                           "regulatory_regime", "policy", "policy_version"]}),
        ("Detail", {"fields": ["description", "requested_outcome", "containment_note",
                               "resolution", "root_cause_review", "withdraw_reason"]}),
        ("Regulatory extension", {"fields": ["regulatory_extended_at",
                                             "regulatory_extension_reason"]}),
        ("Compensation", {"fields": ["compensation_offered", "compensation_note",
                                     "compensation_offered_by", "compensation_offered_at",
                                     "compensation_approved", "compensation_approved_by",
                                     "compensation_approved_at"]}),
        ("Stage times", {"fields": ["created_by", "created_at", "triaged_at", "contained_at",
                                    "resolved_at", "closed_at", "reopened_at"]}),
    ]
    # Edited here through escalation_edit; everything else has its own service.
    editable_fields = ["summary", "description", "requested_outcome", "priority", "category",
                       "channel", "owner", "team", "regulatory_regime"]
    inlines = [IncidentLinkInline, EscalationTimelineInline]
    actions = ["triage_selected", "contain_selected", "await_customer_selected",
               "customer_replied_selected", "resolve_selected", "start_review_selected",
               "close_selected", "reopen_selected", "withdraw_selected",
               "apply_policy_selected"]

    def get_readonly_fields(self, request, obj=None):
        # Every change has its service (PCI masking, clocks, timeline): the descriptive
        # fields go through escalation_edit, the rest through actions.
        return [name for _, options in self.fieldsets for name in options["fields"]
                if name not in self.editable_fields]

    def get_fieldsets(self, request, obj=None):
        from .visibility import can_see_compensation

        if can_see_compensation(request.user):
            return self.fieldsets
        return [(title, options) for title, options in self.fieldsets
                if title != "Compensation"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name in self.editable_fields}
        for name in ("priority", "category"):
            if name in fields and fields[name] is None:
                fields[name] = ""
        services.escalation_edit(escalation=obj, by=request.user, **fields)

    def has_add_permission(self, request):
        # Opening starts clocks: the pages and the API do it, through escalation_create.
        return False

    def has_delete_permission(self, request, obj=None):
        # Withdrawn or closed, never deleted: its history is the record.
        return False

    # -- Transitions, each through its service ------------------------------------------

    def has_work_permission(self, request):
        # escalations/rules.py's name, as the pages, the API and the transitions ask.
        return request.user.has_perm("escalations.work_escalation")

    def _with_form(self, request, queryset, *, form_class, action, title, done, call):
        return action_with_form(self, request, queryset, form_class=form_class, action=action,
                                title=title, done=done,
                                call=call)

    @admin.action(description="Triage selected…", permissions=["work"])
    def triage_selected(self, request, queryset):
        def call(escalation, data):
            services.escalation_triage(escalation=escalation, by=request.user,
                                       priority=data["priority"] or None,
                                       owner=data["owner"],
                                       category=data["category"] or None)

        return self._with_form(request, queryset, form_class=TriageForm,
                               action="triage_selected", title="Triage", done="Triaged",
                               call=call)

    @admin.action(description="Contain selected…", permissions=["work"])
    def contain_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=ContainForm, action="contain_selected",
            title="Contain", done="Contained",
            call=lambda escalation, data: services.escalation_contain(
                escalation=escalation, by=request.user, note=data["containment_note"]))

    @admin.action(description="Await the customer on selected…", permissions=["work"])
    def await_customer_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=ReasonForm, action="await_customer_selected",
            title="Await the customer", done="Awaiting the customer",
            call=lambda escalation, data: services.escalation_await_customer(
                escalation=escalation, by=request.user, reason=data["reason"]))

    @admin.action(description="Customer replied on selected", permissions=["work"])
    def customer_replied_selected(self, request, queryset):
        run_for_each(request, queryset, lambda escalation: services.escalation_customer_replied(
            escalation=escalation, by=request.user), done="Customer replied")

    @admin.action(description="Resolve selected…", permissions=["work"])
    def resolve_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=ResolveForm, action="resolve_selected",
            title="Resolve", done="Resolved",
            call=lambda escalation, data: services.escalation_resolve(
                escalation=escalation, by=request.user, resolution=data["resolution"]))

    @admin.action(description="Start the root-cause review of selected",
                  permissions=["work"])
    def start_review_selected(self, request, queryset):
        run_for_each(request, queryset, lambda escalation: services.escalation_start_review(
            escalation=escalation, by=request.user), done="Review started")

    @admin.action(description="Close selected…", permissions=["work"])
    def close_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=CloseForm, action="close_selected",
            title="Close", done="Closed",
            call=lambda escalation, data: services.escalation_close(
                escalation=escalation, by=request.user,
                root_cause_review=data["root_cause_review"] or None))

    @admin.action(description="Reopen selected…", permissions=["work"])
    def reopen_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=ReasonForm, action="reopen_selected",
            title="Reopen", done="Reopened",
            call=lambda escalation, data: services.escalation_reopen(
                escalation=escalation, by=request.user, reason=data["reason"]))

    @admin.action(description="Apply the current SLA policy version to selected…",
                  permissions=["apply_policy"])
    def apply_policy_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=ReasonForm, action="apply_policy_selected",
            title="Apply the current SLA policy version", done="Policy applied",
            call=lambda escalation, data: services.escalation_apply_policy(
                escalation=escalation, by=request.user, reason=data["reason"]))

    def has_apply_policy_permission(self, request):
        return request.user.has_perm("escalations.apply_escalation_policy")

    @admin.action(description="Withdraw selected (customer withdrew)…",
                  permissions=["work"])
    def withdraw_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=ReasonForm, action="withdraw_selected",
            title="Withdraw", done="Withdrawn",
            call=lambda escalation, data: services.escalation_withdraw(
                escalation=escalation, by=request.user, reason=data["reason"]))
