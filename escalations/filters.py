"""The one FilterSet of the escalation list: the queue page and ``GET /api/escalations/``.

Both reach it through ``selectors.escalation_list(filters=…, user=…)``, so a
parameter means the same on both, with the same name: ``state``, ``category``,
``priority``, ``tier`` and ``customer_tier`` (repeat for several), ``owner`` (a user
id or ``me``), ``mine``, ``channel`` (its key), ``customer`` (id), ``regulatory``,
``breached`` and ``created_after`` / ``created_before``. The page draws the choice
filters as single selects and the flags as checkboxes; the API may repeat a choice
parameter. An invalid value is a 400 naming the parameter in the API, and on the
page is shown next to its field and left out.
"""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.api.filters import FilterSet, IdFilter, PlausibleIsoDateTimeFilter
from core.models import SlaClock
from core.validation import parse_id
from incidents.models import Channel

from .choices import (
    CustomerTier,
    EscalationCategory,
    EscalationPriority,
    EscalationState,
    Tier,
)
from .models import Escalation


class OneOrMore(forms.Select):
    """Drawn as one select with an "any" option (the page); read as a list, so the
    API may repeat the parameter (``?state=new&state=triaged``)."""

    def __init__(self, empty_label, attrs=None):
        super().__init__(attrs)
        self.empty_label = empty_label

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        values = getlist(name) if getlist else data.get(name)
        if values is None:
            return []
        if not isinstance(values, list | tuple):
            values = [values]
        return [value for value in values if value not in ("", None)]

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        empty = self.create_option(name, "", self.empty_label, not value, 0, attrs=attrs)
        return [(None, [empty], 0), *groups]


class CheckboxInput(forms.CheckboxInput):
    """A flag: ticked on the page (``on``), ``true``/``1``/``yes`` in the API; anything
    else, or nothing, leaves the list unfiltered. (Named like Django's so the shared
    field partial draws it as a checkbox.)"""

    TRUE = {"on", "true", "1", "yes"}

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        return isinstance(value, str) and value.strip().lower() in self.TRUE


def _choices(choices, empty_label, **kwargs):
    return django_filters.MultipleChoiceFilter(
        choices=choices, widget=OneOrMore(empty_label),
        # distinct=False: no many-valued join here, and SELECT DISTINCT over every
        # column made large lists spill to disk (bench/bench_escalation_queue.py).
        distinct=False, **kwargs)


def _flag(label, method, help_text):
    return django_filters.BooleanFilter(label=label, method=method, widget=CheckboxInput,
                                        help_text=help_text)


class OwnerField(forms.CharField):
    """``me`` or a user id (digits)."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values or value == "me":
            return value or None
        user_id = parse_id(value)
        if user_id is None:
            raise forms.ValidationError("Use a user id or 'me'.", code="invalid_owner")
        return user_id


class OwnerFilter(django_filters.CharFilter):
    field_class = OwnerField

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if value == "me":
            return qs.filter(owner=self.parent.user)
        return qs.filter(owner_id=value)


class EscalationFilterSet(FilterSet):
    state = _choices(EscalationState.choices, "Any open state",
                     help_text="Repeat for several states. The queue page shows the open "
                               "states when none is given.")
    category = _choices(EscalationCategory.choices, "Any category",
                        help_text="Repeat for several.")
    priority = _choices(EscalationPriority.choices, "Any priority",
                        help_text="Repeat for several.")
    tier = _choices(Tier.choices, "Any tier", help_text="Repeat for several tiers.")
    channel = django_filters.ModelChoiceFilter(
        queryset=Channel.objects.filter(active=True), to_field_name="key",
        empty_label="Any channel", help_text="The channel's key, e.g. `chat`.")
    customer_tier = _choices(CustomerTier.choices, "Any customer tier",
                             field_name="customer__tier", label="Customer tier",
                             help_text="Repeat for several.")
    owner = OwnerFilter(label="Owner", help_text="A user id, or `me`.")
    customer = IdFilter(field_name="customer_id", help_text="Customer id.")
    created_after = PlausibleIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = PlausibleIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    breached = _flag("SLA breached", "filter_breached",
                     "Only escalations with a running or paused clock past due now.")
    regulatory = _flag("Under a regulator", "filter_regulatory",
                       "Only escalations under a regulatory regime.")
    mine = _flag("Owned by me", "filter_mine", "Only escalations you own.")

    class Meta:
        model = Escalation
        fields = ["state", "category", "priority", "tier", "channel", "customer_tier",
                  "owner", "customer", "created_after", "created_before", "breached",
                  "regulatory", "mine"]

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.user = user if user is not None else getattr(self.request, "user", None)

    def filter_breached(self, queryset, name, value):
        if not value:
            return queryset
        overdue = SlaClock.objects.filter(
            content_type=ContentType.objects.get_for_model(Escalation),
            object_id=OuterRef("pk")).overdue(timezone.now())
        return queryset.filter(Exists(overdue))

    def filter_regulatory(self, queryset, name, value):
        return queryset.filter(regulatory_regime__isnull=False) if value else queryset

    def filter_mine(self, queryset, name, value):
        return queryset.filter(owner=self.user) if value else queryset
