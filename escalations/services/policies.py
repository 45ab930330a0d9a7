"""Escalation SLA policies: which one applies, saving a new version, and moving an
escalation's clocks to a policy's targets.

Two different things move clocks, on purpose:

* the escalation changes (triage sets the priority, an edit changes the category or
  the regulatory regime) so a *different* policy now matches: its targets apply at
  once, like Zendesk re-applying SLA policies when a ticket changes;
* a manager edits a policy: that makes a new version and moves nothing. Escalations
  keep the targets they started with until a manager applies the new version to them
  explicitly (``escalation_apply_policy``) — a deadline promised to a customer never
  moves silently.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from core.audit import save_with_audit
from core.choices import ClockState
from core.clocks import builtin_calendar, clock_pause, clock_retarget, clock_start
from core.transitions import lock

from .. import timeline_events
from ..choices import EscalationState, EscalationTimelineKind
from ..clock_kinds import CONTAINMENT_CLOCK, FIRST_RESPONSE_CLOCK
from ..models import POLICY_TARGET_FIELDS, Escalation, EscalationSlaPolicy
from ._common import _now, _required_reason, escalation_timeline_add, latest_clocks
from .refusals import Refusal, forbidden, refuse

CONDITIONS = ("priority", "customer_tier", "category", "regulatory_regime")
POLICY_PERMISSION = "escalations.change_escalationslapolicy"


def policy_for(*, priority, customer_tier, category,
               regulatory_regime=None) -> EscalationSlaPolicy | None:
    """The first active policy (by ``order``) whose set conditions all match; an
    empty condition matches anything."""
    conditions = Q(active=True)
    values = {"priority": priority or None, "customer_tier": customer_tier or None,
              "category": category or None, "regulatory_regime": regulatory_regime}
    for name, value in values.items():
        conditions &= Q(**{f"{name}__isnull": True}) | Q(**{name: value})
    return EscalationSlaPolicy.objects.filter(conditions).order_by("order").first()


def policy_for_escalation(escalation) -> EscalationSlaPolicy | None:
    return policy_for(priority=escalation.priority, customer_tier=escalation.customer.tier,
                      category=escalation.category,
                      regulatory_regime=escalation.regulatory_regime)


def _changed_fields(policy) -> list[str]:
    if policy.pk is None:
        return []
    stored = EscalationSlaPolicy.objects.get(pk=policy.pk)
    names = [field.attname for field in EscalationSlaPolicy._meta.concrete_fields]
    return sorted(field for field in names
                  if getattr(stored, field) != getattr(policy, field))


@transaction.atomic
def policy_save(*, policy: EscalationSlaPolicy, by, reason=None) -> EscalationSlaPolicy:
    """Create or change an SLA policy (managers). A change to what clocks are held to
    (targets, calendars, pausing rules) makes a new version; clocks already running
    keep their targets."""
    if not by.has_perm(POLICY_PERMISSION if policy.pk else "escalations.add_escalationslapolicy"):
        raise PermissionDenied("Only managers configure SLA policies.")
    policy.full_clean()
    changed = _changed_fields(policy)
    targets_changed = [name for name in changed
                       if name.removesuffix("_id") in POLICY_TARGET_FIELDS]
    if targets_changed:
        policy.version += 1
    if reason is None:
        reason = "Created" if policy.pk is None else (
            f"Changed: {', '.join(name.removesuffix('_id') for name in changed) or 'nothing'}")
    if targets_changed:
        reason += f" (version {policy.version}; running clocks keep their targets)"
    save_with_audit(policy, by=by, reason=reason)
    return policy


def _still_owed(escalation, kind) -> bool:
    """Whether a clock of ``kind`` that never ran should start now."""
    if not escalation.is_open:
        return False
    if kind in (FIRST_RESPONSE_CLOCK, CONTAINMENT_CLOCK):
        return escalation.contained_at is None
    return True


def apply_policy_targets(escalation, policy, *, by, at, reason) -> list[dict]:
    """Move the escalation's clocks to ``policy``'s targets and calendars; start the
    clocks it sets that never ran (counted from when the escalation was opened).
    Stopped clocks keep their outcome. Returns what changed, for the timeline: per clock
    ``{clock, old, new}`` targets in seconds (``old`` None: started)."""
    changes = []
    latest = latest_clocks(escalation)
    pausing = set(policy.pause_in_awaiting_customer or [])
    for kind, target in policy.targets().items():
        calendar = policy.calendar_for(kind) or builtin_calendar()
        clock = latest.get(kind)
        if clock is not None and clock.state != ClockState.STOPPED:
            if clock.target != target or clock.calendar_id != calendar.pk:
                old = clock.target
                clock_retarget(clock=clock, target=target, calendar=calendar, by=by,
                               reason=reason, at=at)
                changes.append({"clock": kind, "old": old.total_seconds(),
                                "new": target.total_seconds()})
        elif clock is None and _still_owed(escalation, kind):
            clock = clock_start(owner=escalation, kind=kind, target=target, by=by,
                                at=escalation.created_at, calendar=calendar,
                                pause_cap=policy.pause_cap,
                                pause_cap_unit=policy.pause_cap_unit)
            if escalation.state == EscalationState.AWAITING_CUSTOMER and kind in pausing:
                clock_pause(clock=clock, reason=f"Awaiting customer: {reason}", by=by, at=at)
            changes.append({"clock": kind, "old": None, "new": target.total_seconds()})
    escalation.policy = policy
    escalation.policy_version = policy.version
    save_with_audit(escalation, by=by, reason=f"SLA policy {policy.name} v{policy.version}: "
                                              f"{reason}")
    return changes


def rematch_policy(escalation, *, by, at) -> EscalationSlaPolicy | None:
    """After the escalation changed: if another policy matches now, apply it."""
    if not escalation.is_open:
        return escalation.policy
    policy = policy_for_escalation(escalation)
    if policy is None or policy.pk == escalation.policy_id:
        return escalation.policy
    before = escalation.policy.name if escalation.policy else None
    changes = apply_policy_targets(escalation, policy, by=by, at=at,
                                   reason=f"now matches {policy.name}")
    escalation_timeline_add(
        escalation, EscalationTimelineKind.POLICY, event=timeline_events.POLICY_CHANGED,
        params={"before": before, "policy": policy.name, "version": policy.version,
                "changes": changes}, by=by, at=at)
    return policy


def _why_not_move_clocks(user, escalation) -> Refusal | None:
    if not user.has_perm("escalations.apply_escalation_policy", escalation):
        return forbidden("Only managers move an escalation's clocks to a policy.")
    return None


def why_not_apply_policy(user, escalation) -> Refusal | None:
    """Why ``user`` may not move the escalation's running clocks to the current
    version of its SLA policy (or the one that matches now) (None: they may)."""
    refusal = _why_not_move_clocks(user, escalation)
    if refusal is not None:
        return refusal
    if not escalation.is_open:
        return Refusal(f"The clocks of a {escalation.get_state_display().lower()} "
                       "escalation are stopped; nothing to apply.", field="policy")
    policy = escalation.policy or policy_for_escalation(escalation)
    if policy is None:
        return Refusal("No SLA policy matches this escalation.", field="policy")
    if policy.pk == escalation.policy_id and policy.version == escalation.policy_version:
        return Refusal(f"The clocks already hold {policy.name} v{policy.version}.",
                       field="policy")
    return None


@transaction.atomic
def escalation_apply_policy(*, escalation: Escalation, by, reason,
                            at=None) -> Escalation:
    """A manager applies the current version of the escalation's policy (or the policy
    that matches now, if it has none) to its running clocks, with a reason."""
    refuse(_why_not_move_clocks(by, escalation))
    at = _now(at)
    reason, masked = _required_reason(reason)
    escalation = lock(Escalation, escalation.pk)
    refuse(why_not_apply_policy(by, escalation))
    policy = EscalationSlaPolicy.objects.get(
        pk=(escalation.policy or policy_for_escalation(escalation)).pk)
    changes = apply_policy_targets(escalation, policy, by=by, at=at, reason=reason)
    escalation_timeline_add(
        escalation, EscalationTimelineKind.POLICY, event=timeline_events.POLICY_APPLIED,
        params={"policy": policy.name, "version": policy.version, "reason": reason,
                "changes": changes}, by=by, at=at, masked=masked)
    return escalation
