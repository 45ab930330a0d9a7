"""Compensation offered to a customer and approved within role limits.

Whoever works the escalation may offer compensation (an amount and what it is for);
someone whose role holds ``escalations.approve_compensation`` approves it, up to the
highest approval limit of their roles (``CompensationApprovalLimit``: the demo's
Escalation Lead approves up to 250, a Manager without limit). Changing an approved
offer withdraws the approval. Offers above the offerer's own limit notify the people
who can approve them.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import save_with_audit
from core.notifications import notify

from .. import timeline_events
from ..choices import EscalationTimelineKind
from ..models import CompensationApprovalLimit, Escalation
from ._common import _display_name, _now, _redact, escalation_timeline_add
from .refusals import Refusal, forbidden, refuse

APPROVE_PERMISSION = "escalations.approve_compensation"
MAX_AMOUNT = Decimal("9999999999.99")
UNLIMITED = None


def money(amount) -> str:
    """``EUR 1,250.00``."""
    return timeline_events.money_words(amount, settings.SWITCHBOARD_CURRENCY)


def approval_limit(user):
    """``(may_approve, limit)``; a limit of None is no limit."""
    if not user.is_active or not user.has_perm("escalations.approve_escalation_compensation"):
        return False, Decimal("0")
    if user.is_superuser:
        return True, UNLIMITED
    limits = [row.limit for row in
              CompensationApprovalLimit.objects.filter(role__in=user.groups.all())]
    if not limits:
        return False, Decimal("0")
    if any(limit is None for limit in limits):
        return True, UNLIMITED
    return True, max(limits)


def can_approve(user, amount) -> bool:
    allowed, limit = approval_limit(user)
    return allowed and (limit is UNLIMITED or amount <= limit)


def approvers_for(amount):
    """Everyone who could approve ``amount`` (notified when an offer needs them)."""
    users = (get_user_model().objects.filter(is_active=True)
             .filter(groups__permissions__codename="approve_compensation").distinct())
    return [user for user in users if can_approve(user, amount)]


def _amount(value):
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount": "Give the amount as a number, e.g. 45.00."}) from None
    if amount <= 0:
        raise ValidationError({"amount": "The amount must be more than zero."})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": f"The amount cannot exceed {money(MAX_AMOUNT)}."})
    return amount


def _finished(escalation) -> Refusal | None:
    # No compensation changes on an escalation that is over.
    if escalation.is_finished:
        return Refusal(f"The escalation is {escalation.get_state_display().lower()}: "
                       "compensation can no longer change.", field="compensation")
    return None


def why_not_offer_compensation(user, escalation) -> Refusal | None:
    """Why ``user`` may not offer (or change) compensation now (None: they may)."""
    if not user.has_perm("escalations.work_escalation", escalation):
        return forbidden("Your role cannot offer compensation.")
    return _finished(escalation)


def why_not_approve_compensation(user, escalation) -> Refusal | None:
    """Why ``user`` may not approve the compensation offered now (None: they may):
    something offered and not yet approved, within the user's approval limit."""
    if not user.has_perm("escalations.approve_escalation_compensation", escalation):
        return forbidden("Your role cannot approve compensation.")
    refusal = _finished(escalation)
    if refusal is not None:
        return refusal
    amount = escalation.compensation_offered
    if amount is None:
        return Refusal("No compensation has been offered yet.", field="compensation")
    if escalation.compensation_approved == amount:
        return Refusal(f"Already approved by "
                       f"{_display_name(escalation.compensation_approved_by)}.",
                       field="compensation")
    allowed, limit = approval_limit(user)
    if not allowed:
        return forbidden("Your role has no compensation approval limit.")
    if limit is not UNLIMITED and amount > limit:
        return forbidden(f"Your approval limit is {money(limit)}; {money(amount)} needs "
                         "someone with a higher limit.")
    return None


def _lock(escalation, by, why_not):
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    refuse(why_not(by, escalation))
    return escalation


@transaction.atomic
def escalation_offer_compensation(*, escalation: Escalation, by, amount, note,
                                  at=None) -> Escalation:
    """Offer (or change the offer of) compensation: an amount and what it is for. An
    approval already given is withdrawn when the amount changes."""
    at = _now(at)
    amount = _amount(amount)
    note, masked = _redact((note or "").strip())
    if not note:
        raise ValidationError({"note": "Say what the compensation is for, e.g. a refund of "
                                       "the March charges."})
    escalation = _lock(escalation, by, why_not_offer_compensation)
    withdrawn = (escalation.compensation_approved is not None
                 and escalation.compensation_approved != amount)
    escalation.compensation_offered = amount
    escalation.compensation_note = note
    escalation.compensation_offered_by = by
    escalation.compensation_offered_at = at
    if withdrawn:
        escalation.compensation_approved = None
        escalation.compensation_approved_by = None
        escalation.compensation_approved_at = None
    reason = f"Compensation offered: {money(amount)}"
    save_with_audit(escalation, by=by, reason=reason + (" (approval withdrawn)" if withdrawn
                                                        else ""))
    approved = escalation.compensation_approved is not None
    approval = "approved" if approved else "withdrawn" if withdrawn else "needed"
    escalation_timeline_add(escalation, EscalationTimelineKind.COMPENSATION,
                            event=timeline_events.COMPENSATION_OFFERED,
                            params={"amount": f"{amount:.2f}",
                                    "currency": settings.SWITCHBOARD_CURRENCY, "note": note,
                                    "approval": approval}, by=by, at=at, masked=masked)
    if not approved and not can_approve(by, amount):
        notify([user for user in approvers_for(amount) if user.pk != by.pk],
               title=f"{escalation.reference}: approve compensation of {money(amount)}",
               body=f"{note}\n\nOffered by {_display_name(by)}.",
               url=escalation.get_absolute_url())
    return escalation


@transaction.atomic
def escalation_approve_compensation(*, escalation: Escalation, by, at=None) -> Escalation:
    """Approve the compensation offered, within the approver's role limit."""
    at = _now(at)
    escalation = _lock(escalation, by, why_not_approve_compensation)
    amount = escalation.compensation_offered
    escalation.compensation_approved = amount
    escalation.compensation_approved_by = by
    escalation.compensation_approved_at = at
    save_with_audit(escalation, by=by, reason=f"Compensation approved: {money(amount)}")
    escalation_timeline_add(escalation, EscalationTimelineKind.COMPENSATION,
                            event=timeline_events.COMPENSATION_APPROVED,
                            params={"amount": f"{amount:.2f}",
                                    "currency": settings.SWITCHBOARD_CURRENCY,
                                    "by_name": _display_name(by)}, by=by, at=at)
    if escalation.compensation_offered_by and escalation.compensation_offered_by != by:
        notify([escalation.compensation_offered_by],
               title=f"{escalation.reference}: compensation of {money(amount)} approved",
               body=(f"Approved by {_display_name(by)}: you can confirm it to "
                     f"{escalation.customer.account_reference}."),
               url=escalation.get_absolute_url())
    return escalation
