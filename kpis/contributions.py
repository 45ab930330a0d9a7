"""What the KPI app brings to the rest of Switchboard (see core/registry.py).

Nothing in incidents or vendors names this app: the impact card on incident pages,
the queues card on vendor pages, the dashboard tile, the demo data and the SLA
measurement sources are all registered here.
"""

from core.choices import Role
from core.registry import (
    Area,
    DashboardTile,
    DemoSeeder,
    Panel,
    register_area,
    register_dashboard_tile,
    register_demo_seeder,
    register_panel,
)
from core.roles import ALL, Grant, register_app


def register():
    # Managers (everything, by register_app) and vendor managers manage queues and
    # imports; every role reads the figures; cost per contact needs core.view_money.
    register_app("kpis", grants={Role.VENDOR_MANAGER: [Grant("kpis", ALL)]})
    register_area(Area(
        "kpis", "KPIs",
        "Service level, abandon rate, AHT, ASA, FCR, CSAT and NPS per queue, from the "
        "interval data your ACD or CCaaS platform exports.", order=35))
    register_panel(Panel(
        "kpis.on_incident", model="incidents.incident", template="kpis/_incident_impact.html",
        context=_incident_card, permission="kpis.view_intervalstat", slot="related", order=30))
    # The same measured impact inside the post-mortem, where it is written up.
    register_panel(Panel(
        "kpis.on_postmortem", model="incidents.incident",
        template="kpis/_postmortem_impact.html", context=_incident_card,
        permission="kpis.view_intervalstat", slot="postmortem", order=10))
    register_panel(Panel(
        "kpis.on_vendor", model="vendors.vendor", template="kpis/_vendor_queues.html",
        context=_vendor_card, permission="kpis.view_intervalstat", slot="main", order=50))
    register_dashboard_tile(DashboardTile(
        "kpis.today", template="kpis/_dashboard_tile.html", context=_dashboard,
        permission="kpis.view_intervalstat", order=30,
        roles=(Role.MANAGER, Role.VIEWER)))
    register_demo_seeder(DemoSeeder("kpis", _seed, after=("core.people", "incidents",
                                                          "vendors")))
    _register_measurement_sources()


def _register_measurement_sources():
    try:
        from vendors.measurement_sources import register_source
    except ImportError:  # the vendors app is not installed
        return
    from .measurement import METRICS, measure

    for metric in METRICS:
        register_source(metric, measure)


def _incident_card(request, incident, forms):
    from .views import incident_card

    return incident_card(request, incident)


def _vendor_card(request, vendor, forms):
    from .views import vendor_card

    return vendor_card(request, vendor)


def _dashboard(user, now):
    from .views import dashboard_tile

    return dashboard_tile(user, now)


def _seed(demo):
    from .demo import seed_kpis

    seed_kpis(demo)
