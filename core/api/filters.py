"""Query-string filters the API's FilterSets share."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

# Ids are BigAutoField: a bigger number is no id, and the database cannot even bind it.
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """``?customer=42``: an object's id, a whole number from 1. Anything else is a 400
    naming the filter (``NumberFilter`` took any decimal, and 3.7e+44 reached the
    database, which cannot bind it: a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

    def get_max_validator(self):
        return None  # max_value above is the real bound
