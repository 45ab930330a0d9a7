"""Vendor SLA services (objectives, measurements, compliance, credits), re-exported here."""

from .base import (  # noqa: F401
    latest_version,
    version_for,
)
from .compliance import (  # noqa: F401
    compliance_compute,
    evaluate,
    fee_base_for,
    measurement_record,
    periods_close,
    refresh_series_periods,
    refresh_vendor_periods,
)
from .credits import (  # noqa: F401
    CREDIT_ACTIONS,
    claim_letter,
    credit_accept,
    credit_claim,
    credit_dispute,
    credit_receive,
    credit_reclaim,
    credit_waive,
    evidence_markdown,
    reconciliation_dispute_open,
)
from .objectives import (  # noqa: F401
    INTERVAL_TARGET_METRICS,
    OBJECTIVE_FIELDS,
    OPTION_KEYS,
    SCHEDULE_FIELDS,
    _clean_schedule,
    objective_create,
    objective_revise,
    schedule_as_dict,
)
