"""Customers in the admin: search, filters, audited edits through the services,
and "Erase on request…" as an action.

What a staff member sees follows ``escalations/visibility.py``: personal data (and
money) are left out of the list, the search, the form and the history pages for
roles without the capability. Customers are never deleted here: deleting would keep
the personal data in the history rows; erasure is the way to remove it.
"""

from django import forms
from django.contrib import admin

from core.admin import AuditedAdmin, action_with_form

from . import services
from .models import Customer
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
                  if name in services.EDITABLE_FIELDS}
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
