"""What the KPI app brings to the rest of Switchboard (see core/registry.py)."""

from core.choices import Role
from core.roles import ALL, Grant, register_app


def register():
    # Managers (everything, by register_app) and vendor managers manage queues and
    # imports; every role reads the figures; cost per contact needs core.view_money.
    register_app("kpis", grants={Role.VENDOR_MANAGER: [Grant("kpis", ALL)]})
