"""The shared kernel's models, one module per concern."""

from .access import AccessAction, AccessChange
from .calendars import BusinessCalendar, Holiday, HolidayFeed, WorkingHours
from .clocks import SlaClock, SlaClockEvent
from .notifications import EmailStatus, Notification
from .pci import CardNumberMasking
from .references import ReferenceCounter
from .teams import Capability, Team, WorkerHeartbeat

__all__ = [
    "AccessAction",
    "AccessChange",
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
