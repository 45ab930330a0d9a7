"""Reads for the home dashboard and the navigation."""

from datetime import timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Q
from django.utils import timezone

from .choices import ClockState, Role
from .health import heartbeat_status
from .models import SlaClock, Team
from .registry import dashboard_tiles


def audited_models():
    """Every installed model that keeps history, with its history manager's name."""
    found = []
    for model in apps.get_models():
        # simple-history marks the models it tracks (not their historical twins).
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager_name:
            found.append((model, manager_name))
    return found


def dashboard_overview(now=None, user=None, page="home"):
    """The home dashboard (or the System health page): every registered tile of
    ``page`` meant for ``user``, with its data (``[{"template", "data"}]``). Each tile
    is a fixed handful of queries."""
    now = now or timezone.now()
    tiles = []
    for tile in dashboard_tiles(user, page=page):
        data = tile.context(user, now)
        if data is not None:
            tiles.append({"key": tile.key, "template": tile.template, "data": data})
    return tiles


def system_figures(user, now):
    """People, teams, audited changes this week, clocks and the worker (one aggregate
    query each)."""
    since = now - timedelta(days=7)
    return {
        "people": get_user_model().objects.filter(is_active=True).count(),
        "teams": Team.objects.count(),
        "changes_this_week": sum(
            getattr(model, manager).filter(history_date__gte=since).count()
            for model, manager in audited_models()),
        "clocks": SlaClock.objects.active().aggregate(
            running=Count("pk", filter=Q(state=ClockState.RUNNING)),
            paused=Count("pk", filter=Q(state=ClockState.PAUSED)),
            breached=Count("pk", filter=Q(breached_at__isnull=False)),
        ),
        "worker": heartbeat_status(now),
    }


def my_work_soonest(user, now, limit=6):
    """The dashboard's "Due soonest": the first lines of the person's worklist."""
    from .worklist import my_worklist

    lines = [line for group in my_worklist(user, now=now) for line in group["lines"]]
    if not lines:
        return None
    far = now.replace(year=9999)
    lines.sort(key=lambda line: (line.due_at or far, line.entry.reference))
    return {"lines": lines[:limit], "total": len(lines)}


def people_per_role(user, now):
    counts = dict(
        Group.objects.filter(name__in=Role.values)
        .annotate(n=Count("user", filter=Q(user__is_active=True)))
        .values_list("name", "n")
    )
    return {"roles": [(role, counts.get(role, 0)) for role in Role.values]}
