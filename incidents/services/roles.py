"""Who holds which role on an incident."""
from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import audited, save_with_audit
from core.transitions import lock

from ..choices import (
    IncidentRole,
    TimelineKind,
)
from ..models import Incident
from .timeline import timeline_add
from .why_not import refuse, why_not_assign_role


@transaction.atomic
def incident_assign_role(*, incident: Incident, by, role: str, user):
    """Give (or take away, with ``user=None``) a role on the incident."""
    refuse(why_not_assign_role(by, incident))
    if role not in IncidentRole.values:
        raise ValidationError({"role": f"Unknown role '{role}'. Use one of: "
                                       f"{', '.join(IncidentRole.values)}."})
    incident = lock(Incident, incident.pk)
    setattr(incident, role, user)
    label = IncidentRole(role).label
    name = (user.get_full_name() or user.username) if user else "nobody"
    save_with_audit(incident, by=by, reason=f"{label}: {name}")
    if user is not None:
        with audited(incident, by=by, reason=f"{label} joins"):
            incident.participants.add(user)
    timeline_add(incident, TimelineKind.ROLE, f"{label}: {name}.", by=by)
    return incident
