"""The API's filters, with the input rules of ``core/validation.py``.

Every FilterSet of the API derives from :class:`FilterSet` here, and the
``filterset_fields`` shorthand builds its FilterSet from it too (through
:class:`FilterBackend`, the default filter backend). So a filter on an instant
refuses implausible dates and impossible UTC offsets, and a filter on a related
object refuses an id that is not plain digits or does not fit the column — each
with a 400 naming the parameter instead of a database error.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_filters import fields as filter_fields
from django_filters import filters
from django_filters import rest_framework as drf_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.validation import PlausibleDateTimeField, parse_id


class PlausibleIsoDateTimeField(filter_fields.IsoDateTimeField, PlausibleDateTimeField):
    """ISO 8601 as django-filter parses it, within the plausible range."""


class PlausibleIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = PlausibleIsoDateTimeField


class IdField(filter_fields.ModelChoiceField):
    """A related object chosen by its integer id: plain digits that fit the column
    (a superscript digit or a 30-digit number is "not a valid choice", not a crash)."""

    def to_python(self, value):
        if value not in self.empty_values and not (
                self.null_label is not None and value == self.null_value):
            key = self.queryset.model._meta.get_field(self.to_field_name) \
                if self.to_field_name else self.queryset.model._meta.pk
            if isinstance(key, models.IntegerField | models.AutoField) and parse_id(value) is None:
                raise ValidationError(self.error_messages["invalid_choice"],
                                      code="invalid_choice")
        return super().to_python(value)


class RelatedFilter(filters.ModelChoiceFilter):
    field_class = IdField


class IdNumberField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        number = parse_id(value)
        if number is None:
            raise ValidationError("Enter an id (digits only).", code="invalid_id")
        return number


# Ids are BigAutoField: a bigger number is no id, and the database cannot even bind it.
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """``?incident=12``: an id column compared as a number, refused unless it is one
    (``NumberFilter`` took any decimal, and 3.7e+44 reached the database: a 500)."""

    field_class = IdNumberField

    def get_max_validator(self):
        return None  # the field's own range (a 64-bit id) applies


class UserIdOrMeFilter(filters.CharFilter):
    """``?owner=me`` or ``?owner=<user id>``."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if value == "me":
            return qs.filter(**{self.field_name: self.parent.request.user})
        user_id = parse_id(value)
        if user_id is None:
            raise serializers.ValidationError({self.field_name: ["Use a user id or 'me'."]})
        return qs.filter(**{f"{self.field_name}_id": user_id})


FILTER_DEFAULTS = {
    **drf_filters.FilterSet.FILTER_DEFAULTS,
    models.DateTimeField: {"filter_class": PlausibleIsoDateTimeFilter},
}
for _relation in (models.ForeignKey, models.OneToOneField):
    FILTER_DEFAULTS[_relation] = {**FILTER_DEFAULTS[_relation], "filter_class": RelatedFilter}


class FilterSet(drf_filters.FilterSet):
    """Every list's FilterSet (page and API). A range — two filters on the same field,
    one ``gt``/``gte`` and one ``lt``/``lte`` (``declared_after``/``declared_before``,
    ``date_from``/``date_to``) — whose start is after its end is refused on the end
    filter with words that say so, instead of quietly answering an empty list."""

    FILTER_DEFAULTS = FILTER_DEFAULTS

    def _ranges(self):
        starts, ends = {}, {}
        for name, found in self.filters.items():
            lookup = getattr(found, "lookup_expr", "")
            if lookup in ("gt", "gte"):
                starts.setdefault(found.field_name, name)
            elif lookup in ("lt", "lte"):
                ends.setdefault(found.field_name, name)
        return [(starts[field], ends[field]) for field in starts if field in ends]

    def get_form_class(self):
        base = super().get_form_class()
        ranges = self._ranges()
        if not ranges:
            return base
        labels = {name: str(found.label or name) for name, found in self.filters.items()}

        class RangeCheckedForm(base):
            def clean(self):
                data = super().clean()
                for start, end in ranges:
                    low, high = data.get(start), data.get(end)
                    if low is None or high is None or type(low) is not type(high):
                        continue
                    if low > high:
                        self.add_error(end, f"“{labels[end]}” ({_shown(high)}) is before "
                                            f"“{labels[start]}” ({_shown(low)}): swap them.")
                return data

        return RangeCheckedForm


def _shown(value):
    if hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


class FilterBackend(drf_filters.DjangoFilterBackend):
    """The default filter backend: ``filterset_fields`` build on :class:`FilterSet`."""

    filterset_base = FilterSet
