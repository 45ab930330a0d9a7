"""What the shared kernel itself puts on the dashboard and in the demo."""

from . import demo
from .registry import DashboardTile, register_dashboard_tile


def register():
    from .history import history_panel

    # The History section of every object page (core/history.py); calendars here.
    history_panel("core.businesscalendar")
    from .choices import Role
    from .selectors import my_work_soonest, people_per_role, system_figures

    demo.register()
    # Everyone who works something starts with what is due soonest on their list.
    register_dashboard_tile(DashboardTile(
        "core.my_work", "core/tiles/my_work.html", my_work_soonest, order=5,
        roles=tuple(role for role in Role.values if role != Role.VIEWER)))
    # People, teams, audited changes and the worker: the System health page's.
    register_dashboard_tile(DashboardTile("core.figures", "core/tiles/figures.html",
                                          system_figures, order=30, page="system"))
    register_dashboard_tile(DashboardTile("core.roles", "core/tiles/roles.html",
                                          people_per_role, order=90, page="system"))
