"""What the budgets app brings to the rest of Switchboard (see core/registry.py)."""

from core.choices import Role
from core.registry import Area, register_area
from core.roles import ALL, Grant, register_app


def register():
    register_app("budgets", money=True, grants={Role.FINANCE: [Grant("budgets", ALL)]})
    register_area(Area(
        "budgets", "Budgets",
        "Budgets for tooling, vendor contracts and initiatives, spend against them, "
        "realised benefits, ROI and payback.", order=60, permission="core.view_money"))
