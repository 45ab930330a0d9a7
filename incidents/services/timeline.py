"""The incident timeline: what people read (notes, pins, every change)."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import work_items
from core.audit import save_with_audit
from core.pci import redact_card_numbers
from core.timeline import masked_note

from ..choices import (
    TimelineKind,
)
from ..models import Incident, TimelineEvent
from .why_not import refuse, why_not_add_note, why_not_pin


def now_or(at):
    return at or timezone.now()


def timeline_add(incident, kind, text=None, *, by, at=None, pinned=False, event="",
                 params=None, masked=0):
    """Write a line people read on the incident page (card numbers masked; the masking,
    here or in the params ``core.work_items.timeline_add`` masked, is noted too). A
    system entry is typed: ``event`` (``incidents/timeline_events.py``) and ``params``,
    worded now as the stored fallback text; ``text`` alone is what a person wrote."""
    if event and text is None:
        return work_items.timeline_add(incident, kind, event=event, params=params, by=by,
                                       at=at, masked=masked)
    text, found = redact_card_numbers(text)
    entry = TimelineEvent(incident=incident, kind=kind, at=now_or(at), actor=by, text=text,
                          pinned=pinned, event=event or "", params=params or {})
    save_with_audit(entry, by=by, reason=f"Timeline: {entry.get_kind_display()}")
    if masked + found:
        TimelineEvent.objects.create(
            incident=incident, kind=TimelineKind.NOTE, at=entry.at, actor=None,
            **masked_note(masked + found))
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
