"""Action items: corrective, preventive and detective follow-ups with a due clock."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.audit import save_with_audit
from core.choices import ClockState
from core.clocks import (
    clock_start,
    clock_stop,
    clocks_of,
)
from core.pci import redact_card_numbers
from core.transitions import lock, perform_transition

from .. import timeline_events
from ..choices import (
    ActionItemState,
    TimelineKind,
)
from ..clock_kinds import (
    ACTION_ITEM_CLOCK,
)
from ..models import ActionItem, Incident
from .timeline import timeline_add
from .why_not import refuse, why_not_add_action_item, why_not_reschedule_action_item


def _action_item_clock(item, *, by, at):
    if item.due_date is None:
        return
    # Due by the end of the due date in the site's zone.
    zone = timezone.get_default_timezone()
    due = datetime.combine(item.due_date, datetime.max.time(), tzinfo=zone)
    target = max(due - at, timedelta(minutes=1))
    clock_start(owner=item, kind=ACTION_ITEM_CLOCK, target=target, by=by, at=at,
                cycle=1 + len(list(clocks_of(item))))


@transaction.atomic
def action_item_create(*, incident: Incident, by, kind, title, owner=None, due_date=None,
                       description="", at=None):
    refuse(why_not_add_action_item(by, incident))
    at = at or timezone.now()
    item = ActionItem(incident=incident, kind=kind, title=(title or "").strip(), owner=owner,
                      due_date=due_date, description=redact_card_numbers(description)[0])
    item.full_clean(exclude=["state"])
    save_with_audit(item, by=by, reason="Action item added")
    timeline_add(incident, TimelineKind.ACTION_ITEM, event=timeline_events.ACTION_ITEM_ADDED,
                 params={"item": item.pk, "kind": item.kind, "title": item.title}, by=by, at=at)
    _action_item_clock(item, by=by, at=at)
    return item


@transaction.atomic
def action_item_update(*, item: ActionItem, by, owner=..., due_date=..., title=None):
    """Change owner, due date or title; a new due date restarts its clock."""
    refuse(why_not_reschedule_action_item(by, item))
    item = lock(ActionItem, item.pk)
    if owner is not ...:
        item.owner = owner
    if title:
        item.title = title.strip()
    due_changed = due_date is not ... and due_date != item.due_date
    if due_changed:
        item.due_date = due_date
    item.full_clean(exclude=["state"])
    save_with_audit(item, by=by, reason="Action item changed")
    if due_changed and item.is_open:
        for clock in clocks_of(item):
            if clock.state != ClockState.STOPPED:
                clock_stop(clock=clock, by=by)
        _action_item_clock(item, by=by, at=timezone.now())
    return item


@transaction.atomic
def action_item_transition(*, item: ActionItem, by, name, reason="", at=None):
    """start, complete, or decline (won't do: reason required)."""
    # Who may move it (a responder, or its owner) is declared on the model's transitions
    # and checked by perform_transition on the locked row.
    item = lock(ActionItem, item.pk)
    at = at or timezone.now()
    if name == "decline":
        item.wont_do_reason = reason or ""
    kwargs = {"at": at} if name in ("complete", "decline") else {}
    perform_transition(item, name, by=by, reason=f"Action item: {name}", **kwargs)
    timeline_add(item.incident, TimelineKind.ACTION_ITEM, event=timeline_events.ACTION_ITEM_MOVED,
                 params={"item": item.pk, "title": item.title, "state": item.state,
                         "reason": reason or None}, by=by, at=at)
    if item.state in (ActionItemState.DONE, ActionItemState.WONT_DO):
        for clock in clocks_of(item):
            if clock.state != ClockState.STOPPED:
                clock_stop(clock=clock, by=by, at=at)
    return item
