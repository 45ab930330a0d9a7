"""The tier ladder."""
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from core.audit import save_with_audit, system_user
from core.choices import Role
from core.due_rows import sweep_due
from core.events import emit
from core.models import Team
from core.notifications import notifications_resolve, notify
from core.transitions import lock

from .. import events
from ..choices import EscalationTimelineKind, Tier
from ..models import (
    Escalation,
    TierChange,
    TierDirection,
)
from ._common import (
    _display_name,
    _now,
    _required_reason,
    escalation_timeline_add,
)
from .refusals import Refusal, forbidden, refuse

# --- Tier ladder ---------------------------------------------------------------------
#
# L1 frontline → L2 escalation desk → L3 specialist/management → L4 executive. Going up
# is an action with a reason; a lead of the receiving tier must acknowledge it. Until
# they do, the renotify sweep (beat, every minute) reminds the leads every tier window
# (``ESCALATION_TIER_ACK_MINUTES``); after ``ESCALATION_TIER_NOTIFY_ATTEMPTS``
# notifications it tells the tier above (the managers above L4) once and stops.

logger = logging.getLogger(__name__)

LADDER = [Tier.L1, Tier.L2, Tier.L3, Tier.L4]



def _tier_label(tier):
    return Tier(tier).label


def tier_ack_window(tier) -> timedelta:
    """How long the leads of ``tier`` have to acknowledge before a reminder."""
    return timedelta(minutes=settings.ESCALATION_TIER_ACK_MINUTES.get(str(tier), 30))


def _managers():
    return get_user_model().objects.filter(groups__name=Role.MANAGER, is_active=True)


def tier_leads(tier) -> list:
    """The people who lead ``tier``: the active members (and lead) of the team named in
    ``ESCALATION_TIER_TEAMS``; the managers when that team is missing or empty."""
    slug = settings.ESCALATION_TIER_TEAMS.get(str(tier))
    team = Team.objects.filter(slug=slug).select_related("lead").first() if slug else None
    people = {}
    if team is not None:
        if team.lead_id and team.lead.is_active:
            people[team.lead_id] = team.lead
        for member in team.members.filter(is_active=True):
            people[member.pk] = member
    if not people:
        people = {user.pk: user for user in _managers()}
    return list(people.values())


def can_acknowledge_tier(user, tier) -> bool:
    """A lead of the receiving tier or a manager."""
    if not user.is_active:
        return False
    if user.groups.filter(name=Role.MANAGER).exists():
        return True
    return any(lead.pk == user.pk for lead in tier_leads(tier))


def _tier_notify(people, tier_change, *, title, body=""):
    escalation = tier_change.escalation
    # The escalation page may not exist yet; link to it when it does.
    url = escalation.get_absolute_url() if hasattr(escalation, "get_absolute_url") else ""
    notify(people, title=title, body=body, url=url, subject=tier_change)


def _stop_pending_tier_changes(escalation, *, by, reason):
    """A newer tier change supersedes older unacknowledged ones: stop reminding."""
    for change in TierChange.objects.filter(escalation=escalation,
                                            next_notify_at__isnull=False):
        change.next_notify_at = None
        save_with_audit(change, by=by, reason=reason)


def _why_not_move_tier(user, escalation, *, automatic):
    if not automatic and not user.has_perm("escalations.work_escalation", escalation):
        return forbidden("Your role cannot change an escalation's tier.")
    if not escalation.is_open:
        return Refusal(f"The tier of a {escalation.get_state_display().lower()} escalation "
                       "cannot change.", field="tier")
    return None


def why_not_escalate_tier(user, escalation, *, automatic=False) -> Refusal | None:
    """Why ``user`` may not move the escalation one tier up now (None: they may)."""
    refusal = _why_not_move_tier(user, escalation, automatic=automatic)
    if refusal is None and escalation.tier == LADDER[-1]:
        return Refusal("This escalation is already at L4 (executive), the top of the "
                       "ladder; it cannot be escalated further.", field="tier")
    return refusal


def why_not_deescalate_tier(user, escalation) -> Refusal | None:
    """Why ``user`` may not move the escalation one tier down now (None: they may)."""
    refusal = _why_not_move_tier(user, escalation, automatic=False)
    if refusal is None and escalation.tier == LADDER[0]:
        return Refusal("This escalation is at L1 (frontline), the bottom of the ladder; it "
                       "cannot be de-escalated.", field="tier")
    return refusal


def why_not_acknowledge_tier(user, tier_change) -> Refusal | None:
    """Why ``user`` may not acknowledge ``tier_change`` (None: they may): only an
    escalation up, once, by a lead of the receiving tier or a manager."""
    if tier_change.direction != TierDirection.UP:
        return Refusal("Only an escalation up is acknowledged.", field="tier_change")
    if not can_acknowledge_tier(user, tier_change.to_tier):
        return forbidden(f"Only a lead of {tier_change.to_tier} or a manager can "
                         "acknowledge this escalation.")
    if tier_change.is_acknowledged:
        return Refusal(
            f"Already acknowledged by {_display_name(tier_change.acknowledged_by)} on "
            f"{tier_change.acknowledged_at:%d %b %Y %H:%M} UTC.", field="tier_change")
    return None


@transaction.atomic
def escalation_escalate_tier(*, escalation: Escalation, by, reason, automatic=False,
                             at=None) -> TierChange:
    """Move the escalation one tier up (L1 → L2 → L3 → L4) with a reason. The receiving
    tier's leads are notified and must acknowledge (``tier_change_acknowledge``)."""
    at = _now(at)
    reason, masked = _required_reason(reason)
    escalation = lock(Escalation, escalation.pk)
    refuse(why_not_escalate_tier(by, escalation, automatic=automatic))
    from_tier, to_tier = escalation.tier, LADDER[LADDER.index(escalation.tier) + 1]
    _stop_pending_tier_changes(escalation, by=by,
                               reason=f"Superseded by escalation to {to_tier}")
    escalation.tier = to_tier
    how = "Escalated automatically" if automatic else "Escalated"
    save_with_audit(escalation, by=by, reason=f"{how} {from_tier} → {to_tier}: {reason}")
    change = TierChange(
        escalation=escalation, from_tier=from_tier, to_tier=to_tier,
        direction=TierDirection.UP, reason=reason, requested_by=by, requested_at=at,
        automatic=automatic, notify_attempts=1, next_notify_at=at + tier_ack_window(to_tier),
    )
    save_with_audit(change, by=by, reason=f"{how}: {reason}")
    who = "the system" if automatic else _display_name(by)
    escalation_timeline_add(
        escalation, EscalationTimelineKind.TRANSITION,
        f"{how} to {_tier_label(to_tier)} by {who}: {reason}. Waiting for the "
        f"{to_tier} lead to acknowledge.", by=by, at=at, masked=masked)
    _tier_notify(tier_leads(to_tier), change,
                 title=f"{escalation.reference} escalated to {to_tier}: please acknowledge",
                 body=f"{escalation.summary}\n\nReason: {reason}")
    emit(events.TIER_CHANGED, change, by=by, at=at)
    return change


@transaction.atomic
def escalation_deescalate_tier(*, escalation: Escalation, by, reason, at=None) -> TierChange:
    """Move the escalation one tier down with a reason (no acknowledgement needed)."""
    at = _now(at)
    reason, masked = _required_reason(reason)
    escalation = lock(Escalation, escalation.pk)
    refuse(why_not_deescalate_tier(by, escalation))
    from_tier, to_tier = escalation.tier, LADDER[LADDER.index(escalation.tier) - 1]
    _stop_pending_tier_changes(escalation, by=by,
                               reason=f"Superseded by de-escalation to {to_tier}")
    escalation.tier = to_tier
    save_with_audit(escalation, by=by, reason=f"De-escalated {from_tier} → {to_tier}: {reason}")
    change = TierChange(
        escalation=escalation, from_tier=from_tier, to_tier=to_tier,
        direction=TierDirection.DOWN, reason=reason, requested_by=by, requested_at=at,
    )
    save_with_audit(change, by=by, reason=f"De-escalated: {reason}")
    escalation_timeline_add(
        escalation, EscalationTimelineKind.TRANSITION,
        f"De-escalated to {_tier_label(to_tier)} by {_display_name(by)}: {reason}.",
        by=by, at=at, masked=masked)
    emit(events.TIER_CHANGED, change, by=by, at=at)
    return change


@transaction.atomic
def tier_change_acknowledge(*, tier_change: TierChange, by, at=None) -> TierChange:
    """A lead of the receiving tier (or a manager) takes the escalation; once."""
    at = _now(at)
    change = lock(TierChange, tier_change.pk)
    refuse(why_not_acknowledge_tier(by, change))
    change.acknowledged_by = by
    change.acknowledged_at = at
    change.next_notify_at = None
    save_with_audit(change, by=by, reason=f"Acknowledged by the {change.to_tier} lead")
    notifications_resolve(change)  # the leads' "please acknowledge" notices are done
    escalation_timeline_add(
        change.escalation, EscalationTimelineKind.NOTE,
        f"{change.to_tier} escalation acknowledged by {_display_name(by)}.", by=by, at=at)
    return change


def _renotify_one(change, now, actor):
    """Remind the receiving leads, or, attempts used up, tell the tier above once."""
    escalation = change.escalation
    if not escalation.is_open:
        change.next_notify_at = None
        save_with_audit(change, by=actor, reason="Escalation no longer open: reminders stop")
        return "stopped"
    attempts = settings.ESCALATION_TIER_NOTIFY_ATTEMPTS
    if change.notify_attempts < attempts:
        change.notify_attempts += 1
        change.next_notify_at = now + tier_ack_window(change.to_tier)
        save_with_audit(change, by=actor,
                        reason=f"Not acknowledged: reminder {change.notify_attempts}/{attempts}")
        _tier_notify(tier_leads(change.to_tier), change,
                     title=f"Reminder: {escalation.reference} escalated to {change.to_tier} "
                           "is not acknowledged",
                     body=f"{escalation.summary}\n\nReason: {change.reason}")
        escalation_timeline_add(
            escalation, EscalationTimelineKind.NOTE,
            f"{change.to_tier} escalation not acknowledged: leads reminded "
            f"({change.notify_attempts}/{attempts}).", by=actor, at=now)
        return "renotified"
    index = LADDER.index(change.to_tier)
    above = LADDER[index + 1] if index + 1 < len(LADDER) else None
    people = tier_leads(above) if above else list(_managers())
    who = f"the {above} leads" if above else "the managers"
    change.escalated_further = True
    change.next_notify_at = None
    save_with_audit(change, by=actor, reason=f"Not acknowledged after {attempts} "
                                             f"notifications: {who} told")
    _tier_notify(people, change,
                 title=f"{escalation.reference}: {change.to_tier} did not acknowledge "
                       "the escalation",
                 body=f"Nobody at {change.to_tier} acknowledged after {attempts} "
                      f"notifications.\n\n{escalation.summary}\n\nReason: {change.reason}")
    escalation_timeline_add(
        escalation, EscalationTimelineKind.NOTE,
        f"{change.to_tier} escalation not acknowledged after {attempts} notifications: "
        f"{who} told.", by=actor, at=now)
    return "escalated"


def tier_changes_renotify(now=None, batch_size=500) -> dict:
    """The sweep for unacknowledged tier changes (beat, every minute).

    The shared due-row sweeper (``core.due_rows.sweep_due``) re-reads due rows locked
    (``SKIP LOCKED``) with the re-check that they are still due, one savepoint each, so
    two sweepers never remind twice and a failing row stays due for the next run.
    """
    now = _now(now)
    actor = system_user()
    done = sweep_due(TierChange.objects.select_related("escalation"),
                     due_field="next_notify_at", now=now,
                     handle=lambda change: _renotify_one(change, now, actor),
                     batch_size=batch_size, name="Tier reminders")
    return {key: done[key] for key in ("renotified", "escalated", "stopped", "failed")}
