"""What incident cost and cost per contact bring to other apps' pages (core/registry.py).

Called once from ``budgets.contributions.register()``. Incidents, vendors and KPIs never
name budgets: the cost card on the incident page, the dashboard tile, the spend source
behind the KPI pages' cost per contact and the refresh on changes are all plugged in here.
"""

from core.choices import Role
from core.hooks import object_changed
from core.registry import DashboardTile, Panel, register_dashboard_tile, register_panel


def register():
    # Money only to money roles: budgets.read_incident_cost needs core.view_money.
    register_panel(Panel(
        "budgets.incident_cost", model="incidents.incident",
        template="budgets/_incident_cost.html", context=_incident_card,
        permission="budgets.read_incident_cost", slot="related", order=40))
    register_dashboard_tile(DashboardTile(
        "budgets.incident_cost", template="budgets/_incident_cost_tile.html",
        context=_dashboard, permission="budgets.read_incident_cost", order=70,
        roles=(Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE)))
    _register_spend_source()
    from .incident_cost import on_object_changed

    # Incidents announce declaration, triage, edits, severity, closing, cancelling and
    # vendor attribution; credits announce their steps. What does not announce
    # (resolving, reopening, roles, corrected times) is caught by
    # budgets.tasks.refresh_stale_incident_costs.
    object_changed.connect(on_object_changed, dispatch_uid="budgets.incident_cost")


def _register_spend_source():
    try:
        from kpis.spend import register_spend_source
    except ImportError:  # the KPI app is not installed
        return
    from .cost_per_contact import spend

    register_spend_source(spend)


def _incident_card(request, incident, forms):
    from .incident_cost import card_context

    return card_context(request, incident)


def _dashboard(user, now):
    from .incident_cost import dashboard_figures

    return dashboard_figures(now)
