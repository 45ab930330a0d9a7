"""Customer and escalation use cases. Web views, API actions, the admin, tasks and the
demo all call these (``from escalations import services``).

Writes are audited with a reason (``core.audit``); free text is PCI-redacted on input.
One module per concern:

* ``customers`` — customers, export and erasure on request (history included);
* ``policies`` — which SLA policy applies, and moving clocks to its targets;
* ``lifecycle`` — opening an escalation, its transitions, edits and notes;
* ``tiers`` — the tier ladder, acknowledgements and the renotify sweep;
* ``regulatory`` — regulatory regimes' final-response clocks and extensions;
* ``compensation`` — compensation offered and approved within role limits;
* ``links`` — links between escalations and incidents.
"""

from ._common import escalation_timeline_add
from .customers import (
    CUSTOMER_EDITABLE_FIELDS,
    customer_create,
    customer_erase,
    customer_export,
    customer_update,
    erased_name,
    erased_reference,
)
from .lifecycle import (
    escalation_await_customer,
    escalation_close,
    escalation_contain,
    escalation_create,
    escalation_customer_replied,
    escalation_reopen,
    escalation_resolve,
    escalation_start_review,
    escalation_triage,
    escalation_withdraw,
)
from .policies import policy_for
from .tiers import (
    LADDER,
    can_acknowledge_tier,
    escalation_deescalate_tier,
    escalation_escalate_tier,
    tier_ack_window,
    tier_change_acknowledge,
    tier_changes_renotify,
    tier_leads,
)

__all__ = [
    "CUSTOMER_EDITABLE_FIELDS", "LADDER", "can_acknowledge_tier", "customer_create",
    "customer_erase", "customer_export", "customer_update", "erased_name",
    "erased_reference", "escalation_await_customer", "escalation_close",
    "escalation_contain", "escalation_create", "escalation_customer_replied",
    "escalation_deescalate_tier", "escalation_escalate_tier", "escalation_reopen",
    "escalation_resolve", "escalation_start_review", "escalation_timeline_add",
    "escalation_triage", "escalation_withdraw", "policy_for", "tier_ack_window",
    "tier_change_acknowledge", "tier_changes_renotify", "tier_leads",
]
