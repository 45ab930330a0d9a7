"""Business time: weekly working hours and closures in one time zone (``calendar.py``,
built from the blocks in ``blocks.py``). Re-exported so ``core.business_time.X`` works."""

from .calendar import (  # noqa: F401
    PAST_THE_LAST_YEAR,
    SEARCH_HORIZON_DAYS,
    BusinessCalendar,
    Closure,
    WorkingRange,
    __all__,
    _steady_offset_cached,
    add_business_time,
    business_time_between,
    next_open_instant,
    wall_to_utc,
)
