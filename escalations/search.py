"""The escalations' part of the global search (core/search.py), and the text search
of the queue: escalations by reference, summary or their customer's account number
(and the customer's name for roles that see personal data); customers by account
number (and name/email for those roles)."""

from core.registry import Searcher, SearchHit, register_searcher
from core.search import ranked

from .visibility import can_see_personal_data, customer_search_fields


def escalation_search_fields(user) -> list[str]:
    """What a text search of escalations may match for ``user``: a match on a field
    they may not see would reveal it."""
    fields = ["reference", "summary", "customer__account_reference"]
    if can_see_personal_data(user):
        fields.append("customer__name")
    return fields


def search_escalations(user, text, limit):
    from .models import Escalation

    rows = ranked(Escalation.objects.select_related("customer"), text,
                  escalation_search_fields(user), exact_field="reference",
                  order=("-created_at", "-pk"))[:limit]
    return [SearchHit(title=e.summary, url=e.get_absolute_url(), reference=e.reference,
                      detail=f"{e.get_state_display()} · {e.tier} · "
                             f"{e.customer.account_reference}")
            for e in rows]


def search_customers(user, text, limit):
    from .models import Customer

    personal = can_see_personal_data(user)
    rows = ranked(Customer.objects.all(), text, customer_search_fields(user),
                  exact_field="account_reference", order=("account_reference", "pk"))[:limit]
    return [SearchHit(title=c.name if personal else c.get_tier_display() + " customer",
                      url=c.get_absolute_url(), reference=c.account_reference,
                      detail=c.get_tier_display() if personal else "")
            for c in rows]


def register():
    register_searcher(Searcher("escalations.escalation", "Escalations", search_escalations,
                               permission="escalations.view_escalation", order=20))
    register_searcher(Searcher("escalations.customer", "Customers", search_customers,
                               permission="escalations.view_customer", order=30))
