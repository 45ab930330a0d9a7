"""What the playbooks app brings to the rest of Switchboard (see core/registry.py)."""

from core.registry import Area, register_area


def register():
    register_area(Area(
        "playbooks", "Playbooks",
        "Versioned procedures that attach themselves to incidents and escalations and "
        "guide the work step by step.", order=50))
