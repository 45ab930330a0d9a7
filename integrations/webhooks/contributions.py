"""What outbound webhooks bring to the rest of Switchboard (see core/registry.py)."""

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


def register():
    from . import receivers  # noqa: F401 - connects the event listeners

    # Managers configure (every model of the app); escalation leads, who work with
    # customers and see their personal data, record a customer's email opt-in.
    register_app("webhooks", grants={
        Role.ESCALATION_LEAD: [Grant("webhooks", EDIT, ("customerupdateoptin",))]})
    # Its own area key: the alert-intake half registers "integrations".
    register_area(Area(
        "webhooks", "Webhooks",
        "Integrations: signed outbound webhooks (Standard Webhooks) and chat presets for "
        "incident, escalation, vendor and report events, with the delivery log.",
        order=85, permission="webhooks.manage"))
    register_panel(Panel(
        "webhooks.customer_updates", model="escalations.customer",
        template="webhooks/_customer_panel.html", context=_customer_panel,
        permission="webhooks.manage_customer_updates", slot="main", order=80))
    register_demo_seeder(DemoSeeder(
        "webhooks", _seed, after=("incidents", "escalations.customers", "core.people"),
        history=False))


def _customer_panel(request, customer, forms):
    from .models import CustomerUpdateEmail, CustomerUpdateOptIn

    return {"customer": customer,
            "opt_in": CustomerUpdateOptIn.objects.filter(customer=customer).first(),
            "emails": list(CustomerUpdateEmail.objects.filter(customer=customer)
                           .select_related("status_update__incident")[:10])}


def _seed(demo):
    from .demo import seed_webhooks

    seed_webhooks(demo)
