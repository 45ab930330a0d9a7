"""The interval list's filters (API), one FilterSet."""

import django_filters

from core.api.filters import FilterSet, PlausibleIsoDateTimeFilter

from .choices import QueueChannel
from .models import IntervalStat, Queue


class IntervalFilter(FilterSet):
    queue = django_filters.ModelChoiceFilter(queryset=Queue.objects.all(), help_text="A queue id.")
    channel = django_filters.ChoiceFilter(field_name="queue__channel",
                                          choices=QueueChannel.choices)
    start_from = PlausibleIsoDateTimeFilter(
        field_name="start", lookup_expr="gte", label="From",
        help_text="Intervals starting at or after this instant (ISO 8601).")
    start_before = PlausibleIsoDateTimeFilter(
        field_name="start", lookup_expr="lt", label="Before",
        help_text="Intervals starting before this instant (ISO 8601).")

    class Meta:
        model = IntervalStat
        fields = ["queue", "channel", "start_from", "start_before"]
