"""What the reports app brings to the rest of Switchboard (see core/registry.py)."""

from core.registry import Area, register_area


def register():
    register_area(Area(
        "reports", "Reports",
        "Vendor review packs, the executive dashboard and post-mortem exports "
        "(HTML, PDF, XLSX, CSV).", order=70))
