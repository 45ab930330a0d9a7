"""Who may do what with queues, interval data and KPI figures, declared once
(``rules``; see core/predicates.py). Services, API permissions, templates and the
admin ask these names."""

import rules

from core.predicates import has_model_perm

# Managers and vendor managers (kpis.change_queue) manage queues…
rules.add_perm("kpis.manage_queue", has_model_perm("kpis.change_queue"))
# …and load interval data (files or API pushes).
rules.add_perm("kpis.import_intervals", has_model_perm("kpis.add_intervalstat"))
# Every role with the app reads the figures.
rules.add_perm("kpis.read_figures", has_model_perm("kpis.view_intervalstat"))
# Cost per contact is money.
rules.add_perm("kpis.see_cost", has_model_perm("kpis.view_intervalstat")
               & has_model_perm("core.view_money"))
