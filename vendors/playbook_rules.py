"""The vendor condition of playbook attach rules (registered in contributions.py).

"Attach the carrier outage playbook when a telephony carrier is named": a rule may
list vendors and vendor categories; it holds when the incident or escalation names
any of those vendors or any vendor of those categories. The facts come from this
app's fact source (``vendor_ids``, ``vendor_categories``), so the playbook attaches
also when the vendor is named after the declaration (``attribution_add`` announces
the change). Stored on the rule as ``{"vendors": [ids], "vendor_categories": [codes]}``.
"""

from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from core.validation import ModelMultipleChoiceField, parse_id

from .choices import VendorCategory
from .models import Vendor

KEY = "vendor"
VENDORS_HELP = "Any of these vendors is named on it."
CATEGORIES_HELP = "A vendor of any of these categories is named on it."


def form_fields() -> dict:
    # Every vendor, exited ones too: a rule naming a vendor being replaced still reads
    # as people wrote it.
    return {
        "vendors": ModelMultipleChoiceField(
            Vendor.objects.order_by("name"), required=False, label="Vendor named",
            help_text=VENDORS_HELP),
        "vendor_categories": forms.MultipleChoiceField(
            choices=VendorCategory.choices, required=False, label="Vendor category named",
            widget=forms.CheckboxSelectMultiple, help_text=CATEGORIES_HELP),
    }


def input_fields() -> dict:
    return {
        "vendors": serializers.PrimaryKeyRelatedField(
            queryset=Vendor.objects.all(), many=True, required=False,
            help_text=f"Vendor ids. {VENDORS_HELP} With `vendor_categories`, either "
                      "holds."),
        "vendor_categories": serializers.ListField(
            child=serializers.ChoiceField(choices=VendorCategory.choices), required=False,
            help_text=f"Vendor category codes, e.g. carrier. {CATEGORIES_HELP}"),
    }


def output_fields() -> dict:
    return {
        "vendors": serializers.ListField(
            child=serializers.IntegerField(), read_only=True, default=list,
            help_text="Vendor ids: the rule holds when any of them is named."),
        "vendor_categories": serializers.ListField(
            child=serializers.ChoiceField(choices=VendorCategory.choices), read_only=True,
            default=list, help_text="Vendor categories: or when a vendor of one of them "
                                    "is named."),
    }


def _vendor_id(value):
    # parse_id: ASCII digits within the column, so no id reaches the database that
    # SQLite cannot compare or PostgreSQL refuses as out of range.
    return value.pk if isinstance(value, Vendor) else parse_id(value)


def clean(values: dict) -> dict:
    """Vendors (instances or ids) and category codes → what the rule stores; {} when
    neither is set. Unknown ones are refused, naming the field."""
    errors = {}
    vendors = list(values.get("vendors") or ())
    ids = [_vendor_id(value) for value in vendors]
    known = set(Vendor.objects.filter(pk__in=[i for i in ids if i is not None])
                .values_list("pk", flat=True))
    unknown = [str(value) for value, pk in zip(vendors, ids, strict=True) if pk not in known]
    if unknown:
        errors["vendors"] = f"No such vendor: {', '.join(unknown)}."
    categories = list(values.get("vendor_categories") or ())
    wrong = [str(code) for code in categories if code not in VendorCategory.values]
    if wrong:
        errors["vendor_categories"] = (f"Not a vendor category: {', '.join(wrong)}. Choose "
                                       f"from: {', '.join(VendorCategory.values)}.")
    if errors:
        raise ValidationError(errors)
    stored = {}
    if ids:
        stored["vendors"] = sorted(set(ids))
    if categories:
        # In the order the categories are declared, each once: it reads the same however
        # they were sent.
        stored["vendor_categories"] = [c for c in VendorCategory.values if c in categories]
    return stored


def matches(stored: dict, facts: dict) -> bool:
    """Any vendor listed, or any vendor of a category listed, is named on the item."""
    named = set(facts.get("vendor_ids") or ())
    categories = set(facts.get("vendor_categories") or ())
    return bool(named & set(stored.get("vendors") or ())
                or categories & set(stored.get("vendor_categories") or ()))


def _category_name(code):
    label = VendorCategory(code).label if code in VendorCategory.values else code
    # "Telephony carrier" reads "telephony carrier" mid-sentence; "CRM" stays "CRM".
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def describe_many(stored_list: list[dict]) -> list[str]:
    """``vendor Northwind Telecom or category telephony carrier`` for each rule, the
    vendor names of all of them read in one query."""
    ids = {pk for stored in stored_list for pk in stored.get("vendors") or ()}
    names = dict(Vendor.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    texts = []
    for stored in stored_list:
        parts = []
        if stored.get("vendors"):
            parts.append("vendor " + " or ".join(sorted(names.get(pk, f"#{pk} (removed)")
                                                        for pk in stored["vendors"])))
        if stored.get("vendor_categories"):
            parts.append("category " + " or ".join(_category_name(code) for code
                                                   in stored["vendor_categories"]))
        texts.append(" or ".join(parts))
    return texts


def describe(stored: dict) -> str:
    return describe_many([stored])[0]
