"""One FilterSet per list, used by the page (its form is the filter bar) and the API."""

import django_filters
from django.db.models import Q

from .choices import AlertSeverity, AlertStatus
from .models import Alert, Integration


class AlertFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search",
                                  help_text="Title, dedup key or source.")
    integration = django_filters.ModelChoiceFilter(
        queryset=Integration.objects.order_by("name"), empty_label="Any integration")
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices, empty_label="Any status")
    severity = django_filters.ChoiceFilter(choices=AlertSeverity.choices,
                                           empty_label="Any severity")
    has_incident = django_filters.BooleanFilter(
        field_name="group__incident", lookup_expr="isnull", exclude=True,
        label="Opened an incident", help_text="`true`: only alerts whose group has an incident.")

    class Meta:
        model = Alert
        fields = ["q", "integration", "status", "severity", "has_incident"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(dedup_key__icontains=value)
                               | Q(source__icontains=value))
