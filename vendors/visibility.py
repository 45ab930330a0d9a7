"""Who sees a contract's money, declared once.

The contract value and its fee lines need ``core.view_money`` (Manager, Vendor
Manager, Finance). Pages, API serializers, the CSV export and the admin ask here;
a role without it neither sees nor writes them.
"""

MONEY_PERMISSION = "core.view_money"
# Contract fields that are money (the fee lines are money as a whole).
CONTRACT_MONEY_FIELDS = ("value", "fee_lines")


def can_see_money(user) -> bool:
    return bool(user and user.has_perm(MONEY_PERMISSION))


def contract_hidden_fields(user) -> set[str]:
    """The contract fields ``user`` may neither see nor write."""
    return set() if can_see_money(user) else set(CONTRACT_MONEY_FIELDS)
