"""What the integrations app brings to the rest of Switchboard (see core/registry.py)."""

from core.registry import Area, DemoSeeder, register_area, register_demo_seeder
from core.roles import register_app


def register():
    # Every role reads integrations and alerts; managers configure them (the Manager
    # role holds every permission of a registered app); the System role processes them.
    register_app("integrations")
    register_area(Area(
        "integrations", "Integrations",
        "Alerts from monitoring tools and vendors' status pages, turned into incidents.",
        order=80))
    from . import timeline

    timeline.register()
    register_demo_seeder(DemoSeeder("integrations", _seed,
                                    after=("core.people", "core.teams", "incidents", "vendors"),
                                    history=False))


def _seed(demo):
    from .demo import seed_integrations

    seed_integrations(demo)
