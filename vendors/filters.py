"""One FilterSet per list, used by the page (its form is the filter bar) and the API."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from core import web_forms

from .choices import (
    LIVE_CONTRACT_STATES,
    ContractState,
    NoticeWindow,
    RenewalType,
    RiskRating,
    VendorCategory,
    VendorStatus,
)
from .models import Contract, Vendor
from .selectors import notice_window_filter

LIVE = "live"


def _owners(request):
    return get_user_model().objects.filter(contracts_owned__isnull=False).distinct().order_by(
        "first_name", "last_name", "username")


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search",
                                  help_text="Reference, title or vendor name.")
    vendor = django_filters.ModelChoiceFilter(queryset=Vendor.objects.order_by("name"),
                                              empty_label="Any vendor")
    category = django_filters.ChoiceFilter(field_name="vendor__category",
                                           choices=VendorCategory.choices,
                                           empty_label="Any category")
    state = django_filters.ChoiceFilter(
        method="by_state", empty_label="Any state",
        choices=[(LIVE, "Running (active, renewed, notice given)"), *ContractState.choices],
        help_text="`live` for every running contract, or one state.")
    notice_window = django_filters.ChoiceFilter(
        method="by_notice_window", choices=NoticeWindow.choices, empty_label="Any notice date",
        label="Notice window",
        help_text="`30`/`60`/`90`: the notice date within that many days; `entered`: within "
                  "the first warning's lead time; `overdue`: past it with no decision.")
    owner = django_filters.ModelChoiceFilter(queryset=_owners, empty_label="Anyone",
                                             help_text="A user id.")
    renewal_type = django_filters.ChoiceFilter(choices=RenewalType.choices,
                                               empty_label="Any renewal")

    class Meta:
        model = Contract
        fields = ["q", "vendor", "category", "state", "notice_window", "owner",
                  "renewal_type"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(reference__icontains=value) | Q(title__icontains=value)
                               | Q(vendor__name__icontains=value))

    def by_state(self, queryset, name, value):
        if value == LIVE:
            return queryset.filter(state__in=LIVE_CONTRACT_STATES)
        return queryset.filter(state=value)

    def by_notice_window(self, queryset, name, value):
        return queryset.filter(notice_window_filter(value, timezone.localdate()))


class VendorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search",
                                  help_text="Name, website or notes.")
    category = django_filters.ChoiceFilter(choices=VendorCategory.choices,
                                           empty_label="Any category")
    status = django_filters.ChoiceFilter(choices=VendorStatus.choices, empty_label="Any status")
    risk_rating = django_filters.ChoiceFilter(choices=RiskRating.choices, empty_label="Any risk",
                                              label="Risk")

    class Meta:
        model = Vendor
        fields = ["q", "category", "status", "risk_rating"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(website__icontains=value)
                               | Q(notes__icontains=value))


def filter_widgets(filterset):
    """Compact inputs for the page's filter bar."""
    for field in filterset.form.fields.values():
        if isinstance(field.widget, forms.TextInput):
            field.widget.attrs.setdefault("placeholder", "Search…")
    web_forms.filter_bar(filterset.form)
    return filterset.form
