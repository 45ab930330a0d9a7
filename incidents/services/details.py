"""Editing an incident's descriptive fields and correcting its stage times."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audited, save_with_audit
from core.hooks import announce_change
from core.pci import redact_card_numbers
from core.transitions import lock
from core.validation import check_plausible

from .. import timeline_events
from ..choices import (
    STAGE_TIMESTAMPS,
    TimelineKind,
)
from ..models import Incident
from .timeline import timeline_add
from .why_not import refuse, why_not_correct_timestamp, why_not_edit, why_not_edit_talk_track

EDITABLE_FIELDS = ["title", "summary", "priority", "affected_services", "customer_impact",
                   "contacts_affected", "agents_idle", "talk_track"]


@transaction.atomic
def incident_edit(*, incident: Incident, by, channels=None, **fields):
    """Edit the descriptive fields (not state, severity or roles, which have their own
    services). Free text is PCI-redacted; the change reason lists the fields."""
    refuse(why_not_edit(by, incident))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be edited here." for name in unknown})
    incident = lock(Incident, incident.pk)
    if "talk_track" in fields and fields["talk_track"] != incident.talk_track:
        refuse(why_not_edit_talk_track(by, incident))
    changed = []
    for name, value in fields.items():
        if isinstance(value, str):
            value = redact_card_numbers(value)[0]
        if getattr(incident, name) != value:
            setattr(incident, name, value)
            changed.append(name)
    if not changed and channels is None:
        return incident  # nothing to record
    incident.full_clean(exclude=["state", "reference"])
    with audited(incident, by=by, reason=f"Edited: {', '.join(sorted(changed)) or 'channels'}"):
        incident.save()
        if channels is not None:
            incident.channels.set(channels)
    if "talk_track" in changed:
        timeline_add(incident, TimelineKind.NOTE, event=timeline_events.TALK_TRACK_UPDATED,
                     by=by)
    announce_change(incident, by=by)
    return incident


@transaction.atomic
def incident_correct_timestamp(*, incident: Incident, by, field: str, value: datetime, reason):
    """Correct a stage time (e.g. the outage started earlier than declared).

    Stage times never go backwards: the corrected value must stay between its
    neighbours. The correction is audited and on the timeline.
    """
    refuse(why_not_correct_timestamp(by, incident))
    if field not in STAGE_TIMESTAMPS:
        raise ValidationError({"field": f"Only stage times can be corrected: "
                                        f"{', '.join(STAGE_TIMESTAMPS)}."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the time is corrected."})
    check_plausible(**{field: value})
    incident = lock(Incident, incident.pk)
    if getattr(incident, field) is None:
        raise ValidationError({field: "That stage has not happened yet."})
    index = STAGE_TIMESTAMPS.index(field)
    earlier = [getattr(incident, f) for f in STAGE_TIMESTAMPS[:index] if getattr(incident, f)]
    later = [getattr(incident, f) for f in STAGE_TIMESTAMPS[index + 1:] if getattr(incident, f)]
    if earlier and value < max(earlier):
        raise ValidationError({field: "It cannot be earlier than the stage before it."})
    if later and value > min(later):
        raise ValidationError({field: "It cannot be later than the stage after it."})
    if value > timezone.now():
        raise ValidationError({field: "It cannot be in the future."})
    old = getattr(incident, field)
    setattr(incident, field, value)
    save_with_audit(incident, by=by, reason=f"Corrected {field}: {reason}")
    timeline_add(incident, TimelineKind.CORRECTION, event=timeline_events.TIME_CORRECTED,
                 params={"field": field, "old": old, "new": value, "reason": reason}, by=by)
    # What is measured from the stage times (vendor downtime, incident cost) follows,
    # including the periods the old time touched.
    announce_change(incident, by=by, previous={field: old})
    return incident
