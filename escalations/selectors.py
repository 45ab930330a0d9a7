"""Non-trivial reads about escalations."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone

from .choices import EscalationState, EscalationTimelineKind
from .models import Escalation, TierDirection
from .visibility import can_see_compensation


def escalation_bursts(*, now=None) -> list[dict]:
    """Bursts of similar escalations that suggest an incident nobody has declared.

    ``ESCALATION_BURST_THRESHOLD`` or more escalations with the same category and
    channel opened within the last ``ESCALATION_BURST_WINDOW_MINUTES``, none of them
    linked to an incident yet (once they are, the incident is known). Withdrawn ones
    do not count. One grouped query on the (category, channel, created_at) index.
    """
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.ESCALATION_BURST_WINDOW_MINUTES)
    groups = (
        Escalation.objects
        .filter(created_at__gte=since, created_at__lte=now, incident_links__isnull=True)
        .exclude(state=EscalationState.WITHDRAWN)
        .exclude(category="")
        .values("category", "channel", "channel__key", "channel__name")
        .annotate(count=Count("pk"), first=Min("created_at"), last=Max("created_at"))
        .filter(count__gte=settings.ESCALATION_BURST_THRESHOLD)
        .order_by("-count", "category")
    )
    labels = dict(Escalation._meta.get_field("category").choices)
    return [{**group, "category_label": labels.get(group["category"], group["category"]),
             "window_minutes": settings.ESCALATION_BURST_WINDOW_MINUTES}
            for group in groups]


def escalation_timeline_for(escalation, user, *, newest_first=True):
    """The escalation's timeline as ``user`` may read it: compensation lines only for
    those who see compensation (``escalations/visibility.py``)."""
    events = escalation.timeline.select_related("actor")
    if not can_see_compensation(user):
        events = events.exclude(kind=EscalationTimelineKind.COMPENSATION)
    return events.order_by("-at", "-pk") if newest_first else events.order_by("at", "pk")


def pending_tier_change(escalation):
    """The tier change still waiting for the receiving tier to acknowledge it, or None.

    One definition for the page (the "Acknowledge" button) and the breach action (no
    second climb while the last one is unacknowledged): the *latest* tier change,
    when it moved the escalation up to the tier it is still at and nobody has
    acknowledged it. A later de-escalation (or a newer climb) supersedes it.
    """
    latest = escalation.tier_changes.order_by("-requested_at", "-pk").select_related(
        "requested_by").first()
    if latest is None or latest.direction != TierDirection.UP or latest.is_acknowledged:
        return None
    return latest if latest.to_tier == escalation.tier else None


def escalation_list(*, filters, user, queryset=None, open_by_default=False):
    """The escalation list as ``user`` asked for it: the one FilterSet
    (``escalations/filters.py``) bound to ``filters`` (a query dict), for the queue
    page and the API alike.

    Returns the bound FilterSet: ``.qs`` is the list (invalid parameters left out),
    ``.errors`` says which were invalid (the API answers 400 with them), ``.form``
    draws the filters on the page. ``queryset``: what to filter (the caller's joins
    and order); ``open_by_default``: with no ``state`` given, only the open states
    (the queue page; the API lists every state).
    """
    from .filters import EscalationFilterSet

    queryset = Escalation.objects.all() if queryset is None else queryset
    filterset = EscalationFilterSet(filters, queryset, user=user)
    filterset.is_valid()  # an invalid state is left out like any other parameter
    if open_by_default and not filterset.form.cleaned_data.get("state"):
        filterset.queryset = filterset.queryset.open()
    return filterset


def customer_360(*, customer, user) -> dict:
    """The customer's history with us for their page: every escalation (open ones
    first), the incidents they were linked to, and compensation to date.

    Permission-checked: nothing unless ``user`` reads escalations; incidents only for
    those who read incidents; compensation amounts only for roles that see money.
    Four queries whatever the number of escalations.
    """
    from .visibility import can_see_money

    if not user.has_perm("escalations.view_escalation"):
        return {"visible": False}
    escalations = list(
        Escalation.objects.filter(customer=customer).select_related("channel", "owner")
        .order_by("-created_at", "-pk"))
    open_states = {EscalationState.CLOSED, EscalationState.WITHDRAWN}
    open_ones = [e for e in escalations if e.state not in open_states]
    incidents = []
    if user.has_perm("incidents.view_incident") and escalations:
        from .models import EscalationIncidentLink

        seen = set()
        for link in (EscalationIncidentLink.objects
                     .filter(escalation__customer=customer)
                     .select_related("incident", "incident__severity", "escalation")
                     .order_by("-incident__declared_at", "-pk")):
            if link.incident_id in seen:
                continue
            seen.add(link.incident_id)
            incidents.append({"incident": link.incident, "escalation": link.escalation})
    money = None
    if can_see_money(user):
        offered = sum((e.compensation_offered or 0) for e in escalations)
        approved = sum((e.compensation_approved or 0) for e in escalations)
        money = {"offered": offered, "approved": approved,
                 "currency": settings.SWITCHBOARD_CURRENCY,
                 "count": sum(1 for e in escalations if e.compensation_offered)}
    return {"visible": True, "escalations": escalations, "open_count": len(open_ones),
            "incidents": incidents, "compensation": money}
