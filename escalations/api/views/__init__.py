"""Customer, escalation and SLA policy API, one module per concern (``urls.py``
registers the viewsets)."""

from .configuration import EscalationSlaPolicyViewSet, RegulatoryRegimeViewSet
from .customers import CustomerFilter, CustomerSearchFilter, CustomerViewSet
from .escalations import EscalationListFilterBackend, EscalationViewSet
from .incident_escalations import IncidentEscalationsView

__all__ = [
    "CustomerFilter", "CustomerSearchFilter", "CustomerViewSet", "EscalationListFilterBackend",
    "EscalationSlaPolicyViewSet", "EscalationViewSet", "IncidentEscalationsView",
    "RegulatoryRegimeViewSet",
]
