"""Helpers every escalation service uses: time, PCI masking, the timeline, clocks."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from core import work_items
from core.audit import save_with_audit
from core.choices import ClockState
from core.clocks import (
    clock_stop,
    clocks_of,
)
from core.pci import redact_card_numbers
from core.timeline import masked_note

from ..choices import EscalationTimelineKind
from ..models import (
    EscalationTimelineEvent,
)


def _now(at):
    return at or timezone.now()


def _redact(text):
    return redact_card_numbers(text or "")


def escalation_timeline_add(escalation, kind, text=None, *, by, at=None, masked=0, event="",
                            params=None):
    """Write a line people read on the escalation page (card numbers masked; the
    masking, here or in the fields the caller redacted, is noted too). A system entry is
    typed: ``event`` (``escalations/timeline_events.py``) and ``params``, worded now as
    the stored fallback text; ``text`` alone is what a person wrote."""
    if event and text is None:
        return work_items.timeline_add(escalation, kind, event=event, params=params, by=by,
                                       at=at, masked=masked)
    text, found = _redact(text)
    entry = EscalationTimelineEvent(escalation=escalation, kind=kind, at=_now(at), actor=by,
                                    text=text, event=event or "", params=params or {})
    save_with_audit(entry, by=by, reason=f"Timeline: {entry.get_kind_display()}")
    if masked + found:
        EscalationTimelineEvent.objects.create(
            escalation=escalation, kind=EscalationTimelineKind.NOTE, at=entry.at, actor=None,
            **masked_note(masked + found))
    return entry


def _clocks(escalation, kinds=None, *, states=(ClockState.RUNNING, ClockState.PAUSED)):
    return [c for c in clocks_of(escalation)
            if c.state in states and (kinds is None or c.kind in kinds)]


def _stop_clocks(escalation, kinds, *, by, at):
    for clock in _clocks(escalation, kinds):
        clock_stop(clock=clock, by=by, at=at)



def _required_reason(reason, field="reason"):
    reason, masked = _redact((reason or "").strip())
    if not reason:
        raise ValidationError({field: "Give a reason."})
    return reason, masked



def _display_name(user):
    return user.get_full_name() or user.username



def latest_clocks(escalation) -> dict:
    """The latest cycle of each kind of clock the escalation has, by kind."""
    latest = {}
    for clock in clocks_of(escalation):  # ordered by kind, newest cycle first
        latest.setdefault(clock.kind, clock)
    return latest
