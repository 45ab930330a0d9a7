"""How far a contract date is, in words people scan: "in 12 days", "today", "3 days ago"."""

from datetime import date

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def days_away(day: date, today: date | None = None) -> str:
    if not day:
        return ""
    days = (day - (today or timezone.localdate())).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


@register.filter
def urgency(day: date, today: date | None = None) -> str:
    """A CSS class: past, within 30 days, or later."""
    if not day:
        return ""
    days = (day - (today or timezone.localdate())).days
    return "date-past" if days < 0 else "date-soon" if days <= 30 else "date-later"
