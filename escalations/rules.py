"""Who may do what to an escalation, declared once (``rules``; see core/predicates.py)."""

import rules

from core.predicates import has_model_perm

# Works the escalation: transitions, notes, tier changes, edits.
rules.add_perm("escalations.work_escalation", has_model_perm("escalations.change_escalation"))
