"""Business time: weekly working hours and closures in one time zone (``calendar.py``,
built from the blocks in ``blocks.py``). Re-exported so ``core.business_time.X`` works."""

from .blocks import (  # noqa: F401
    PAST_THE_LAST_YEAR,
    SEARCH_HORIZON_DAYS,
    Closure,
    WorkingRange,
    _steady_offset_cached,  # bench/bench_business_time.py times a first call
    wall_to_utc,
)
from .calendar import (  # noqa: F401
    BusinessCalendar,
    __all__,
    add_business_time,
    business_time_between,
    next_open_instant,
)
