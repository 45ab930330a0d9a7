"""Budget background work, run by Celery beat (``config/settings.py``)."""

from celery import shared_task


@shared_task(name="budgets.tasks.sweep_initiative_reviews")
def sweep_initiative_reviews():
    """Benefits reviews that fell due: each initiative's owner is told once."""
    from django.utils import timezone

    from core.due_rows import sweep_due

    from .initiatives import review_due
    from .models import Initiative

    now = timezone.now()
    done = sweep_due(Initiative.objects.all(), due_field="review_notify_at", now=now,
                     handle=lambda initiative: review_due(initiative, now),
                     name="Initiative benefits reviews")
    return dict(done)


@shared_task(name="budgets.tasks.offset_received_credits")
def offset_received_credits():
    """Received service credits not yet booked against spend (their year had no budget
    when they arrived) are booked once a budget can take them."""
    from .services import offset_received_credits as book

    return {"booked": book()}


# --- Incident cost (budgets/incident_cost.py) ------------------------------------------------

BATCH = 200


def _refresh_each(incidents) -> int:
    from .incident_cost import refresh_quietly

    done = 0
    ids = list(incidents.order_by("pk").values_list("pk", flat=True))
    for first in range(0, len(ids), BATCH):
        done += refresh_quietly(ids[first:first + BATCH])
    return done


@shared_task(name="budgets.tasks.refresh_incident_costs")
def refresh_incident_costs(incident_ids=None):
    """Recompute the kept cost of every incident (or of ``incident_ids``): after a bulk
    change, a restore, or to check the sweep missed nothing."""
    from incidents.models import Incident

    incidents = Incident.objects.all()
    if incident_ids is not None:
        incidents = incidents.filter(pk__in=list(incident_ids))
    return {"refreshed": _refresh_each(incidents)}


@shared_task(name="budgets.tasks.refresh_incident_costs_since")
def refresh_incident_costs_since(day: str):
    """A rate changed from ``day`` on: the incidents declared since are priced again."""
    from datetime import date, datetime, time

    from django.utils import timezone

    from incidents.models import Incident

    start = timezone.make_aware(datetime.combine(date.fromisoformat(day), time.min))
    return {"refreshed": _refresh_each(Incident.objects.filter(declared_at__gte=start))}


@shared_task(name="budgets.tasks.refresh_stale_incident_costs")
def refresh_stale_incident_costs():
    """What changes without announcing it (``core.hooks.object_changed``) is caught here:

    * incidents still running (their hours grow), or with no cost kept yet;
    * incidents saved since their cost was computed — resolving, reopening, a role
      given, a stage time corrected write history but do not announce;
    * incidents whose credits or self-measurements changed since — a credit accrued,
      recomputed, claimed or earned back, an outage's minutes remeasured;
    * every incident a rate changed under (a rate edited in the admin).
    """
    from datetime import datetime, time

    from django.db.models import Exists, Max, Min, OuterRef, Q
    from django.utils import timezone

    from incidents.models import Incident
    from vendors.models import Measurement, ServiceCredit

    from .incident_cost import credit_incident_ids
    from .models import CostRate, IncidentCost

    changed = Incident.history.model.objects.filter(
        id=OuterRef("pk"), history_date__gt=OuterRef("cost__computed_at"))
    stale = set(Incident.objects.filter(
        Q(cost__isnull=True) | Q(resolved_at__isnull=True, cancelled_at__isnull=True)
        | Exists(changed)).values_list("pk", flat=True))
    oldest = IncidentCost.objects.aggregate(at=Min("computed_at"))["at"]
    if oldest is None:
        return {"refreshed": _refresh_each(Incident.objects.filter(pk__in=stale))}
    # Credits, and the measurements that split them, changed since the oldest figure.
    moved = dict(ServiceCredit.history.filter(history_date__gt=oldest).order_by()
                 .values_list("id").annotate(at=Max("history_date")))
    for row in (Measurement.history.filter(history_date__gt=oldest).order_by()
                .values("objective_id", "period_start").annotate(at=Max("history_date"))):
        for credit_id in ServiceCredit.objects.filter(
                compliance__objective_id=row["objective_id"],
                compliance__period_start=row["period_start"]).values_list("pk", flat=True):
            moved[credit_id] = max(row["at"], moved.get(credit_id, row["at"]))
    if moved:
        computed = dict(IncidentCost.objects.values_list("incident_id", "computed_at"))
        for credit in ServiceCredit.objects.filter(pk__in=list(moved)).select_related(
                "compliance"):
            for incident_id in credit_incident_ids(credit):
                if incident_id not in computed or computed[incident_id] < moved[credit.pk]:
                    stale.add(incident_id)
    # Rates edited since (the admin): the incidents declared from their day on.
    for change in CostRate.history.filter(history_date__gt=oldest).order_by().values(
            "effective_from").annotate(at=Max("history_date")):
        start = timezone.make_aware(datetime.combine(change["effective_from"], time.min))
        stale.update(Incident.objects.filter(declared_at__gte=start,
                                             cost__computed_at__lt=change["at"])
                     .values_list("pk", flat=True))
    return {"refreshed": _refresh_each(Incident.objects.filter(pk__in=stale))}
