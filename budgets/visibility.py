"""Who sees the money of budgets and initiatives, declared once.

Budgets, spend, alerts, benefit records and rates are money as a whole: only roles
with ``budgets.see_amounts`` (Manager, Vendor Manager, Finance) reach them at all.
Initiatives are read by every role — what is being improved, by whom, in which state —
but their amounts, and the rates of their baseline, are left out for the others.
API serializers and the admin ask here.
"""

MONEY_PERMISSION = "budgets.see_amounts"
# Initiative fields that are money (the figures and benefits are money as a whole).
INITIATIVE_MONEY_FIELDS = ("estimated_cost", "expected_benefit", "approved_cost",
                           "realised_benefit")
# Baseline fields that are money: the rates a derived benefit is priced with.
BASELINE_MONEY_FIELDS = ("cost_per_minute", "cost_per_contact")


def can_see_amounts(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MONEY_PERMISSION))


def initiative_hidden_fields(user) -> set[str]:
    """The initiative fields ``user`` may neither see nor write."""
    return set() if can_see_amounts(user) else set(INITIATIVE_MONEY_FIELDS)


def baseline_hidden_fields(user) -> set[str]:
    return set() if can_see_amounts(user) else set(BASELINE_MONEY_FIELDS)
