"""Who holds which role on an incident."""
from django.core.exceptions import ValidationError
from django.db import transaction

from core import work_items
from core.audit import audited, save_with_audit
from core.timeline import ROLE_ASSIGNED
from core.transitions import lock

from ..choices import (
    IncidentRole,
    TimelineKind,
)
from ..models import Incident
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
    work_items.timeline_add(incident, TimelineKind.ROLE, event=ROLE_ASSIGNED, params={
        "role": role, "role_label": label, "user": user.pk if user else None, "name": name},
        by=by)
    return incident
