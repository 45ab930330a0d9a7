"""Escalations' models, one module per concern, re-exported so ``escalations.models.X`` works."""

from .customers import (  # noqa: F401
    ERASED_REFERENCE_PREFIX,
    Customer,
)
from .escalations import (  # noqa: F401
    Escalation,
    EscalationTimelineEvent,
    can_work,
    has_category,
    has_containment_note,
    has_owner,
    has_priority,
    has_resolution,
    has_root_cause_review,
    has_withdraw_reason,
    nothing_blocks_closing,
)
from .ladder import (  # noqa: F401
    CompensationApprovalLimit,
    EscalationIncidentLink,
    TierChange,
    TierDirection,
)
from .policies import (  # noqa: F401
    MAX_REGULATORY_DAYS,
    POLICY_TARGET_FIELDS,
    EscalationSlaPolicy,
    RegulatoryRegime,
    default_pausing_kinds,
)
