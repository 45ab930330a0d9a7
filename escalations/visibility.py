"""Who sees which customer fields, declared once.

The API serializers, the web pages and the admin all ask here. Personal data
(name and contact details, notes) needs ``core.view_customer_personal_data``
(Manager, Escalation Lead); money needs ``core.view_money`` (Manager, Vendor
Manager, Finance); everyone who may read customers sees the rest.
"""

PERSONAL_DATA_PERMISSION = "core.view_customer_personal_data"
MONEY_PERMISSION = "core.view_money"
ERASE_PERMISSION = "escalations.erase_customer"

PERSONAL_FIELDS = ("name", "email", "phone", "address", "notes")
MONEY_FIELDS = ("annual_value",)
# In display order; the personal and money fields are dropped for roles without them.
CUSTOMER_FIELDS = ("id", "account_reference", "name", "tier", "annual_value", "email",
                   "phone", "address", "notes", "erased_at", "created_at")


def can_see_personal_data(user) -> bool:
    return bool(user and user.has_perm(PERSONAL_DATA_PERMISSION))


def can_see_money(user) -> bool:
    return bool(user and user.has_perm(MONEY_PERMISSION))


def customer_hidden_fields(user) -> set[str]:
    """The customer fields ``user`` may neither see nor write."""
    hidden = set()
    if not can_see_personal_data(user):
        hidden.update(PERSONAL_FIELDS)
    if not can_see_money(user):
        hidden.update(MONEY_FIELDS)
    return hidden


def customer_visible_fields(user) -> list[str]:
    """The customer fields ``user`` sees, in display order."""
    hidden = customer_hidden_fields(user)
    return [name for name in CUSTOMER_FIELDS if name not in hidden]


def customer_search_fields(user) -> list[str]:
    """What a search may match: the account reference, and the name and email only
    for roles that see them (a match would otherwise reveal them)."""
    if can_see_personal_data(user):
        return ["account_reference", "name", "email"]
    return ["account_reference"]


# Compensation on an escalation: the remedy the desk promises the customer. Those who
# work escalations offer it and must see it; the money roles see it too. Others (a
# responder, a viewer) see neither amounts nor approvers.
COMPENSATION_FIELDS = ("compensation_offered", "compensation_note", "compensation_offered_by",
                       "compensation_offered_at", "compensation_approved",
                       "compensation_approved_by", "compensation_approved_at")


def can_see_compensation(user) -> bool:
    return bool(user and (user.has_perm("escalations.work_escalation")
                          or can_see_money(user)))
