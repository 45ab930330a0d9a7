"""What the budgets app brings to the rest of Switchboard (see core/registry.py)."""

from core.choices import Role
from core.registry import Area, DemoSeeder, register_area, register_demo_seeder
from core.roles import ALL, EDIT, VIEW, Grant, register_app

from . import contributions_cost

APPROVE = ("approve",)


def register():
    from core.history import history_panel

    history_panel("budgets.budget")
    history_panel("budgets.initiative")
    # Money roles read everything; Finance and Managers run budgets and approve
    # initiatives; vendor managers propose and own initiatives (a chatbot vendor's);
    # every other role reads initiatives — their amounts stay hidden (budgets/rules.py).
    register_app("budgets", money=True, grants={
        Role.MANAGER: [Grant("budgets", APPROVE, ("initiative",))],
        Role.FINANCE: [Grant("budgets", ALL), Grant("budgets", APPROVE, ("initiative",))],
        Role.VENDOR_MANAGER: [Grant("budgets", EDIT, ("initiative", "baseline",
                                                     "benefitrecord"))],
        Role.INCIDENT_RESPONDER: [Grant("budgets", VIEW, ("initiative",))],
        Role.ESCALATION_LEAD: [Grant("budgets", VIEW, ("initiative",))],
        Role.VIEWER: [Grant("budgets", VIEW, ("initiative",))],
    })
    register_area(Area(
        "budgets", "Budgets",
        "Budgets for tooling, vendor contracts and initiatives, spend against them, "
        "realised benefits, ROI and payback.", order=60,
        permission="budgets.read_initiatives"))
    register_demo_seeder(DemoSeeder("budgets", _seed, after=("core.people", "vendors", "kpis")))
    contributions_cost.register()


def _seed(demo):
    from .demo import seed_budgets

    seed_budgets(demo)
