"""The shared kernel's models, one module per concern."""

from .calendars import BusinessCalendar, Holiday, HolidayFeed, WorkingHours
from .clocks import SlaClock, SlaClockEvent
from .notifications import EmailStatus, Notification
from .pci import CardNumberMasking
from .references import ReferenceCounter
from .teams import Capability, Team, WorkerHeartbeat

__all__ = [
    "BusinessCalendar",
    "EmailStatus",
    "Capability",
    "CardNumberMasking",
    "Holiday",
    "HolidayFeed",
    "Notification",
    "ReferenceCounter",
    "SlaClock",
    "SlaClockEvent",
    "Team",
    "WorkerHeartbeat",
    "WorkingHours",
]
