"""The incident list's filters: one FilterSet for the page and the API.

Both reach it through ``incidents.selectors.incident_list`` and so take the same
parameters: ``state`` (repeatable; ``active`` is every state not finished),
``severity`` and ``channel`` (keys), ``commander`` (a user id or ``me``),
``priority``, ``declared_after`` and ``declared_before`` (ISO 8601; a bare date is
midnight in the site's zone). The page's older names stay readable for bookmarks
(``page_aliases``).
"""

from datetime import date, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict

from core.api.filters import FilterSet, PlausibleIsoDateTimeFilter
from core.validation import parse_id

from .choices import OPEN_STATES, IncidentState, Priority
from .models import Incident

ACTIVE = "active"
STATE_CHOICES = [(ACTIVE, "Active (not closed or cancelled)"), *IncidentState.choices]


class CommanderField(forms.CharField):
    """``me``, or a user id (plain digits that fit the column)."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values or value == "me":
            return value or None
        if parse_id(value) is None:
            raise forms.ValidationError("Use a user id or 'me'.", code="invalid_id")
        return parse_id(value)


class CommanderFilter(django_filters.Filter):
    field_class = CommanderField

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if value == "me":
            return qs.filter(commander=self.parent.user)
        return qs.filter(commander_id=value)


class KeyFilter(django_filters.CharFilter):
    """A related object by its key, joined in the list's own query (no lookup first,
    so the query count stays put): an unknown key finds nothing. The page draws it as
    a select of the real keys and refuses any other (``views/list.py``)."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        qs = qs.filter(**{f"{self.field_name}__key": getattr(value, "key", value)})
        return qs.distinct() if self.distinct else qs


class IncidentFilter(FilterSet):
    state = django_filters.MultipleChoiceFilter(
        choices=STATE_CHOICES, method="filter_state",
        help_text="Repeat for several states; `active` is every state but closed and "
                  "cancelled.")
    severity = KeyFilter(field_name="severity", help_text="Severity key, e.g. SEV1.")
    channel = KeyFilter(field_name="channels", distinct=True,
                        help_text="Channel key, e.g. chat.")
    commander = CommanderFilter(help_text="A user id, or `me`.")
    priority = django_filters.ChoiceFilter(choices=Priority.choices, empty_label="Any priority")
    declared_after = PlausibleIsoDateTimeFilter(
        field_name="declared_at", lookup_expr="gte", label="Declared from",
        help_text="ISO 8601; a date alone is midnight in the site's zone.")
    declared_before = PlausibleIsoDateTimeFilter(
        field_name="declared_at", lookup_expr="lt", label="Declared before",
        help_text="ISO 8601, exclusive; a date alone is midnight in the site's zone.")

    class Meta:
        model = Incident
        fields = ["state", "severity", "channel", "commander", "priority", "declared_after",
                  "declared_before"]

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        # Whom ``commander=me`` means (the API's request user, or the page's).
        self.user = user if user is not None else getattr(self.request, "user", None)

    def filter_state(self, queryset, name, values):
        if not values:
            return queryset
        wanted = Q(state__in=[value for value in values if value != ACTIVE])
        if ACTIVE in values:
            wanted |= Q(state__in=OPEN_STATES)
        return queryset.filter(wanted)


# The page's older parameter names → (today's name, how the value changes).
def _day_after(value: str) -> str:
    try:
        return (date.fromisoformat(value) + timedelta(days=1)).isoformat()
    except (ValueError, OverflowError):  # not a date, or 9999-12-31
        return value  # refused under the new name, with its error


PAGE_ALIASES = {
    "declared_from": ("declared_after", lambda value: value),
    # "Declared to" included the whole day; "declared before" is exclusive.
    "declared_to": ("declared_before", _day_after),
}


def page_aliases(query: QueryDict) -> QueryDict:
    """The query with the page's old names (bookmarks) read as today's names; a new
    name given too wins."""
    query = query.copy()
    for old, (new, convert) in PAGE_ALIASES.items():
        value = query.pop(old, [""])[-1]
        if value and not query.get(new):
            query[new] = convert(value)
    return query
