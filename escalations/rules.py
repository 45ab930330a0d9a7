"""Who may do what to an escalation, declared once (``rules``; see core/predicates.py).

Transitions (``permission=``), services, API permissions (``action_permissions``),
templates (``{% has_perm %}``) and the admin all ask these names with
``user.has_perm(name, escalation)``; the role-level answer (``obj=None``) is the same
predicate asked without an escalation. *When* an allowed person may act (state,
ladder, limits) is the "why not" check of each action (``escalations/why_not.py``).
"""

import rules

from core.predicates import has_model_perm

# Works the escalation: transitions, edits, tier changes, compensation offers,
# the regulatory extension.
rules.add_perm("escalations.work_escalation", has_model_perm("escalations.change_escalation"))
# Adds internal notes and logs customer updates on the timeline.
rules.add_perm("escalations.note_escalation",
               has_model_perm("escalations.add_escalationtimelineevent"))
# Links and unlinks escalations and incidents (from either page).
rules.add_perm("escalations.link_escalation",
               has_model_perm("escalations.add_escalationincidentlink"))
# Approves compensation offered (up to the role's approval limit, a why-not check).
rules.add_perm("escalations.approve_escalation_compensation",
               has_model_perm("escalations.approve_compensation"))
# Moves an escalation's running clocks to its SLA policy's current version.
rules.add_perm("escalations.apply_escalation_policy",
               has_model_perm("escalations.change_escalationslapolicy"))
