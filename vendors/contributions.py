"""What the vendors app brings to the rest of Switchboard (see core/registry.py)."""

from core.choices import Role
from core.registry import Area, register_area
from core.roles import ALL, Grant, register_app


def register():
    register_app("vendors", grants={Role.VENDOR_MANAGER: [Grant("vendors", ALL)]})
    register_area(Area(
        "vendors", "Vendors",
        "Contracts with measurable SLAs, compliance per period, service credits claimed "
        "to the money, renewal and notice dates.", order=40))
