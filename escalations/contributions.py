"""What the escalations app brings to the rest of Switchboard (see core/registry.py)."""

from core.registry import Area, DemoSeeder, register_area, register_demo_seeder

from .demo import seed_customers, seed_escalations


def register():
    register_area(Area(
        "escalations", "Escalations",
        "Complaints, regulatory complaints and high-value customers worked against SLA "
        "clocks on business calendars, up a tier ladder.", order=20))
    register_demo_seeder(DemoSeeder("escalations.customers", lambda demo: seed_customers(),
                                    after=("core.people",)))
    register_demo_seeder(DemoSeeder(
        "escalations", lambda demo: seed_escalations(),
        after=("escalations.customers", "incidents", "core.calendars", "core.teams")))
