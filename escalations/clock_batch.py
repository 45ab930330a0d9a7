"""The set-based forms of the escalation clock hooks, for the SLA sweep's burst path.

When a carrier outage breaches a thousand escalations at once, the sweep fires its
chunks set-based (``core.sweep.process_chunk``): these functions do for a list of
``(clock, event)`` pairs what the per-clock hooks do for one — who is told
(``Escalation.sla_recipients``), the timeline entry and ``sla_due_at`` refresh
(``Escalation.sla_clock_event``), and the tier climb on a breach
(``clock_kinds.escalate_one_tier``) — in a few statements per chunk, with the same
rows, the same history (who and why on each) and the same rules: one climb per
escalation while the tier it reached has not acknowledged, nothing past L4 or on a
closed escalation.
"""

import logging
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery

from core import timeline
from core.audit import system_user
from core.bulk import bulk_update_rows, insert_history, insert_objects
from core.choices import ClockState, Role
from core.events import emit
from core.models import SlaClock, Team
from core.notifications import notify_many
from core.pci import redact_card_numbers

from . import events, timeline_events
from .choices import EscalationTimelineKind, Tier
from .models import Escalation, EscalationTimelineEvent, TierChange, TierDirection

logger = logging.getLogger(__name__)


def _system_entry(escalation, kind, event, params, *, at, actor):
    """A typed timeline entry as ``escalation_timeline_add`` writes it for the system
    (event code, facts, and their wording now as the stored text), not yet saved."""
    return EscalationTimelineEvent(escalation=escalation, kind=kind, at=at, actor=actor,
                                   event=event, params=params,
                                   text=timeline.word(event, params))


def _bulk_with_history(model, rows, *, by, reason_of, update_fields=None):
    """INSERT (or UPDATE ``update_fields`` of) ``rows`` and their history rows: two
    statements, each history row with its actor and reason (``by``: a user, or a
    function giving each row's)."""
    if not rows:
        return rows
    if update_fields:
        bulk_update_rows(model, rows, update_fields)
    else:
        rows = insert_objects(model, rows)
    for row in rows:
        row._history_user = by(row) if callable(by) else by
        row._change_reason = reason_of(row)
    insert_history(model, rows, update=bool(update_fields),
                   default_user=None if callable(by) else by)
    for row in rows:
        del row._history_user, row._change_reason
    return rows


def timeline_entries_add(entries):
    """Write many escalation timeline entries, card numbers masked, with history."""
    for entry in entries:
        entry.text, _ = redact_card_numbers(entry.text)
        entry.params, _ = timeline.mask_params(entry.params or {})
    # Each entry's history names who wrote it, as save_with_audit does clock by clock.
    return _bulk_with_history(EscalationTimelineEvent, entries, by=lambda e: e.actor,
                              reason_of=lambda e: f"Timeline: {e.get_kind_display()}")


def recipients_many(clocks) -> dict[int, list]:
    """``Escalation.sla_recipients`` for many clocks: the owner, the team's active
    members, and for a regulatory clock the managers — three queries in all."""
    from .clock_kinds import REGULATORY_CLOCK

    user_model = get_user_model()
    owners = user_model.objects.in_bulk({c.owner.owner_id for c in clocks if c.owner.owner_id})
    members = defaultdict(list)
    team_ids = {c.owner.team_id for c in clocks if c.owner.team_id}
    if team_ids:
        through = Team.members.through
        for link in through.objects.filter(team_id__in=team_ids,
                                           user__is_active=True).select_related("user"):
            members[link.team_id].append(link.user)
    managers = (list(user_model.objects.filter(groups__name=Role.MANAGER, is_active=True))
                if any(c.kind == REGULATORY_CLOCK for c in clocks) else [])
    found = {}
    for clock in clocks:
        escalation = clock.owner
        people = [owners[escalation.owner_id]] if escalation.owner_id in owners else []
        people += members.get(escalation.team_id, [])
        if clock.kind == REGULATORY_CLOCK:
            people += managers
        unique = {}
        for person in people:
            if person.is_active:
                unique.setdefault(person.pk, person)
        found[clock.pk] = list(unique.values())
    return found


def refresh_sla_due_at_many(ids) -> None:
    """``Escalation.refresh_sla_due_at`` for many escalations, in one UPDATE."""
    first_due = (SlaClock.objects.filter(
        content_type=ContentType.objects.get_for_model(Escalation),
        object_id=OuterRef("pk"), state=ClockState.RUNNING, due_at__isnull=False)
        .order_by("due_at").values("due_at")[:1])
    Escalation.objects.filter(pk__in=list(ids)).update(sla_due_at=Subquery(first_due))


def clock_events_many(pairs) -> None:
    """``Escalation.sla_clock_event`` for many pairs: one UPDATE of ``sla_due_at``,
    the typed timeline entries in one INSERT (and one of their history)."""
    refresh_sla_due_at_many({clock.object_id for clock, _ in pairs})
    entries = []
    for clock, event in pairs:
        typed = timeline.clock_event(clock, event)
        if typed is None:
            continue
        code, params = typed
        entries.append(EscalationTimelineEvent(
            escalation_id=clock.object_id, kind=EscalationTimelineKind.CLOCK, at=event.at,
            actor=event.by, text=timeline.event_type(code).format(params), event=code,
            params=params))
    timeline_entries_add(entries)


def escalate_one_tier_many(pairs) -> None:
    """``escalate_one_tier`` for many breaches: the escalations locked in one read
    (with their latest tier change), then every climb's rows in bulk — the tier
    (and its history), the tier changes, the timeline, the leads' notifications —
    and the events. Pairs are taken in order, so a second breach of the same
    escalation in the chunk finds the first one's climb unacknowledged, as it would
    clock by clock."""
    from .clock_kinds import KINDS
    from .services._common import _display_name, _required_reason
    from .services.tiers import LADDER, tier_ack_window, tier_leads

    pairs = [(clock, event) for clock, event in pairs if isinstance(clock.owner, Escalation)]
    if not pairs:
        return
    actor = system_user()
    actor_name = _display_name(actor)
    latest_change = (TierChange.objects.filter(escalation=OuterRef("pk"))
                     .order_by("-requested_at", "-pk").values("pk")[:1])
    locked = {e.pk: e for e in Escalation.objects.select_for_update(of=("self",))
              .filter(pk__in={clock.object_id for clock, _ in pairs})
              .annotate(latest_change_id=Subquery(latest_change)).order_by("pk")}
    latest = TierChange.objects.in_bulk({e.latest_change_id for e in locked.values()
                                         if e.latest_change_id})
    pending = {}
    for escalation in locked.values():
        change = latest.get(escalation.latest_change_id)
        if (change is not None and change.direction == TierDirection.UP
                and not change.is_acknowledged and change.to_tier == escalation.tier):
            pending[escalation.pk] = change
    still_reminding = defaultdict(list)
    for change in TierChange.objects.filter(escalation_id__in=locked,
                                            next_notify_at__isnull=False):
        still_reminding[change.escalation_id].append(change)

    climbed, changes, entries, messages, leads = [], [], [], [], {}
    superseded = []
    for clock, event in pairs:
        escalation = locked[clock.object_id]
        label = KINDS.get(clock.kind, clock.kind)
        emit(events.BREACHED, escalation, by=actor, data={"clock": label, "at": event.at},
             at=event.at)
        if not escalation.is_open:
            logger.info("%s breached on %s, which is %s: no tier change", label, escalation,
                        escalation.state)
            continue
        if escalation.tier == Tier.L4:
            logger.warning("%s breached on %s, already at L4: not escalated", label,
                           escalation)
            entries.append(_system_entry(
                escalation, EscalationTimelineKind.NOTE, timeline_events.BREACH_AT_TOP,
                {"clock": clock.kind}, at=event.at, actor=actor))
            continue
        if escalation.pk in pending:
            entries.append(_system_entry(
                escalation, EscalationTimelineKind.NOTE, timeline_events.BREACH_WAITING,
                {"clock": clock.kind, "to_tier": pending[escalation.pk].to_tier},
                at=event.at, actor=actor))
            continue
        reason, _ = _required_reason(f"{label} breached")
        from_tier, to_tier = escalation.tier, LADDER[LADDER.index(escalation.tier) + 1]
        for old in still_reminding.pop(escalation.pk, []):
            old.next_notify_at = None
            old._superseded = f"Superseded by escalation to {to_tier}"
            superseded.append(old)
        escalation.tier = to_tier
        escalation._climb = f"Escalated automatically {from_tier} → {to_tier}: {reason}"
        climbed.append(escalation)
        change = TierChange(
            escalation=escalation, from_tier=from_tier, to_tier=to_tier,
            direction=TierDirection.UP, reason=reason, requested_by=actor,
            requested_at=event.at, automatic=True, notify_attempts=1,
            next_notify_at=event.at + tier_ack_window(to_tier))
        changes.append(change)
        pending[escalation.pk] = change
        entries.append(_system_entry(
            escalation, EscalationTimelineKind.TRANSITION, timeline_events.TIER_ESCALATED,
            {"from_tier": from_tier, "to_tier": to_tier, "automatic": True,
             "by_name": actor_name, "reason": reason}, at=event.at, actor=actor))
        if to_tier not in leads:
            leads[to_tier] = tier_leads(to_tier)
        messages.append((leads[to_tier],
                         f"{escalation.reference} escalated to {to_tier}: please acknowledge",
                         f"{escalation.summary}\n\nReason: {reason}",
                         escalation.get_absolute_url(), change))

    _bulk_with_history(TierChange, superseded, by=actor, reason_of=lambda c: c._superseded,
                       update_fields=["next_notify_at"])
    _bulk_with_history(Escalation, climbed, by=actor, reason_of=lambda e: e._climb,
                       update_fields=["tier"])
    _bulk_with_history(TierChange, changes, by=actor,
                       reason_of=lambda c: f"Escalated automatically: {c.reason}")
    timeline_entries_add(entries)
    notify_many(messages, rows=False)
    for change in changes:
        emit(events.TIER_CHANGED, change, by=actor, at=change.requested_at)
