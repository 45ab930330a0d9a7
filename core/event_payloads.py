"""Small helpers the producing apps' payload builders share (``core/events.py``)."""

from django.conf import settings


def absolute_url(obj) -> str:
    """``obj``'s page as a full address (``SITE_URL``), for a receiver to link to."""
    return f"{settings.SITE_URL.rstrip('/')}{obj.get_absolute_url()}"


def iso(value):
    """An aware datetime or a date as ISO 8601 text (None stays None)."""
    return value.isoformat() if value is not None else None
