"""Status updates to customers, executives and the team."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audited
from core.clocks import (
    clock_restart,
)
from core.events import emit
from core.pci import redact_card_numbers
from core.timeline import CARDS_MASKED
from core.transitions import lock

from .. import events, timeline_events
from ..choices import (
    Audience,
    TimelineKind,
)
from ..clock_kinds import (
    UPDATE_CLOCK,
)
from ..models import Incident, StatusUpdate
from .clocks import running_clocks
from .timeline import timeline_add
from .why_not import refuse, why_not_post_status_update


@transaction.atomic
def status_update_post(*, incident: Incident, by, audience, body, channels=(), at=None):
    """Post a status update; it restarts the update-cadence clock."""
    refuse(why_not_post_status_update(by, incident))
    if audience not in Audience.values:
        raise ValidationError({"audience": f"Choose one of: {', '.join(Audience.values)}."})
    body, masked = redact_card_numbers(body or "")
    if not body.strip():
        raise ValidationError({"body": "A status update needs a message."})
    incident = lock(Incident, incident.pk)
    refuse(why_not_post_status_update(by, incident))
    at = at or timezone.now()
    update = StatusUpdate(incident=incident, audience=audience, body=body, posted_by=by,
                          posted_at=at)
    with audited(update, by=by, reason=f"{update.get_audience_display()} update"):
        update.save()
        update.channels.set(channels)
    timeline_add(incident, TimelineKind.STATUS_UPDATE, event=timeline_events.STATUS_UPDATE,
                 params={"update": update.pk, "audience": audience, "body": body}, by=by, at=at)
    if masked:
        timeline_add(incident, TimelineKind.NOTE, event=CARDS_MASKED,
                     params={"count": masked, "where": "update"}, by=None, at=at)
    if audience != Audience.INTERNAL:
        for clock in running_clocks(incident, [UPDATE_CLOCK]):
            clock_restart(clock=clock, by=by, reason="Status update posted", at=at)
    emit(events.STATUS_UPDATE_POSTED, update, by=by, at=at)
    return update
