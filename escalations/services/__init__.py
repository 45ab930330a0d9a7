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

Each action that is not an FSM transition has one ``why_not_<action>`` beside its
service (``refusals.py``): the page greys its button out with the same words the
service refuses with.
"""

from ._common import escalation_timeline_add
from .compensation import (
    approval_limit,
    can_approve,
    escalation_approve_compensation,
    escalation_offer_compensation,
    why_not_approve_compensation,
    why_not_offer_compensation,
)
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
    escalation_add_note,
    escalation_await_customer,
    escalation_close,
    escalation_contain,
    escalation_create,
    escalation_customer_replied,
    escalation_edit,
    escalation_reopen,
    escalation_resolve,
    escalation_start_review,
    escalation_triage,
    escalation_withdraw,
    why_not_add_note,
    why_not_edit,
    why_not_update_customer,
)
from .links import (
    can_link,
    escalation_link_incident,
    escalation_unlink_incident,
    incident_link_escalations,
    why_not_link,
    why_not_unlink,
)
from .policies import (
    escalation_apply_policy,
    policy_for,
    policy_for_escalation,
    policy_save,
    why_not_apply_policy,
)
from .refusals import Refusal, refuse
from .regulatory import (
    escalation_extend_regulatory_deadline,
    format_deadline,
    regulatory_clock,
    regulatory_deadline,
    why_not_extend_regulatory_deadline,
)
from .tiers import (
    LADDER,
    can_acknowledge_tier,
    escalation_deescalate_tier,
    escalation_escalate_tier,
    tier_ack_window,
    tier_change_acknowledge,
    tier_changes_renotify,
    tier_leads,
    why_not_acknowledge_tier,
    why_not_deescalate_tier,
    why_not_escalate_tier,
)

__all__ = [
    "CUSTOMER_EDITABLE_FIELDS", "LADDER", "Refusal", "approval_limit", "can_acknowledge_tier",
    "can_approve", "can_link", "customer_create", "customer_erase", "customer_export",
    "customer_update", "erased_name", "erased_reference", "escalation_add_note",
    "escalation_apply_policy", "escalation_approve_compensation",
    "escalation_await_customer", "escalation_close", "escalation_contain",
    "escalation_create", "escalation_customer_replied", "escalation_deescalate_tier",
    "escalation_edit", "escalation_escalate_tier", "escalation_extend_regulatory_deadline",
    "escalation_link_incident", "escalation_offer_compensation", "escalation_reopen",
    "escalation_resolve", "escalation_start_review", "escalation_timeline_add",
    "escalation_triage", "escalation_unlink_incident", "escalation_withdraw",
    "format_deadline", "incident_link_escalations", "policy_for", "policy_for_escalation",
    "policy_save", "refuse", "regulatory_clock", "regulatory_deadline", "tier_ack_window",
    "tier_change_acknowledge", "tier_changes_renotify", "tier_leads",
    "why_not_acknowledge_tier", "why_not_add_note", "why_not_apply_policy",
    "why_not_approve_compensation", "why_not_deescalate_tier", "why_not_edit",
    "why_not_escalate_tier", "why_not_extend_regulatory_deadline", "why_not_link",
    "why_not_offer_compensation", "why_not_unlink", "why_not_update_customer",
]
