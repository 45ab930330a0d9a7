"""Who may do what with budgets, spend and initiatives, declared once (``rules``; see
core/predicates.py). Services, API permissions, templates, the admin and the FSM
transitions ask these names.

Money goes to money roles only: every figure of this app needs ``core.view_money``,
except that every role reads initiatives (what is being improved, by whom, in which
state) — without their amounts.
"""

import rules

from core.predicates import has_model_perm

sees_money = has_model_perm("core.view_money")


@rules.predicate
def owns_initiative(user, initiative):
    return initiative is not None and initiative.owner_id == user.pk


rules.add_perm("budgets.see_amounts", sees_money)
rules.add_perm("budgets.read_budgets", sees_money & has_model_perm("budgets.view_budget"))
# Finance and managers set budgets…
rules.add_perm("budgets.manage_budget", sees_money & has_model_perm("budgets.change_budget"))
# …and record, import or push spend.
rules.add_perm("budgets.record_spend", sees_money & has_model_perm("budgets.add_spendentry"))
rules.add_perm("budgets.read_initiatives", has_model_perm("budgets.view_initiative"))
rules.add_perm("budgets.propose_initiative",
               sees_money & has_model_perm("budgets.add_initiative"))
# Approval commits money: Finance or a Manager, with the approved cost.
rules.add_perm("budgets.decide_initiative",
               sees_money & has_model_perm("budgets.approve_initiative"))
# Moving an initiative along (start, deliver, review, cancel) and taking its baseline:
# its owner, or whoever edits initiatives.
rules.add_perm("budgets.work_initiative",
               sees_money & (owns_initiative | has_model_perm("budgets.change_initiative")))
rules.add_perm("budgets.record_benefit",
               sees_money & (owns_initiative | has_model_perm("budgets.add_benefitrecord")))
rules.add_perm("budgets.manage_rates", sees_money & has_model_perm("budgets.change_costrate"))
rules.add_perm("budgets.read_incident_cost",
               sees_money & has_model_perm("budgets.view_incidentcost"))
