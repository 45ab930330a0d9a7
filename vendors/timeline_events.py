"""What vendors write on an incident's or escalation's timeline, typed (``core.timeline``):
a vendor named on the work item (attributed) and no longer named.

Registered when this module is imported (vendors/apps.py, and the services).
"""

from core.timeline import TimelineEventType, register_event_type

VENDOR_NAMED = register_event_type(TimelineEventType(
    "vendor-named",
    lambda p: (f"Vendor {p['vendor']} named"
               + (f" under {p['contract']}" if p.get("contract") else "")
               + (f": {p['reason']}" if p.get("reason") else "")),
    params=("vendor_id", "vendor"),
    description="A vendor attributed to the work item (``contract``: the contract's "
                "reference, if one; ``reason``: why, if given).")).code
VENDOR_UNNAMED = register_event_type(TimelineEventType(
    "vendor-unnamed", "Vendor {vendor} no longer named", params=("vendor_id", "vendor"),
    description="A vendor's attribution removed.")).code
