"""What the shared kernel itself puts on the dashboard and in the demo."""

from . import demo
from .registry import DashboardTile, register_dashboard_tile


def register():
    from .selectors import people_per_role, system_figures

    demo.register()
    register_dashboard_tile(DashboardTile("core.figures", "core/tiles/figures.html",
                                          system_figures, order=30))
    register_dashboard_tile(DashboardTile("core.roles", "core/tiles/roles.html",
                                          people_per_role, order=90))
