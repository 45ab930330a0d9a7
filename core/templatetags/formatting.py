"""One way to show money and times on every page, email and admin screen.

* ``{{ amount|money:currency }}`` → ``EUR 1,840.00``: the ISO code first (no symbol to
  guess), thousands separated, always two decimals; ``—`` for nothing.
* ``{{ instant|when }}`` → ``Sun 6 Dec 2026, 14:05``: 24-hour, in the viewer's zone
  (``core.middleware`` activates it), no seconds or microseconds; ``{{ instant|when:"short" }}``
  → ``6 Dec, 14:05`` for lists and timelines; ``{{ instant|when:"time" }}`` → ``14:05``.

They are template builtins (config/settings.py), so no ``{% load %}`` is needed; Python
code that writes the same text (emails, admin columns) calls :func:`format_money` and
:func:`format_when`.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils import timezone

register = template.Library()

WHEN_FORMATS = {
    "": "%a %-d %b %Y, %H:%M",
    "long": "%a %-d %b %Y, %H:%M %Z",
    "short": "%-d %b, %H:%M",
    "date": "%-d %b %Y",
    "time": "%H:%M",
}


def format_money(amount, currency=None) -> str:
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(amount)
    code = currency or getattr(settings, "SWITCHBOARD_CURRENCY", "EUR")
    return f"{code} {value:,.2f}"


def format_when(value, style="") -> str:
    if value in (None, ""):
        return "—"
    pattern = WHEN_FORMATS.get(style or "", WHEN_FORMATS[""])
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(pattern)
    if isinstance(value, date):
        return value.strftime(WHEN_FORMATS["date"])
    return str(value)


@register.filter
def money(amount, currency=None):
    """``{{ credit.amount|money:credit.currency }}`` → ``EUR 1,840.00``."""
    return format_money(amount, currency)


@register.filter
def when(value, style=""):
    """``{{ incident.declared_at|when }}`` → ``Sun 6 Dec 2026, 14:05`` (viewer's zone)."""
    return format_when(value, style)
