"""What the incidents app brings to the rest of Switchboard (see core/registry.py)."""

from core.registry import Area, DemoSeeder, register_area, register_demo_seeder

from .demo import seed_incidents


def register():
    register_area(Area(
        "incidents", "Incidents",
        "Declare, triage, contain and resolve outages of voice, IVR, chat, bots and CRM, "
        "with SLA clocks, status updates and post-mortems.", order=10))
    register_demo_seeder(DemoSeeder(
        "incidents", lambda demo: seed_incidents(), after=("core.people", "core.teams",
                                                           "core.calendars")))
