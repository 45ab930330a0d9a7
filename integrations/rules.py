"""Who may do what with integrations, declared once (``rules``).

Every role reads integrations and their alerts; managers configure them and send test
alerts. The intake endpoints authenticate by URL token, not by a person."""

import rules

from core.predicates import has_model_perm

rules.add_perm("integrations.manage_integration",
               has_model_perm("integrations.change_integration"))
rules.add_perm("integrations.send_test_alert",
               has_model_perm("integrations.change_integration"))
