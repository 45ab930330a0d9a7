"""What the escalations app brings to the rest of Switchboard (see core/registry.py)."""

from core.choices import Role
from core.registry import (
    Area,
    DashboardTile,
    DemoSeeder,
    PageRenderer,
    Panel,
    WorkSource,
    register_area,
    register_dashboard_tile,
    register_demo_seeder,
    register_page_renderer,
    register_panel,
    register_work_source,
)
from core.roles import EDIT, Grant, register_app
from core.work_items import WorkItemType, register_work_item

from .choices import FINISHED_STATES
from .demo import seed_customers, seed_escalations
from .worklist import my_escalations, my_tier_acknowledgements


def register():
    # What the global search box finds of this app (core/search.py).
    from . import search

    search.register()
    from core.history import history_panel

    from .visibility import COMPENSATION_FIELDS, can_see_compensation, customer_hidden_fields

    # History hides what the page hides from the role: compensation, personal data, money.
    history_panel("escalations.escalation", hidden_fields=lambda user: set()
                  if can_see_compensation(user) else set(COMPENSATION_FIELDS))
    history_panel("escalations.customer", hidden_fields=customer_hidden_fields)
    register_work_source(WorkSource("escalations.mine", "Escalations I own", my_escalations,
                                    permission="escalations.view_escalation", order=20))
    register_work_source(WorkSource("escalations.tiers", "Tier changes to acknowledge",
                                    my_tier_acknowledgements,
                                    permission="escalations.view_escalation", order=25))
    # The events other systems may subscribe to (outbound webhooks).
    from . import events

    events.register()
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
    register_dashboard_tile(DashboardTile(
        "escalations.bursts", "escalations/tiles/bursts.html", _bursts,
        permission="escalations.view_escalation", order=10,
        roles=(Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VIEWER)))
    register_dashboard_tile(DashboardTile(
        "escalations.open", "escalations/tiles/open.html", _open_escalations,
        permission="escalations.view_escalation", order=20,
        roles=(Role.MANAGER, Role.ESCALATION_LEAD, Role.VIEWER)))
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
    register_work_item(WorkItemType(
        key="escalation", model="escalations.escalation", label="Escalation",
        work_permission="escalations.work_escalation",
        view_permission="escalations.view_escalation",
        timeline_add=_timeline_add, people=lambda escalation: [escalation.owner],
        facts=_facts, finished_states=tuple(state.value for state in FINISHED_STATES)))
    # On incident pages: the escalations the incident caused, and linking more.
    register_panel(Panel(
        "escalations.incident_escalations", model="incidents.incident",
        template="escalations/_incident_escalations.html", context=_incident_escalations,
        permission="escalations.view_escalationincidentlink", slot="related"))


def _render_escalation_page(request, pk, **kwargs):
    from .views.page import render_escalation

    return render_escalation(request, pk, **kwargs)


def _incident_escalations(request, incident, forms):
    from .views.incident_card import incident_escalations_context

    return incident_escalations_context(request, incident, forms)


def _timeline_add(escalation, kind, text, **kwargs):
    """core.work_items.timeline_add's writer (by, at, event, params, masked)."""
    from .services import escalation_timeline_add

    return escalation_timeline_add(escalation, kind, text, **kwargs)


def _facts(escalation):
    """What attach rules match on (core.work_items.playbook_facts)."""
    return {
        "severity_rank": None,
        "priority": escalation.priority or None,
        "channel_ids": {escalation.channel_id} if escalation.channel_id else set(),
        "category": escalation.category or None,
        "customer_tier": escalation.customer.tier,
        "regulatory_regime_id": escalation.regulatory_regime_id,
    }


def _bursts(user, now):
    """Bursts of similar unlinked escalations: a possible undeclared incident."""
    from .selectors import escalation_bursts

    return {"bursts": escalation_bursts(now=now)}


def _open_escalations(user, now):
    """Open escalations by tier and how many have a breached clock (two queries)."""
    from django.db.models import Count

    from core.models import SlaClock

    from .choices import Tier
    from .models import Escalation

    open_escalations = Escalation.objects.open()
    by_tier = dict(open_escalations.values_list("tier").annotate(n=Count("pk")))
    breached = (SlaClock.objects.filter(content_type__app_label="escalations",
                                        content_type__model="escalation")
                .overdue(now).values("object_id").distinct())
    return {
        "open_total": sum(by_tier.values()),
        "by_tier": [(tier, by_tier.get(tier.value, 0)) for tier in Tier],
        "breached": open_escalations.filter(pk__in=breached).count(),
    }
