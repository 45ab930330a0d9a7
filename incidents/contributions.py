"""What the incidents app brings to the rest of Switchboard (see core/registry.py)."""

from core.choices import Role
from core.registry import (
    Area,
    DemoSeeder,
    PageRenderer,
    register_area,
    register_demo_seeder,
    register_page_renderer,
)
from core.roles import ALL, EDIT, Grant, register_app

from .demo import seed_incidents


def register():
    register_app("incidents", grants={
        Role.MANAGER: [Grant("incidents", ("close",))],
        Role.INCIDENT_RESPONDER: [Grant("incidents", EDIT, (
            "incident", "timelineevent", "statusupdate", "postmortem", "actionitem"))],
    }, system=(ALL, ("close",)))
    register_area(Area(
        "incidents", "Incidents",
        "Declare, triage, contain and resolve outages of voice, IVR, chat, bots and CRM, "
        "with SLA clocks, status updates and post-mortems.", order=10))
    register_demo_seeder(DemoSeeder(
        "incidents", lambda demo: seed_incidents(), after=("core.people", "core.teams",
                                                           "core.calendars")))
    register_page_renderer(PageRenderer("incidents.incident", _render_incident_page))


def _render_incident_page(request, pk, **kwargs):
    from .views import _render_incident  # views import every form: only when drawn

    return _render_incident(request, pk, **kwargs)
