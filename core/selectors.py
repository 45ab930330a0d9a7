"""Reads for the home dashboard and the navigation."""

from datetime import timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Q
from django.utils import timezone

from incidents.selectors import (
    incident_metrics,
    incidents_for_dashboard,
    open_incidents_by_severity,
)

from .choices import ClockState, Role
from .health import heartbeat_status
from .models import BusinessCalendar, SlaClock, Team


def audited_models():
    """Every installed model that keeps history, with its history manager's name."""
    found = []
    for model in apps.get_models():
        # simple-history marks the models it tracks (not their historical twins).
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager_name:
            found.append((model, manager_name))
    return found


INCIDENT_METRICS_DAYS = 90


def dashboard_overview(now=None, user=None):
    """Counts the home page shows, each a single aggregate query.

    The incidents part (open incidents by severity, the newest open ones, response
    times of the last 90 days by severity) is there for people who may see incidents
    (``user=None``: everybody); it is a fixed handful of queries too.
    """
    now = now or timezone.now()
    user_model = get_user_model()
    people = user_model.objects.filter(is_active=True).count()
    role_counts = dict(
        Group.objects.filter(name__in=Role.values)
        .annotate(n=Count("user", filter=Q(user__is_active=True)))
        .values_list("name", "n")
    )
    since = now - timedelta(days=7)
    changes_this_week = sum(
        getattr(model, manager).filter(history_date__gte=since).count()
        for model, manager in audited_models()
    )
    clocks = SlaClock.objects.filter(state__in=[ClockState.RUNNING, ClockState.PAUSED]).aggregate(
        running=Count("pk", filter=Q(state=ClockState.RUNNING)),
        paused=Count("pk", filter=Q(state=ClockState.PAUSED)),
        breached=Count("pk", filter=Q(breached_at__isnull=False)),
    )
    return {
        "clocks": clocks,
        "calendars": BusinessCalendar.objects.count(),
        "people": people,
        "teams": Team.objects.count(),
        "roles": [(role, role_counts.get(role, 0)) for role in Role.values],
        "changes_this_week": changes_this_week,
        "worker": heartbeat_status(now),
        "incidents": _incidents_overview(now)
        if user is None or user.has_perm("incidents.view_incident") else None,
        "escalations": _escalations_overview(now)
        if user is None or user.has_perm("escalations.view_escalation") else None,
    }


def _escalations_overview(now):
    """Open escalations by tier, how many have a breached clock, and the bursts that
    suggest an undeclared incident (three queries)."""
    from escalations.choices import OPEN_STATES, Tier
    from escalations.models import Escalation
    from escalations.selectors import escalation_bursts

    open_escalations = Escalation.objects.filter(state__in=OPEN_STATES)
    by_tier = dict(open_escalations.values_list("tier").annotate(n=Count("pk")))
    breached = SlaClock.objects.filter(
        content_type__app_label="escalations", content_type__model="escalation",
        state__in=[ClockState.RUNNING, ClockState.PAUSED],
    ).filter(Q(breached_at__isnull=False) | Q(due_at__lte=now)).values("object_id").distinct()
    return {
        "open_total": sum(by_tier.values()),
        "by_tier": [(tier, by_tier.get(tier.value, 0)) for tier in Tier],
        "breached": open_escalations.filter(pk__in=breached).count(),
        "bursts": escalation_bursts(now=now),
    }


def _incidents_overview(now):
    metrics = incident_metrics(since=now - timedelta(days=INCIDENT_METRICS_DAYS), until=now,
                               groups=("severity",))
    open_counts = open_incidents_by_severity()
    return {
        "open_by_severity": open_counts,
        "open_total": sum(row.count for row in open_counts),
        "open": incidents_for_dashboard(),
        "metrics": metrics,
        "metrics_days": INCIDENT_METRICS_DAYS,
    }
