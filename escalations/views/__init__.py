"""Escalation pages, one module per concern:

* ``queue`` — the queue (one FilterSet with the API, ``selectors.escalation_list``)
  and the opening form;
* ``page`` — the escalation page, a small function per panel;
* ``steps`` — what the page offers: transitions, tier moves, panel actions;
* ``actions`` — the page's writes (``core.web_forms.submit``);
* ``incident_card`` — the "Customer escalations" card on incident pages;
* ``customers`` — the customer list and page, export and erasure.

Views parse, call a service, render. Which fields a person sees is
``escalations/visibility.py``'s; who may do what is ``escalations/rules.py``'s, and
whether it can be done now the services' ``why_not_*`` checks and the model's
transitions.
"""

from .actions import (
    escalation_action,
    escalation_tier,
    escalation_transition,
    escalation_unlink,
    tier_change_acknowledge,
)
from .customers import customer_detail, customer_erase, customer_export, customer_list
from .incident_card import (
    incident_escalations_context,
    incident_link_escalations,
    incident_unlink_escalation,
    link_candidates,
)
from .page import escalation_context, escalation_detail, render_escalation
from .queue import escalation_create, escalation_list

__all__ = [
    "customer_detail", "customer_erase", "customer_export", "customer_list",
    "escalation_action", "escalation_context", "escalation_create", "escalation_detail",
    "escalation_list", "escalation_tier", "escalation_transition", "escalation_unlink",
    "incident_escalations_context", "incident_link_escalations",
    "incident_unlink_escalation", "link_candidates", "render_escalation",
    "tier_change_acknowledge",
]
