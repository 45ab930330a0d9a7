"""Budgets, spend, initiatives and rates in the admin.

Every save goes through the services (``ServiceSaveAdmin``: a refusal shows on the
form); the initiative transitions are actions calling the same services as the pages
and the API. Budgets, spend, imports, alerts, benefits, rates and incident costs are
money: staff who do not see money do not see them at all. Initiatives are shown to
every staff member who reads them, without their amounts (``budgets/visibility.py``).
Imports, alerts, baselines and benefit records are records written by the services:
read-only here. Incident costs are derived (``budgets/incident_cost.py``): read-only.
"""

from django import forms
from django.contrib import admin

from core.admin import (
    AuditedAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ServiceSaveAdmin,
    action_with_form,
    run_for_each,
)

from . import configuration, initiatives, services
from .choices import SpendOrigin
from .models import (
    MONEY,
    Baseline,
    BenefitRecord,
    Budget,
    BudgetAlert,
    CostCenter,
    CostRate,
    FiscalYear,
    IncidentCost,
    Initiative,
    SpendEntry,
    SpendImport,
)
from .visibility import baseline_hidden_fields, can_see_amounts, initiative_hidden_fields


class _MoneyOnly:
    """Money as a whole: invisible to staff who do not see money."""

    def has_module_permission(self, request):
        return can_see_amounts(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_see_amounts(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return can_see_amounts(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return can_see_amounts(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_see_amounts(request.user) and super().has_delete_permission(request, obj)


def _changed(form, names):
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}


# --- Years, cost centers, budgets -----------------------------------------------------------


@admin.register(FiscalYear)
class FiscalYearAdmin(_MoneyOnly, ReadOnlyAdminMixin, AuditedAdmin):
    """Created on first use from the configured start month."""

    list_display = ["name", "first_day", "last_day"]
    search_fields = ["name"]


@admin.register(CostCenter)
class CostCenterAdmin(_MoneyOnly, ServiceSaveAdmin):
    list_display = ["code", "name", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]

    def save_model(self, request, obj, form, change):
        if change:
            saved = configuration.cost_center_update(
                cost_center=obj, by=request.user,
                **_changed(form, configuration.COST_CENTER_FIELDS))
        else:
            saved = configuration.cost_center_create(
                by=request.user, code=form.cleaned_data["code"],
                name=form.cleaned_data["name"], active=form.cleaned_data.get("active", True))
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        configuration.cost_center_delete(cost_center=obj, by=request.user)


@admin.register(Budget)
class BudgetAdmin(_MoneyOnly, ServiceSaveAdmin):
    list_display = ["__str__", "fiscal_year", "category", "cost_center", "owner", "amount"]
    list_filter = ["fiscal_year", "category", "cost_center"]
    search_fields = ["name", "cost_center__code", "cost_center__name", "notes"]
    list_select_related = ["fiscal_year", "cost_center", "owner"]
    fields = ["fiscal_year", "category", "cost_center", "name", "owner", "amount", "currency",
              "phasing", "alert_thresholds", "contracts", "notes", "created_by", "created_at"]
    # A budget belongs to its year, category and cost center; the contracts charged to
    # it follow from the spend booked on them.
    readonly_fields = ["currency", "contracts", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["fiscal_year", "category", "cost_center"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.budget_update(budget=obj, by=request.user,
                                           reason="Changed in admin",
                                           **_changed(form, services.BUDGET_FIELDS))
        else:
            data = form.cleaned_data
            saved = services.budget_create(
                by=request.user, fiscal_year=data["fiscal_year"], category=data["category"],
                cost_center=data["cost_center"], amount=data["amount"],
                reason="Set in admin",
                **{name: data[name] for name in services.BUDGET_FIELDS
                   if name in data and name != "amount"})
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # the contracts are the spend's to link

    def delete_model(self, request, obj):
        services.budget_delete(budget=obj, by=request.user, reason="Deleted in admin")


@admin.register(BudgetAlert)
class BudgetAlertAdmin(_MoneyOnly, ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["__str__", "scope", "fiscal_year", "category", "threshold", "consumed",
                    "planned", "fired_at"]
    list_filter = ["scope", "fiscal_year", "category", "threshold"]
    search_fields = ["budget__name", "budget__cost_center__code"]
    list_select_related = ["fiscal_year", "budget__cost_center"]
    date_hierarchy = "fired_at"


# --- Spend ----------------------------------------------------------------------------------


@admin.register(SpendEntry)
class SpendEntryAdmin(_MoneyOnly, ServiceSaveAdmin):
    list_display = ["date", "amount", "budget", "vendor", "contract", "initiative", "origin",
                    "invoice_reference"]
    list_filter = ["origin", "cost_type", "budget__fiscal_year", "budget__category", "vendor"]
    search_fields = ["invoice_reference", "description", "vendor__name",
                     "contract__reference", "initiative__reference"]
    list_select_related = ["budget__cost_center", "vendor", "contract", "initiative"]
    date_hierarchy = "date"
    raw_id_fields = ["initiative"]
    fields = ["budget", "date", "amount", "currency", "cost_type", "vendor", "contract",
              "initiative", "invoice_reference", "description", "origin", "service_credit",
              "spend_import", "recorded_by", "recorded_at"]
    readonly_fields = ["currency", "origin", "service_credit", "spend_import", "recorded_by",
                       "recorded_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.origin == SpendOrigin.CREDIT:
            return self.fields  # it follows its service credit
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.origin == SpendOrigin.CREDIT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.spend_update(entry=obj, by=request.user, reason="Changed in admin",
                                          **_changed(form, services.SPEND_FIELDS))
        else:
            data = form.cleaned_data
            saved = services.spend_record(
                by=request.user, budget=data["budget"], date=data["date"],
                amount=data["amount"], reason="Recorded in admin",
                **{name: data[name] for name in services.SPEND_FIELDS
                   if name in data and name not in ("budget", "date", "amount")})
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.spend_delete(entry=obj, by=request.user, reason="Deleted in admin")


class SpendEntryInline(ReadOnlyInline):
    model = SpendEntry
    fields = ["date", "amount", "budget", "vendor", "invoice_reference", "description"]
    readonly_fields = fields


@admin.register(SpendImport)
class SpendImportAdmin(_MoneyOnly, ReadOnlyAdminMixin, AuditedAdmin):
    """Imported on the spend page and through the API; taken or refused whole."""

    list_display = ["file_name", "outcome", "rows", "total", "by", "at"]
    list_filter = ["outcome"]
    search_fields = ["file_name"]
    list_select_related = ["by"]
    date_hierarchy = "at"
    inlines = [SpendEntryInline]


# --- Initiatives ----------------------------------------------------------------------------


class ApproveForm(forms.Form):
    approved_cost = forms.DecimalField(label="Approved cost", max_digits=MONEY["max_digits"],
                                       decimal_places=MONEY["decimal_places"], min_value=0)
    expected_benefit = forms.DecimalField(
        label="Expected benefit per year (empty: as stated)", required=False,
        max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"], min_value=0)
    note = forms.CharField(required=False, max_length=300)


class ReviewForm(forms.Form):
    realised_benefit = forms.DecimalField(
        label="Realised benefit (empty: the measured benefits so far)", required=False,
        max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"])
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3,
                                                                         "cols": 60}))


class CancelForm(forms.Form):
    reason = forms.CharField(label="Reason", required=False,
                             widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


INITIATIVE_FIELDSETS = [
    (None, {"fields": ["reference", "title", "description", "state", "owner"]}),
    ("Links", {"fields": ["budget", "vendor", "contract", "queues"]}),
    ("Money", {"fields": ["currency", "estimated_cost", "expected_benefit", "approved_cost",
                          "approved_by", "approved_at"]}),
    ("Delivery and review", {"fields": ["started_at", "delivered_at", "review_after_months",
                                        "review_due_on", "reviewed_at", "realised_benefit",
                                        "review_notes"]}),
    ("Cancellation", {"fields": ["cancelled_at", "cancel_reason"]}),
]
# The state and what the transitions record are the services' to set.
INITIATIVE_READ_ONLY = ["reference", "state", "currency", "approved_cost", "approved_by",
                        "approved_at", "started_at", "delivered_at", "review_due_on",
                        "reviewed_at", "realised_benefit", "review_notes", "cancelled_at",
                        "cancel_reason"]


@admin.register(Initiative)
class InitiativeAdmin(ServiceSaveAdmin):
    list_filter = ["state", "budget__fiscal_year", "vendor"]
    search_fields = ["reference", "title", "description"]
    list_select_related = ["owner", "budget__cost_center", "vendor"]
    filter_horizontal = ["queues"]
    actions = ["approve_selected", "start_selected", "deliver_selected", "review_selected",
               "cancel_selected"]
    # The history list shows the reason, who and when (values only on the version page,
    # which follows get_fieldsets: no amounts for staff without money).
    history_list_display = []

    def get_list_display(self, request):
        shown = ["reference", "title", "state", "owner", "budget", "vendor", "estimated_cost",
                 "approved_cost", "review_due_on"]
        return [name for name in shown if name not in initiative_hidden_fields(request.user)]

    def get_fieldsets(self, request, obj=None):
        hidden = initiative_hidden_fields(request.user)
        if obj is None:
            hidden = hidden | {"reference", "state"}
        return [(title, {"fields": [f for f in options["fields"] if f not in hidden]})
                for title, options in INITIATIVE_FIELDSETS
                if any(f not in hidden for f in options["fields"])]

    def get_readonly_fields(self, request, obj=None):
        return INITIATIVE_READ_ONLY

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_see_amounts(request.user):
            actions.clear()  # every move of an initiative needs money
        return actions

    def has_delete_permission(self, request, obj=None):
        return False  # an initiative is cancelled, never deleted: its history is the record

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        queues = list(data["queues"]) if "queues" in data else None
        if change:
            fields = _changed(form, initiatives.INITIATIVE_FIELDS)
            saved = initiatives.initiative_update(
                initiative=obj, by=request.user, reason="Changed in admin",
                queues=queues if "queues" in form.changed_data else None, **fields)
        else:
            fields = {name: data[name] for name in initiatives.INITIATIVE_FIELDS
                      if name in data and name != "title"}
            saved = initiatives.initiative_propose(by=request.user, title=data["title"],
                                                   queues=queues or (), **fields)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # the service set the queues

    def _each(self, request, queryset, call, done):
        run_for_each(request, queryset, call, done=done)

    @admin.action(description="Approve selected…", permissions=["change"])
    def approve_selected(self, request, queryset):
        return action_with_form(
            self, request, queryset, form_class=ApproveForm, action="approve_selected",
            title="Approve", done="Approved",
            call=lambda i, data: initiatives.initiative_approve(
                initiative=i, by=request.user, approved_cost=data["approved_cost"],
                expected_benefit=data["expected_benefit"], note=data["note"]))

    @admin.action(description="Start selected", permissions=["change"])
    def start_selected(self, request, queryset):
        self._each(request, queryset, lambda i: initiatives.initiative_start(
            initiative=i, by=request.user), "Started")

    @admin.action(description="Mark selected delivered", permissions=["change"])
    def deliver_selected(self, request, queryset):
        self._each(request, queryset, lambda i: initiatives.initiative_deliver(
            initiative=i, by=request.user), "Delivered")

    @admin.action(description="Review the benefits of selected…", permissions=["change"])
    def review_selected(self, request, queryset):
        return action_with_form(
            self, request, queryset, form_class=ReviewForm, action="review_selected",
            title="Review the benefits", done="Benefits reviewed",
            call=lambda i, data: initiatives.initiative_review(
                initiative=i, by=request.user, realised_benefit=data["realised_benefit"],
                notes=data["notes"]))

    @admin.action(description="Cancel selected…", permissions=["change"])
    def cancel_selected(self, request, queryset):
        return action_with_form(
            self, request, queryset, form_class=CancelForm, action="cancel_selected",
            title="Cancel", done="Cancelled",
            call=lambda i, data: initiatives.initiative_cancel(
                initiative=i, by=request.user, reason=data["reason"]))


@admin.register(Baseline)
class BaselineAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    """Taken on the initiative's page and through the API (from KPI data where any)."""

    list_select_related = ["initiative", "taken_by"]
    search_fields = ["initiative__reference", "initiative__title"]
    list_filter = ["method", "from_kpi_data"]
    history_list_display = []

    def get_list_display(self, request):
        shown = ["initiative", "method", "aht_seconds", "containment_percent",
                 "contacts_per_month", "cost_per_minute", "cost_per_contact", "from_kpi_data",
                 "taken_at"]
        return [name for name in shown if name not in baseline_hidden_fields(request.user)]

    def get_exclude(self, request, obj=None):
        return sorted(baseline_hidden_fields(request.user))


@admin.register(BenefitRecord)
class BenefitRecordAdmin(_MoneyOnly, ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["initiative", "period_start", "kind", "method", "amount", "recorded_by",
                    "recorded_at"]
    list_filter = ["kind", "method", "period_start"]
    search_fields = ["initiative__reference", "initiative__title", "note"]
    list_select_related = ["initiative", "recorded_by"]


# --- Incident cost --------------------------------------------------------------------------


@admin.register(CostRate)
class CostRateAdmin(_MoneyOnly, ServiceSaveAdmin):
    list_display = ["kind", "role", "channel", "queue", "amount", "currency", "effective_from"]
    list_filter = ["kind", "role", "channel"]
    search_fields = ["channel", "queue__name"]
    list_select_related = ["queue"]
    fields = ["kind", "role", "channel", "queue", "amount", "currency", "effective_from"]
    readonly_fields = ["currency"]

    def save_model(self, request, obj, form, change):
        if change:
            saved = configuration.cost_rate_update(
                rate=obj, by=request.user, **_changed(form, configuration.COST_RATE_FIELDS))
        else:
            saved = configuration.cost_rate_create(
                by=request.user, **{name: form.cleaned_data.get(name)
                                    for name in configuration.COST_RATE_FIELDS})
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        configuration.cost_rate_delete(rate=obj, by=request.user)


@admin.register(IncidentCost)
class IncidentCostAdmin(_MoneyOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Derived from the incident, the rates and the credits, never edited (no history of
    its own: its inputs keep theirs)."""

    list_display = ["incident", "month", "responders", "agents_idle", "lost_contacts",
                    "lost_contacts_value", "credits", "total", "currency", "computed_at"]
    list_filter = ["month"]
    search_fields = ["incident__reference", "incident__title"]
    list_select_related = ["incident"]
    date_hierarchy = "month"
