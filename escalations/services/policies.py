"""Escalation SLA policies: which one applies, and applying its targets."""

from django.db.models import Q

from ..models import (
    EscalationSlaPolicy,
)


def policy_for(*, priority, customer_tier, category) -> EscalationSlaPolicy | None:
    """The first active policy (by ``order``) whose set conditions all match; an
    empty condition matches anything."""
    conditions = Q(active=True)
    for name, value in (("priority", priority), ("customer_tier", customer_tier),
                        ("category", category)):
        conditions &= Q(**{f"{name}__isnull": True}) | Q(**{name: value or None})
    return EscalationSlaPolicy.objects.filter(conditions).order_by("order").first()

