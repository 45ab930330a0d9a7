"""Vendors, contacts, contracts, attributions and exclusions in the admin.

Every save goes through the services (``ServiceSaveAdmin``: a refusal shows on the
form); the transitions are actions calling the same services as the pages and the
API. Status, state, the notice date and the renewal bookkeeping are read-only here.
A contract's value and fee lines are left out of the list, the form and the history
pages for staff who do not see money (``vendors/visibility.py``). Deadlines and
renewals are records written by the sweep and the services: read-only.
"""

from django import forms
from django.contrib import admin
from django.db import models

from core.admin import (
    AuditedAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ServiceSaveAdmin,
    action_with_form,
    can_transition,
    run_for_each,
)
from core.forms import DATE_WIDGET

from . import services, sla_services
from .models import (
    Compliance,
    Contract,
    ContractDeadline,
    ContractDocument,
    ContractRenewal,
    CreditBand,
    CreditDeadline,
    CreditSchedule,
    DowntimeExclusion,
    FeeLine,
    Measurement,
    ReconciliationDispute,
    ServiceCredit,
    SlaObjective,
    Vendor,
    VendorAttribution,
    VendorContact,
)
from .visibility import can_see_money, contract_hidden_fields


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", required=False,
                             widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class NoticeForm(forms.Form):
    given_on = forms.DateField(label="Notice given on", required=False, widget=DATE_WIDGET)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


class TerminateForm(forms.Form):
    terminated_on = forms.DateField(label="Ends on", required=False, widget=DATE_WIDGET)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3,
                                                                          "cols": 60}))


# --- Vendors --------------------------------------------------------------------------------


class ContactInline(ReadOnlyInline):
    model = VendorContact
    fields = ["escalation_order", "name", "role", "phone", "email", "hours"]
    readonly_fields = fields


@admin.register(Vendor)
class VendorAdmin(ServiceSaveAdmin):
    list_display = ["name", "category", "status", "risk_rating", "risk_reviewed_at",
                    "account_manager"]
    list_filter = ["category", "status", "risk_rating"]
    search_fields = ["name", "notes", "website"]
    list_select_related = ["account_manager"]
    fieldsets = [
        (None, {"fields": ["name", "category", "status", "account_manager", "notes"]}),
        ("Links", {"fields": ["website", "support_portal", "status_page_url"]}),
        ("Risk", {"fields": ["risk_rating", "risk_reason", "risk_reviewed_at",
                             "risk_reviewed_by"]}),
    ]
    readonly_fields = ["status", "risk_rating", "risk_reason", "risk_reviewed_at",
                       "risk_reviewed_by"]
    inlines = [ContactInline]
    # Typed without a scheme, a URL is https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["activate_selected", "offboard_selected", "reactivate_selected",
               "exit_selected"]

    def has_delete_permission(self, request, obj=None):
        return False  # a vendor is exited, never deleted: its history is the record

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name in services.VENDOR_FIELDS}
        if change:
            saved = services.vendor_update(vendor=obj, by=request.user, **fields)
        else:
            saved = services.vendor_create(by=request.user, **fields)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            formset.save(commit=False)  # contacts are read-only here

    def _move(self, request, queryset, name, done):
        run_for_each(request, queryset, lambda vendor: services.vendor_transition(
            vendor=vendor, by=request.user, name=name), done=done)

    @admin.action(description="Mark selected active", permissions=["change"])
    def activate_selected(self, request, queryset):
        self._move(request, queryset, "activate", "Active")

    @admin.action(description="Start offboarding selected", permissions=["change"])
    def offboard_selected(self, request, queryset):
        self._move(request, queryset, "offboard", "Offboarding")

    @admin.action(description="Mark selected active again", permissions=["change"])
    def reactivate_selected(self, request, queryset):
        self._move(request, queryset, "reactivate", "Active again")

    @admin.action(description="Mark selected exited", permissions=["change"])
    def exit_selected(self, request, queryset):
        self._move(request, queryset, "exit", "Exited")


@admin.register(VendorContact)
class VendorContactAdmin(ServiceSaveAdmin):
    list_display = ["name", "vendor", "role", "escalation_order", "phone", "email", "hours"]
    list_filter = ["role", "vendor"]
    search_fields = ["name", "email", "phone", "vendor__name"]
    list_select_related = ["vendor"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.CONTACT_FIELDS
                  if name in form.cleaned_data}
        saved = services.contact_save(vendor=form.cleaned_data["vendor"], by=request.user,
                                      contact=obj if change else None, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.contact_delete(contact=obj, by=request.user)


# --- Contracts ------------------------------------------------------------------------------


class FeeLineInline(ReadOnlyInline):
    model = FeeLine
    fields = ["name", "kind", "amount", "notes"]
    readonly_fields = fields
    show_change_link = False


class DocumentInline(ReadOnlyInline):
    model = ContractDocument
    fields = ["title", "kind", "file_name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("uploaded_by")
        return queryset if can_see_money(request.user) else queryset.exclude(kind="pricing")


class RenewalInline(ReadOnlyInline):
    model = ContractRenewal
    fields = ["renewed_at", "automatic", "renewed_by", "previous_end_date", "new_end_date",
              "decision", "note"]
    readonly_fields = fields
    show_change_link = False


class DeadlineInline(ReadOnlyInline):
    model = ContractDeadline
    fields = ["kind", "lead_days", "for_date", "due_at", "fired_at", "outcome"]
    readonly_fields = fields
    show_change_link = False


CONTRACT_FIELDSETS = [
    (None, {"fields": ["reference", "vendor", "title", "services", "owner", "predecessor",
                       "state"]}),
    ("Dates and renewal", {"fields": ["start_date", "end_date", "renewal_type",
                                      "renewal_term_months", "notice_period", "notice_unit",
                                      "notice_date"]}),
    ("Money", {"fields": ["value", "billing_period", "currency"]}),
    ("Downtime", {"fields": ["downtime_counts_until", "maintenance_notice_days"]}),
    ("Decision and notice", {"fields": ["decision", "decision_reason", "decided_by",
                                        "decided_at", "notice_given_on", "notice_note",
                                        "terminated_on", "termination_reason"]}),
]
CONTRACT_READ_ONLY = ["state", "notice_date", "currency", "decision", "decision_reason",
                      "decided_by", "decided_at", "notice_given_on", "notice_note",
                      "terminated_on", "termination_reason"]


@admin.register(Contract)
class ContractAdmin(ServiceSaveAdmin):
    list_filter = ["state", "renewal_type", "vendor__category", "decision", "vendor"]
    search_fields = ["reference", "title", "vendor__name"]
    list_select_related = ["vendor", "owner"]
    date_hierarchy = "end_date"
    actions = ["activate_selected", "renew_selected", "give_notice_selected",
               "terminate_selected", "expire_selected"]
    # The history list shows the reason, who and when (values only on the version page,
    # which follows get_fieldsets: no money for roles without it).
    history_list_display = []

    def get_list_display(self, request):
        shown = ["reference", "vendor", "title", "state", "notice_date", "end_date",
                 "renewal_type", "decision", "owner", "value"]
        return [name for name in shown if name not in contract_hidden_fields(request.user)]

    def get_fieldsets(self, request, obj=None):
        hidden = contract_hidden_fields(request.user)
        return [(title, {"fields": [f for f in options["fields"] if f not in hidden]})
                for title, options in CONTRACT_FIELDSETS
                if any(f not in hidden for f in options["fields"])]

    def get_readonly_fields(self, request, obj=None):
        read_only = list(CONTRACT_READ_ONLY)
        if obj is not None and obj.state in ("expired", "terminated"):
            return [f for _, options in CONTRACT_FIELDSETS for f in options["fields"]]
        if obj is not None and obj.state != "draft":
            read_only.append("vendor")
        return read_only

    def get_inlines(self, request, obj):
        inlines = [DocumentInline, RenewalInline, DeadlineInline]
        return [FeeLineInline, *inlines] if can_see_money(request.user) else inlines

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.state == "draft"

    def delete_model(self, request, obj):
        services.contract_delete_draft(contract=obj, by=request.user)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name in services.CONTRACT_FIELDS}
        if change:
            saved = services.contract_update(contract=obj, by=request.user, **fields)
        else:
            required = {name: form.cleaned_data.get(name) for name in
                        ("vendor", "title", "start_date", "end_date")}
            rest = {k: v for k, v in fields.items() if k not in required}
            saved = services.contract_create(by=request.user, **required, **rest)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            formset.save(commit=False)  # the inlines are records, read-only here

    @admin.action(description="Activate selected", permissions=["change"])
    def activate_selected(self, request, queryset):
        run_for_each(request, queryset, lambda c: services.contract_activate(
            contract=c, by=request.user), done="Activated")

    @admin.action(description="Renew selected for one term", permissions=["change"])
    def renew_selected(self, request, queryset):
        run_for_each(request, queryset, lambda c: services.contract_renew(
            contract=c, by=request.user, note="Renewed in the admin"), done="Renewed")

    @admin.action(description="Record notice given for selected…", permissions=["change"])
    def give_notice_selected(self, request, queryset):
        return action_with_form(
            self, request, queryset, form_class=NoticeForm, action="give_notice_selected",
            why_not=can_transition(request, "give_notice"),
            title="Record notice given", done="Notice recorded",
            call=lambda c, data: services.contract_give_notice(
                contract=c, by=request.user, given_on=data["given_on"], note=data["note"]))

    @admin.action(description="Terminate selected…", permissions=["change"])
    def terminate_selected(self, request, queryset):
        return action_with_form(
            self, request, queryset, form_class=TerminateForm, action="terminate_selected",
            why_not=can_transition(request, "terminate"),
            title="Terminate", done="Terminated",
            call=lambda c, data: services.contract_terminate(
                contract=c, by=request.user, terminated_on=data["terminated_on"],
                reason=data["reason"]))

    @admin.action(description="Expire selected (past their end date)", permissions=["change"])
    def expire_selected(self, request, queryset):
        run_for_each(request, queryset, lambda c: services.contract_expire(
            contract=c, by=request.user), done="Expired")


# --- Records --------------------------------------------------------------------------------


@admin.register(VendorAttribution)
class VendorAttributionAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    """Named and removed on the incident and escalation pages (and the API)."""

    list_display = ["vendor", "incident", "escalation", "contract", "added_by", "added_at"]
    list_filter = ["vendor"]
    search_fields = ["vendor__name", "incident__reference", "escalation__reference"]
    list_select_related = ["vendor", "incident", "escalation", "contract", "added_by"]


@admin.register(DowntimeExclusion)
class DowntimeExclusionAdmin(ServiceSaveAdmin):
    list_display = ["vendor", "kind", "starts_at", "ends_at", "incident", "tagged_by"]
    list_filter = ["kind", "vendor"]
    search_fields = ["vendor__name", "reason", "incident__reference"]
    list_select_related = ["vendor", "incident", "tagged_by"]
    fields = ["vendor", "incident", "kind", "starts_at", "ends_at", "notice_given_at",
              "reason", "tagged_by", "tagged_at"]
    readonly_fields = ["tagged_by", "tagged_at"]
    raw_id_fields = ["incident"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in
                ("vendor", "incident", "kind", "starts_at", "ends_at", "notice_given_at",
                 "reason")}
        obj.pk = services.exclusion_add(by=request.user, **data).pk

    def delete_model(self, request, obj):
        services.exclusion_remove(exclusion=obj, by=request.user)


@admin.register(ContractDeadline)
class ContractDeadlineAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["contract", "kind", "lead_days", "for_date", "due_at", "fired_at",
                    "outcome"]
    list_filter = ["kind", "outcome"]
    search_fields = ["contract__reference"]
    list_select_related = ["contract"]
    date_hierarchy = "for_date"


@admin.register(ContractRenewal)
class ContractRenewalAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["contract", "previous_end_date", "new_end_date", "automatic",
                    "renewed_by", "renewed_at"]
    list_filter = ["automatic"]
    search_fields = ["contract__reference"]
    list_select_related = ["contract", "renewed_by"]


# --- SLA objectives, measurements, compliance and service credits (issue 15) ---------------
#
# Objectives are versioned (a change applies from a date): they are defined and revised
# on the contract's objectives page and the API, and are records here. Credits move
# through their transitions with actions calling the same services as the pages.
# Everything here is money or beside it: staff who do not see money do not see credits.


class _MoneyAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    def has_module_permission(self, request):
        return can_see_money(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_see_money(request.user) and super().has_view_permission(request, obj)


class CreditBandInline(ReadOnlyInline):
    model = CreditBand
    fields = ["kind", "lower", "upper", "percent"]


@admin.register(SlaObjective)
class SlaObjectiveAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["name", "contract", "metric", "comparator", "target", "period", "version",
                    "effective_from", "weight", "active"]
    list_filter = ["metric", "period", "active"]
    search_fields = ["name", "contract__reference", "contract__vendor__name"]
    list_select_related = ["contract"]


@admin.register(CreditSchedule)
class CreditScheduleAdmin(_MoneyAdmin):
    list_display = ["objective", "claim_window_days", "claim_window_from", "minimum_amount",
                    "cap_percent", "cap_amount", "payment"]
    list_select_related = ["objective__contract"]
    inlines = [CreditBandInline]


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["objective", "period_start", "source", "origin", "value", "recorded_by",
                    "recorded_at"]
    list_filter = ["source", "origin", "period_start"]
    search_fields = ["objective__name", "objective__contract__reference"]
    list_select_related = ["objective__contract", "recorded_by"]


@admin.register(Compliance)
class ComplianceAdmin(_MoneyAdmin):
    list_display = ["objective", "period_start", "value", "met", "shortfall", "score",
                    "credit_amount", "flagged"]
    list_filter = ["met", "flagged", "period_start"]
    search_fields = ["objective__name", "objective__contract__reference"]
    list_select_related = ["objective__contract"]


class AmountForm(forms.Form):
    amount = forms.DecimalField(label="Amount (empty: as agreed or claimed)", required=False,
                                max_digits=14, decimal_places=2)


@admin.register(ServiceCredit)
class ServiceCreditAdmin(_MoneyAdmin):
    list_display = ["__str__", "vendor", "state", "amount", "claimed_amount", "agreed_amount",
                    "received_amount", "claim_deadline", "window_missed_at"]
    list_filter = ["state", "vendor", "claim_deadline"]
    search_fields = ["contract__reference", "vendor__name", "objective__name"]
    list_select_related = ["vendor", "contract", "objective"]
    date_hierarchy = "claim_deadline"
    actions = ["claim_selected", "accept_selected", "receive_selected", "waive_selected"]

    def has_change_permission(self, request, obj=None):
        # No form edits (the FSM and the figures are the services'); actions need it.
        return obj is None and request.user.has_perm("vendors.change_servicecredit")

    @admin.action(description="Claim selected", permissions=["change"])
    def claim_selected(self, request, queryset):
        run_for_each(request, queryset, lambda c: sla_services.credit_claim(
            credit=c, by=request.user, note="Claimed in the admin"), done="Claimed")

    @admin.action(description="Mark selected accepted (as claimed)", permissions=["change"])
    def accept_selected(self, request, queryset):
        run_for_each(request, queryset, lambda c: sla_services.credit_accept(
            credit=c, by=request.user), done="Accepted")

    @admin.action(description="Record selected received…", permissions=["change"])
    def receive_selected(self, request, queryset):
        return action_with_form(
            self, request, queryset, form_class=AmountForm, action="receive_selected",
            why_not=can_transition(request, "receive"),
            title="Record received", done="Received",
            call=lambda c, data: sla_services.credit_receive(credit=c, by=request.user,
                                                             amount=data["amount"]))

    @admin.action(description="Waive selected…", permissions=["change"])
    def waive_selected(self, request, queryset):
        return action_with_form(
            self, request, queryset, form_class=ReasonForm, action="waive_selected",
            why_not=can_transition(request, "waive"),
            title="Waive", done="Waived",
            call=lambda c, data: sla_services.credit_waive(credit=c, by=request.user,
                                                           reason=data["reason"]))


@admin.register(CreditDeadline)
class CreditDeadlineAdmin(_MoneyAdmin):
    list_display = ["credit", "percent", "due_at", "fired_at", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["credit__contract", "credit__objective"]


@admin.register(ReconciliationDispute)
class ReconciliationDisputeAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["compliance", "opened_by", "opened_at", "resolved_at"]
    list_select_related = ["compliance__objective", "opened_by"]
