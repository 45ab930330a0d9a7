"""What the incidents app brings to the rest of Switchboard (see core/registry.py)."""

from core.choices import Role
from core.registry import (
    Area,
    DashboardTile,
    DemoSeeder,
    PageRenderer,
    WorkSource,
    register_area,
    register_dashboard_tile,
    register_demo_seeder,
    register_page_renderer,
    register_work_source,
)
from core.roles import ALL, EDIT, Grant, register_app
from core.work_items import WorkItemType, register_work_item

from .choices import FINISHED_STATES
from .demo import seed_incidents
from .worklist import my_action_items, my_incidents


def register():
    # What the global search box finds of this app (core/search.py).
    from . import search

    search.register()
    from core.history import history_panel

    history_panel("incidents.incident")
    register_work_source(WorkSource("incidents.mine", "Incidents I work", my_incidents,
                                    permission="incidents.view_incident", order=10))
    register_work_source(WorkSource("incidents.action_items", "My action items",
                                    my_action_items, permission="incidents.view_incident",
                                    order=40))
    # The events other systems may subscribe to (outbound webhooks).
    from . import events

    events.register()
    register_app("incidents", grants={
        Role.MANAGER: [Grant("incidents", ("close",))],
        Role.INCIDENT_RESPONDER: [Grant("incidents", EDIT, (
            "incident", "timelineevent", "statusupdate", "postmortem", "actionitem"))],
    }, system=(ALL, ("close",)))
    register_dashboard_tile(DashboardTile(
        "incidents.open", "incidents/tiles/open.html", _dashboard,
        permission="incidents.view_incident", order=40,
        roles=(Role.MANAGER, Role.INCIDENT_RESPONDER, Role.VIEWER)))
    register_area(Area(
        "incidents", "Incidents",
        "Declare, triage, contain and resolve outages of voice, IVR, chat, bots and CRM, "
        "with SLA clocks, status updates and post-mortems.", order=10))
    register_demo_seeder(DemoSeeder(
        "incidents", lambda demo: seed_incidents(), after=("core.people", "core.teams",
                                                           "core.calendars")))
    register_page_renderer(PageRenderer("incidents.incident", _render_incident_page))
    register_work_item(WorkItemType(
        key="incident", model="incidents.incident", label="Incident",
        work_permission="incidents.work_incident", view_permission="incidents.view_incident",
        timeline_add=_timeline_add, people=_people, facts=_facts,
        finished_states=FINISHED_STATES))


def _render_incident_page(request, pk, **kwargs):
    from .views import _render_incident  # views import every form: only when drawn

    return _render_incident(request, pk, **kwargs)


def _timeline_add(incident, kind, text, **kwargs):
    """core.work_items.timeline_add's writer (by, at, event, params, masked)."""
    from .services import timeline_add

    return timeline_add(incident, kind, text, **kwargs)


def _people(incident):
    """Who works the incident: its roles."""
    return [incident.commander, incident.communications_lead, incident.scribe,
            incident.vendor_liaison]


def _facts(incident):
    """What attach rules match on (core.work_items.playbook_facts)."""
    return {
        "severity_rank": incident.severity.rank if incident.severity_id else None,
        "priority": incident.priority or None,
        "channel_ids": {channel.pk for channel in incident.channels.all()},
        "category": None, "customer_tier": None, "regulatory_regime_id": None,
    }


INCIDENT_METRICS_DAYS = 90


def _dashboard(user, now):
    """Open incidents by severity, the newest open ones, and response times of the
    last 90 days by severity (a fixed handful of queries)."""
    from datetime import timedelta

    from .selectors import incident_metrics, incidents_for_dashboard, open_incidents_by_severity

    open_counts = open_incidents_by_severity()
    return {
        "open_by_severity": open_counts,
        "open_total": sum(row.count for row in open_counts),
        "open": incidents_for_dashboard(),
        "metrics": incident_metrics(since=now - timedelta(days=INCIDENT_METRICS_DAYS),
                                    until=now, groups=("severity",)),
        "metrics_days": INCIDENT_METRICS_DAYS,
    }
