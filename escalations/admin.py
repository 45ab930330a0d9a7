"""Customers, escalations and SLA policies in the admin.

Customers: search, filters, audited edits through the services, and "Erase on
request…" as an action. Escalations: filters, search, the timeline, and the
transitions as actions calling the same services as the pages and the API (a
refusal is shown as an error naming what is missing); every field is read-only here
because each change has its service (masking, clocks, timeline). SLA policies are
plain configuration, edited here by managers (the model's ``clean`` checks them).

What a staff member sees follows ``escalations/visibility.py``: personal data (and
money) are left out of the list, the search, the form and the history pages for
roles without the capability. Customers are never deleted here: deleting would keep
the personal data in the history rows; erasure is the way to remove it.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from core.admin import AuditedAdmin, ReadOnlyInline, action_with_form, run_for_each

from . import services
from .choices import EscalationCategory, EscalationPriority
from .models import Customer, Escalation, EscalationSlaPolicy, EscalationTimelineEvent
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
class CustomerAdmin(AuditedAdmin):
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
class EscalationSlaPolicyAdmin(AuditedAdmin):
    list_display = ["order", "name", "active", "priority", "customer_tier", "category",
                    "first_response", "update_cadence", "containment", "resolution",
                    "calendar", "pause_cap"]
    list_display_links = ["name"]
    list_editable = ["active"]
    list_filter = ["active", "priority", "customer_tier", "category"]
    search_fields = ["name"]
    list_select_related = ["calendar"]
    ordering = ["order"]


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


@admin.register(Escalation)
class EscalationAdmin(AuditedAdmin):
    # The customer shows as its account reference (Customer.__str__): no personal data.
    list_display = ["reference", "summary", "customer", "state", "tier", "priority",
                    "category", "owner", "created_at"]
    list_filter = ["state", "category", "priority", "tier", "created_at"]
    search_fields = ["reference", "summary"]
    list_select_related = ["customer", "owner"]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["reference", "customer", "summary", "state", "previous_state",
                           "tier", "priority", "category", "channel", "owner", "team",
                           "policy"]}),
        ("Detail", {"fields": ["description", "requested_outcome", "containment_note",
                               "resolution", "root_cause_review", "withdraw_reason"]}),
        ("Stage times", {"fields": ["created_by", "created_at", "triaged_at", "contained_at",
                                    "resolved_at", "closed_at", "reopened_at"]}),
    ]
    inlines = [EscalationTimelineInline]
    actions = ["triage_selected", "contain_selected", "await_customer_selected",
               "customer_replied_selected", "resolve_selected", "start_review_selected",
               "close_selected", "reopen_selected", "withdraw_selected"]

    def get_readonly_fields(self, request, obj=None):
        # Every change has its service (PCI masking, clocks, timeline): actions only.
        return [name for _, options in self.fieldsets for name in options["fields"]]

    def has_add_permission(self, request):
        # Opening starts clocks: the pages and the API do it, through escalation_create.
        return False

    def has_delete_permission(self, request, obj=None):
        # Withdrawn or closed, never deleted: its history is the record.
        return False

    # -- Transitions, each through its service ------------------------------------------

    def _with_form(self, request, queryset, *, form_class, action, title, done, call):
        return action_with_form(self, request, queryset, form_class=form_class, action=action,
                                title=title, done=done,
                                call=call)

    @admin.action(description="Triage selected…", permissions=["change"])
    def triage_selected(self, request, queryset):
        def call(escalation, data):
            services.escalation_triage(escalation=escalation, by=request.user,
                                       priority=data["priority"] or None,
                                       owner=data["owner"],
                                       category=data["category"] or None)

        return self._with_form(request, queryset, form_class=TriageForm,
                               action="triage_selected", title="Triage", done="Triaged",
                               call=call)

    @admin.action(description="Contain selected…", permissions=["change"])
    def contain_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=ContainForm, action="contain_selected",
            title="Contain", done="Contained",
            call=lambda escalation, data: services.escalation_contain(
                escalation=escalation, by=request.user, note=data["containment_note"]))

    @admin.action(description="Await the customer on selected…", permissions=["change"])
    def await_customer_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=ReasonForm, action="await_customer_selected",
            title="Await the customer", done="Awaiting the customer",
            call=lambda escalation, data: services.escalation_await_customer(
                escalation=escalation, by=request.user, reason=data["reason"]))

    @admin.action(description="Customer replied on selected", permissions=["change"])
    def customer_replied_selected(self, request, queryset):
        run_for_each(request, queryset, lambda escalation: services.escalation_customer_replied(
            escalation=escalation, by=request.user), done="Customer replied")

    @admin.action(description="Resolve selected…", permissions=["change"])
    def resolve_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=ResolveForm, action="resolve_selected",
            title="Resolve", done="Resolved",
            call=lambda escalation, data: services.escalation_resolve(
                escalation=escalation, by=request.user, resolution=data["resolution"]))

    @admin.action(description="Start the root-cause review of selected",
                  permissions=["change"])
    def start_review_selected(self, request, queryset):
        run_for_each(request, queryset, lambda escalation: services.escalation_start_review(
            escalation=escalation, by=request.user), done="Review started")

    @admin.action(description="Close selected…", permissions=["change"])
    def close_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=CloseForm, action="close_selected",
            title="Close", done="Closed",
            call=lambda escalation, data: services.escalation_close(
                escalation=escalation, by=request.user,
                root_cause_review=data["root_cause_review"] or None))

    @admin.action(description="Reopen selected…", permissions=["change"])
    def reopen_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=ReasonForm, action="reopen_selected",
            title="Reopen", done="Reopened",
            call=lambda escalation, data: services.escalation_reopen(
                escalation=escalation, by=request.user, reason=data["reason"]))

    @admin.action(description="Withdraw selected (customer withdrew)…",
                  permissions=["change"])
    def withdraw_selected(self, request, queryset):
        return self._with_form(
            request, queryset, form_class=ReasonForm, action="withdraw_selected",
            title="Withdraw", done="Withdrawn",
            call=lambda escalation, data: services.escalation_withdraw(
                escalation=escalation, by=request.user, reason=data["reason"]))
