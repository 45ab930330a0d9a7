"""The incident timeline: what people read (notes, pins, every change)."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import save_with_audit
from core.pci import redact_card_numbers

from ..choices import (
    TimelineKind,
)
from ..models import Incident, TimelineEvent
from .why_not import refuse, why_not_add_note, why_not_pin


def now_or(at):
    return at or timezone.now()


def timeline_add(incident, kind, text, *, by, at=None, pinned=False, event="", params=None,
                 masked=0):
    """Write a line people read on the incident page (card numbers masked; the masking,
    here or in the params ``core.work_items.timeline_add`` masked, is noted too).
    Typed entries (``event``, ``params``) come through that kernel function."""
    text, found = redact_card_numbers(text)
    entry = TimelineEvent(incident=incident, kind=kind, at=now_or(at), actor=by, text=text,
                          pinned=pinned, event=event or "", params=params or {})
    save_with_audit(entry, by=by, reason=f"Timeline: {entry.get_kind_display()}")
    if masked + found:
        TimelineEvent.objects.create(
            incident=incident, kind=TimelineKind.NOTE, at=entry.at, actor=None,
            text=f"{masked + found} card number(s) masked to the last four digits.",
        )
    return entry


@transaction.atomic
def incident_add_note(*, incident: Incident, by, text, pinned=False):
    refuse(why_not_add_note(by, incident))
    if not (text or "").strip():
        raise ValidationError({"text": "A note cannot be empty."})
    return timeline_add(incident, TimelineKind.NOTE, text.strip(), by=by, pinned=pinned)


@transaction.atomic
def timeline_pin(*, event: TimelineEvent, by, pinned: bool):
    refuse(why_not_pin(by, event.incident))
    event.pinned = pinned
    save_with_audit(event, by=by, reason="Pinned" if pinned else "Unpinned")
    return event
