"""What the escalations app brings to the rest of Switchboard (see core/registry.py)."""

from core.choices import Role
from core.registry import (
    Area,
    DemoSeeder,
    PageRenderer,
    Panel,
    register_area,
    register_demo_seeder,
    register_page_renderer,
    register_panel,
)
from core.roles import EDIT, Grant, register_app

from .demo import seed_customers, seed_escalations


def register():
    register_app("escalations", grants={
        Role.MANAGER: [Grant("escalations", ("erase", "approve"))],
        # Links the escalations an incident caused, from the incident page.
        Role.INCIDENT_RESPONDER: [Grant("escalations", EDIT, ("escalationincidentlink",))],
        # Works customers and escalations; SLA policies are managers' configuration.
        # Approves compensation up to the role's limit (CompensationApprovalLimit).
        Role.ESCALATION_LEAD: [
            Grant("escalations", EDIT, ("customer", "escalation", "escalationtimelineevent",
                                        "escalationincidentlink")),
            Grant("escalations", ("approve",), ("escalation",)),
        ],
    })
    register_area(Area(
        "escalations", "Escalations",
        "Complaints, regulatory complaints and high-value customers worked against SLA "
        "clocks on business calendars, up a tier ladder.", order=20))
    register_demo_seeder(DemoSeeder("escalations.customers", lambda demo: seed_customers(),
                                    after=("core.people",)))
    register_demo_seeder(DemoSeeder(
        "escalations", lambda demo: seed_escalations(),
        after=("escalations.customers", "incidents", "core.calendars", "core.teams")))
    register_page_renderer(PageRenderer("escalations.escalation", _render_escalation_page))
    # On incident pages: the escalations the incident caused, and linking more.
    register_panel(Panel(
        "escalations.incident_escalations", model="incidents.incident",
        template="escalations/_incident_escalations.html", context=_incident_escalations,
        permission="escalations.view_escalationincidentlink", slot="related"))


def _render_escalation_page(request, pk, **kwargs):
    from .views import _render_escalation

    return _render_escalation(request, pk, **kwargs)


def _incident_escalations(request, incident, forms):
    from .views import incident_escalations_context

    return incident_escalations_context(request, incident, forms)
