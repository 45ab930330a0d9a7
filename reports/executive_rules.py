"""Who reads the executive page, its PDF and exports, and post-mortem exports (``rules``;
imported by ``reports/executive_views.py`` so the names are registered).

Every role reads the executive page — what a role may not see (money) is left out of
the data itself (``reports/executive.py``). A post-mortem export is for whoever may
view the incident.
"""

import rules

from core.predicates import has_model_perm
from core.roles import has_any_role


@rules.predicate
def has_a_role(user):
    return bool(user) and has_any_role(user)


if not rules.perm_exists("reports.read_executive"):
    rules.add_perm("reports.read_executive", has_a_role)
if not rules.perm_exists("reports.export_postmortem"):
    rules.add_perm("reports.export_postmortem", has_model_perm("incidents.view_incident"))
