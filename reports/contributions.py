"""What the reports app brings to the rest of Switchboard (see core/registry.py)."""

from core.choices import Role
from core.registry import Area, register_area
from core.roles import EDIT, Grant, register_app


def register():
    register_app("reports", grants={Role.VENDOR_MANAGER: [Grant("reports", EDIT)],
                                    Role.FINANCE: [Grant("reports", EDIT)]})
    register_area(Area(
        "reports", "Reports",
        "Vendor review packs, the executive dashboard and post-mortem exports "
        "(HTML, PDF, XLSX, CSV).", order=70))
