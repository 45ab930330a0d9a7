"""What the reports app brings to the rest of Switchboard (see core/registry.py)."""

from core.choices import Role
from core.registry import (
    Area,
    DemoSeeder,
    Panel,
    register_area,
    register_demo_seeder,
    register_panel,
)
from core.roles import EDIT, Grant, register_app

from . import executive_contributions  # noqa: E402 - kept beside register()


def register():
    # The events other systems may subscribe to (outbound webhooks).
    from . import events

    events.register()
    # Every role reads reviews; planning them and generating packs also needs working
    # vendors (reports/rules.py): vendor managers and managers.
    register_app("reports", grants={Role.VENDOR_MANAGER: [Grant("reports", EDIT)],
                                    Role.FINANCE: [Grant("reports", EDIT)]})
    register_area(Area(
        "reports", "Reports",
        "Vendor review packs, the executive dashboard and post-mortem exports "
        "(HTML, PDF, XLSX, CSV).", order=70))
    register_panel(Panel(
        "reports.on_vendor", model="vendors.vendor", template="reports/_vendor_panel.html",
        context=_vendor_panel, permission="reports.view_vendorreview", slot="main", order=30))
    register_demo_seeder(DemoSeeder("reports", _seed, after=("vendors", "kpis", "budgets")))
    # The executive page and post-mortem exports bring their own card (export links).
    executive_contributions.register()


def _vendor_panel(request, vendor, forms):
    from .selectors import vendor_packs, vendor_reviews

    user = request.user
    return {"vendor": vendor, "reviews": vendor_reviews(vendor), "packs": vendor_packs(vendor),
            "can_plan": user.has_perm("reports.plan_review"),
            "can_download": user.has_perm("reports.download_pack"),
            "can_generate": user.has_perm("reports.generate_pack")}


def _seed(demo):
    from .demo import seed_reports

    seed_reports(demo)
