"""The kept figure (:class:`~budgets.models.IncidentCost`, refreshed on change and by the
sweep in ``budgets/tasks.py``) and the reads for the incident card, the dashboard tile
and the costliest-incidents page.
"""

import logging
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from .. import money
from ..models import IncidentCost, default_currency
from .breakdown import incident_cost

# The name this logger always had (before the module became a package).
logger = logging.getLogger("budgets.incident_cost")


# --- Keeping it ---------------------------------------------------------------------------


def month_of(incident) -> date:
    return timezone.localdate(incident.declared_at).replace(day=1)


def incident_cost_refresh(incident, now=None) -> IncidentCost:
    """Compute and keep the incident's cost (derived: no history of its own)."""
    from incidents.models import Incident

    incident = Incident.objects.get(pk=incident.pk)  # the committed fields, not a stale copy
    breakdown = incident_cost(incident, now=now)
    values = {"month": month_of(incident), "responders": breakdown.responders,
              "agents_idle": breakdown.agents_idle, "lost_contacts": breakdown.lost_contacts,
              "lost_contacts_value": breakdown.lost_contacts_value,
              "credits": breakdown.credits, "total": breakdown.total,
              "currency": breakdown.currency, "breakdown": breakdown.as_dict(),
              "computed_at": timezone.now()}
    cost, _ = IncidentCost.objects.update_or_create(incident=incident, defaults=values)
    return cost


def refresh_quietly(incident_ids) -> int:
    """Refresh each incident in its own savepoint: a failure is logged (the sweep tries
    again), never allowed to undo the change that asked for the refresh."""
    from incidents.models import Incident

    done = 0
    for incident in Incident.objects.filter(pk__in=list(incident_ids)):
        try:
            with transaction.atomic():
                incident_cost_refresh(incident)
            done += 1
        except Exception:  # noqa: BLE001 - logged; the periodic sweep recomputes it
            logger.exception("Incident cost of %s not refreshed", incident.pk)
    return done


def credit_incident_ids(credit) -> set[int]:
    """The incidents a credit's self-measurement lists among its outages."""
    from vendors.choices import MeasurementSource
    from vendors.models import Measurement

    compliance = credit.compliance
    measurement = Measurement.objects.filter(
        objective_id=compliance.objective_id, period_start=compliance.period_start,
        source=MeasurementSource.SELF).first()
    outages = (measurement.basis or {}).get("outages", []) if measurement else []
    return {o["incident_id"] for o in outages if o.get("incident_id")}


def on_object_changed(sender, instance, by, **kwargs):
    """``core.hooks.object_changed`` receiver: an incident changed (declared, triaged,
    edited, closed, cancelled, severity, vendor attribution) or a credit moved."""
    label = sender._meta.label_lower
    if label == "incidents.incident":
        refresh_quietly([instance.pk])
    elif label == "vendors.servicecredit":
        refresh_quietly(credit_incident_ids(instance))


# --- Reads for the card, the tile and the page --------------------------------------------


def card_context(request, incident) -> dict:
    """The incident page's cost card: the breakdown computed now (so it is current even
    before the next refresh)."""
    breakdown = incident_cost(incident)
    return {"cost": breakdown,
            "responder_lines": breakdown.lines_of("responders"),
            "idle_lines": breakdown.lines_of("agents_idle"),
            "lost_lines": breakdown.lines_of("lost_contacts"),
            "credit_lines": breakdown.lines_of("credits"),
            "can_manage_rates": request.user.has_perm("budgets.manage_rates"),
            "rates_url": (url_or_none("admin:budgets_costrate_changelist")
                          if request.user.has_perm("budgets.manage_rates") else None)}


def url_or_none(name: str) -> str | None:
    """The page's address, or None while it is not wired (the admin or the budgets
    pages are another part of the app, which may not be installed yet)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def months_back(month: date, count: int) -> list[date]:
    return [money.add_months(month, -n) for n in range(count - 1, -1, -1)]


def dashboard_figures(now=None, months: int = 6) -> dict:
    """Incident cost this month and last, per month (the last ``months``), per incident
    channel and per vendor over those months: three queries whatever the number of
    incidents. An incident on two channels (or with two vendors) counts in both."""
    now = now or timezone.now()
    this_month = timezone.localdate(now).replace(day=1)
    series = months_back(this_month, months)
    since = series[0]
    costs = IncidentCost.objects.filter(month__gte=since, month__lte=this_month)
    per_month = {row["month"]: row for row in costs.order_by().values("month").annotate(
        total=Sum("total"))}
    months_rows = [{"month": m, "total": _cents((per_month.get(m) or {}).get("total"))}
                   for m in series]
    channels = list(costs.filter(incident__channels__isnull=False).order_by()
                    .values("incident__channels__name").annotate(total=Sum("total"))
                    .order_by("-total", "incident__channels__name"))
    vendors = list(costs.filter(incident__vendor_attributions__isnull=False).order_by()
                   .values("incident__vendor_attributions__vendor__name",
                           "incident__vendor_attributions__vendor_id")
                   .annotate(total=Sum("total"))
                   .order_by("-total", "incident__vendor_attributions__vendor__name"))
    return {"currency": default_currency(), "this_month": months_rows[-1],
            "last_month": months_rows[-2] if months > 1 else None, "months": months_rows,
            "channels": [{"name": c["incident__channels__name"], "total": _cents(c["total"])}
                         for c in channels],
            "vendors": [{"name": v["incident__vendor_attributions__vendor__name"],
                         "id": v["incident__vendor_attributions__vendor_id"],
                         "total": _cents(v["total"])} for v in vendors],
            "costs_url": url_or_none("budgets:incident_costs")}


def _cents(value) -> Decimal:
    # SQLite's SUM of decimals forgets their places: 1010 for 1010.00.
    return Decimal(value or 0).quantize(money.CENT)


def costliest(start: date, end: date, limit: int = 50):
    """The costliest incidents declared in months ``[start, end]`` (first days)."""
    return (IncidentCost.objects.filter(month__gte=start, month__lte=end)
            .select_related("incident", "incident__severity").order_by("-total", "pk")[:limit])
