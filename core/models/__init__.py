"""The shared kernel's models, one module per concern."""

from .calendars import BusinessCalendar, Holiday, HolidayFeed, WorkingHours
from .clocks import SlaClock, SlaClockEvent
from .notifications import Notification
from .teams import Capability, Team, WorkerHeartbeat

__all__ = [
    "BusinessCalendar",
    "Capability",
    "Holiday",
    "HolidayFeed",
    "Notification",
    "SlaClock",
    "SlaClockEvent",
    "Team",
    "WorkerHeartbeat",
    "WorkingHours",
]
