"""Everything held about a customer, for a subject-access request (GDPR art. 15).

The export covers exactly what erasure (``customers.customer_erase``) scrubs, so the
two cannot drift: the customer row and its history; each of their escalations with
its history, timeline (notes, updates, typed events drawn as read), tier changes,
compensation, links to incidents and the pause reasons of its clocks; and the
notifications that point at those escalations or name the customer.

Built in a fixed number of queries per escalation-free part plus one batch per
related kind (not per row), so a customer with many escalations exports quickly.
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}

ESCALATION_FIELDS = ("reference", "category", "priority", "summary", "description",
                     "requested_outcome", "tier", "state", "containment_note", "resolution",
                     "root_cause_review", "withdraw_reason", "regulatory_extension_reason",
                     "created_at", "triaged_at", "contained_at", "resolved_at", "closed_at",
                     "reopened_at")
COMPENSATION_FIELDS = ("compensation_offered", "compensation_note", "compensation_offered_at",
                       "compensation_approved", "compensation_approved_at")


def json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _username(user):
    return user.get_username() if user is not None else None


def _history(rows, fields):
    return [{
        "at": row.history_date.isoformat(),
        "change": HISTORY_TYPES.get(row.history_type, row.history_type),
        "by": _username(row.history_user),
        "reason": row.history_change_reason or "",
        "fields": {name: json_value(getattr(row, name)) for name in fields},
    } for row in rows]


def escalations_export(customer) -> dict:
    """The customer's escalations and what hangs off them, and the notifications that
    name them, as JSON-ready dicts (see the module's docstring)."""
    from core.models import Notification, SlaClock

    from ..models import (
        Escalation,
        EscalationIncidentLink,
        EscalationTimelineEvent,
        TierChange,
    )

    escalations = list(Escalation.objects.filter(customer=customer).select_related(
        "channel", "owner", "team", "regulatory_regime", "compensation_offered_by",
        "compensation_approved_by").order_by("created_at", "pk"))
    ids = [e.pk for e in escalations]
    by_escalation = {pk: {"history": [], "timeline": [], "tier_changes": [], "incidents": [],
                          "pauses": []} for pk in ids}
    history = Escalation.history.filter(id__in=ids).select_related("history_user").order_by(
        "history_date", "history_id")
    for row in history:
        by_escalation[row.id]["history"].extend(_history([row], ESCALATION_FIELDS
                                                         + COMPENSATION_FIELDS))
    for event in EscalationTimelineEvent.objects.filter(escalation_id__in=ids).select_related(
            "actor").order_by("at", "pk"):
        by_escalation[event.escalation_id]["timeline"].append({
            "at": event.at.isoformat(), "kind": event.get_kind_display(),
            "by": _username(event.actor), "text": event.render()})
    for change in TierChange.objects.filter(escalation_id__in=ids).select_related(
            "requested_by", "acknowledged_by").order_by("requested_at", "pk"):
        by_escalation[change.escalation_id]["tier_changes"].append({
            "at": change.requested_at.isoformat(), "from": change.from_tier,
            "to": change.to_tier, "direction": change.get_direction_display(),
            "reason": change.reason, "by": _username(change.requested_by),
            "automatic": change.automatic,
            "acknowledged_by": _username(change.acknowledged_by),
            "acknowledged_at": json_value(change.acknowledged_at)})
    for link in EscalationIncidentLink.objects.filter(escalation_id__in=ids).select_related(
            "incident", "linked_by").order_by("linked_at", "pk"):
        by_escalation[link.escalation_id]["incidents"].append({
            "reference": link.incident.reference, "title": link.incident.title,
            "linked_at": link.linked_at.isoformat(), "linked_by": _username(link.linked_by)})
    clocks = SlaClock.objects.filter(
        content_type=ContentType.objects.get_for_model(Escalation), object_id__in=ids
    ).exclude(pause_reason="").order_by("pk")
    for clock in clocks:
        by_escalation[clock.object_id]["pauses"].append({
            "clock": clock.kind, "state": clock.state, "reason": clock.pause_reason})

    exported = []
    offered = approved = Decimal("0")
    for escalation in escalations:
        compensation = {name: json_value(getattr(escalation, name))
                        for name in COMPENSATION_FIELDS}
        compensation["compensation_offered_by"] = _username(escalation.compensation_offered_by)
        compensation["compensation_approved_by"] = _username(
            escalation.compensation_approved_by)
        offered += escalation.compensation_offered or 0
        approved += escalation.compensation_approved or 0
        related = by_escalation[escalation.pk]
        exported.append({
            "id": escalation.pk,
            **{name: json_value(getattr(escalation, name)) for name in ESCALATION_FIELDS},
            "channel": escalation.channel.name if escalation.channel else None,
            "owner": _username(escalation.owner),
            "team": escalation.team.name if escalation.team else None,
            "regulatory_regime": (escalation.regulatory_regime.name
                                  if escalation.regulatory_regime else None),
            "compensation": compensation,
            "linked_incidents": related["incidents"],
            "timeline": related["timeline"],
            "tier_changes": related["tier_changes"],
            "clock_pauses": related["pauses"],
            "history": related["history"],
        })

    # Notifications about their escalations, or naming their account (e.g. a status
    # update emailed to staff quoting it). Whose inbox it was is kept: it shows who
    # was told about the person.
    named = Q(url__in=[e.get_absolute_url() for e in escalations])
    for identifier in {customer.account_reference, customer.name}:
        if identifier and len(identifier.strip()) >= 3:
            named |= Q(title__icontains=identifier) | Q(body__icontains=identifier)
    notifications = [{
        "at": n.created_at.isoformat(), "to": _username(n.recipient), "title": n.title,
        "body": n.body, "url": n.url,
    } for n in Notification.objects.filter(named).select_related("recipient").order_by(
        "created_at", "pk")]
    return {
        "escalations": exported,
        "compensation_total": {"offered": str(offered), "approved": str(approved)},
        "notifications": notifications,
    }
