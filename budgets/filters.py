"""One FilterSet per list, used by the page (its form is the filter bar) and the API.

Built on ``core.api.filters.FilterSet``: an id that is not plain digits, or does not
fit the column, is refused naming the parameter, not sent to the database.
"""

import django_filters

from core.api.filters import FilterSet, RelatedFilter

from .choices import BudgetCategory, CostType, SpendOrigin
from .models import Budget, FiscalYear, Initiative, SpendEntry, SpendImport


def _vendors(request):
    from vendors.models import Vendor

    return Vendor.objects.order_by("name")


def _contracts(request):
    from vendors.models import Contract

    return Contract.objects.order_by("reference")


class SpendFilter(FilterSet):
    budget = RelatedFilter(queryset=Budget.objects.all(), empty_label="Any budget")
    fiscal_year = RelatedFilter(field_name="budget__fiscal_year",
                                queryset=FiscalYear.objects.all(), empty_label="Any year",
                                help_text="A fiscal year's id.")
    category = django_filters.ChoiceFilter(field_name="budget__category",
                                           choices=BudgetCategory.choices,
                                           empty_label="Any category")
    vendor = RelatedFilter(queryset=_vendors, empty_label="Any vendor")
    contract = RelatedFilter(queryset=_contracts, empty_label="Any contract")
    initiative = RelatedFilter(queryset=Initiative.objects.all(), empty_label="Any initiative")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="From",
                                          help_text="On or after this day (YYYY-MM-DD).")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="To",
                                        help_text="On or before this day (YYYY-MM-DD).")
    origin = django_filters.ChoiceFilter(choices=SpendOrigin.choices, empty_label="Any origin")
    cost_type = django_filters.ChoiceFilter(choices=CostType.choices,
                                            empty_label="One-time or recurring")
    spend_import = RelatedFilter(queryset=SpendImport.objects.all(), label="Import",
                                 help_text="The entries of one spend import.")

    class Meta:
        model = SpendEntry
        fields = ["budget", "fiscal_year", "category", "vendor", "contract", "initiative",
                  "date_from", "date_to", "origin", "cost_type", "spend_import"]
