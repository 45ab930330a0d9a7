"""What the vendors app brings to the rest of Switchboard (see core/registry.py)."""

from core.registry import Area, register_area


def register():
    register_area(Area(
        "vendors", "Vendors",
        "Contracts with measurable SLAs, compliance per period, service credits claimed "
        "to the money, renewal and notice dates.", order=40))
