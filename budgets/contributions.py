"""What the budgets app brings to the rest of Switchboard (see core/registry.py)."""

from core.registry import Area, register_area


def register():
    register_area(Area(
        "budgets", "Budgets",
        "Budgets for tooling, vendor contracts and initiatives, spend against them, "
        "realised benefits, ROI and payback.", order=60, permission="core.view_money"))
