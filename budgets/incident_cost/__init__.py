"""The cost of an incident: rates, the breakdown, the kept figure and its reads, re-exported."""

from .breakdown import (  # noqa: F401
    Breakdown,
    Line,
    attributed_credits,
    contacts_value,
    credit_share,
    idle_window_seconds,
    incident_cost,
    incident_hours,
    queue_shortfalls,
    responder_groups,
    share_out,
    time_cost,
)
from .kept import (  # noqa: F401
    card_context,
    costliest,
    credit_incident_ids,
    dashboard_figures,
    incident_cost_refresh,
    month_of,
    months_back,
    on_object_changed,
    refresh_quietly,
    url_or_none,
)
from .rates import (  # noqa: F401
    PARTICIPANT,
    ROLE_FIELDS,
    ROLE_LABELS,
    ZERO,
    Rates,
    fmt_count,
    fmt_hours,
    fmt_money,
    fmt_rate,
    rate_amount,
    rate_problems,
    rate_set,
    rates_on,
)
