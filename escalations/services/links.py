"""Links between escalations and the incidents that caused them.

An outage makes complaints: the incident commander links many escalations to the
incident at once (``incident_link_escalations``), or an escalation lead links one
escalation from its page. Either role may: linking changes neither the incident's
state nor the escalation's, only what each page shows. Both timelines say what was
linked, by whom; the link rows keep their own history.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import audited, save_with_audit
from incidents.choices import IncidentState, TimelineKind
from incidents.models import Incident

from ..choices import EscalationTimelineKind
from ..models import Escalation, EscalationIncidentLink
from ._common import _display_name, _now, escalation_timeline_add
from .refusals import Refusal, forbidden, refuse

# One request links at most this many escalations (a whole burst, not the database).
MAX_LINKS_AT_ONCE = 500


# Declared in escalations/rules.py.
LINK_PERMISSION = "escalations.link_escalation"


def can_link(user) -> bool:
    """Incident responders (from the incident), escalation leads (from the escalation)
    and managers link and unlink (``core/roles.py``)."""
    return user.has_perm(LINK_PERMISSION)


def why_not_unlink(user) -> Refusal | None:
    """Why ``user`` may not link or unlink escalations and incidents (None: they may)."""
    if not can_link(user):
        return forbidden("Your role cannot link escalations and incidents.")
    return None


def why_not_link(user, incident) -> Refusal | None:
    """Why ``user`` may not link escalations to ``incident`` (None: they may): not to a
    cancelled incident (a duplicate: link to the real one)."""
    refusal = why_not_unlink(user)
    if refusal is None and incident.state == IncidentState.CANCELLED:
        original = f" (duplicate of {incident.duplicate_of.reference})" \
            if incident.duplicate_of_id else ""
        return Refusal(f"{incident.reference} was cancelled{original}; link the escalations "
                       "to the real incident.", field="incident")
    return refusal


@transaction.atomic
def incident_link_escalations(*, incident: Incident, escalations, by,
                              at=None) -> list[EscalationIncidentLink]:
    """Link many escalations to ``incident`` at once; those already linked are left
    as they are. Returns the new links."""
    from incidents.services import timeline_add

    at = _now(at)
    ids = sorted({escalation.pk for escalation in escalations})
    if not ids:
        raise ValidationError({"escalations": "Choose at least one escalation to link."})
    if len(ids) > MAX_LINKS_AT_ONCE:
        raise ValidationError({"escalations": f"Link at most {MAX_LINKS_AT_ONCE} escalations "
                                              "at once."})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    refuse(why_not_link(by, incident))
    already = set(EscalationIncidentLink.objects.filter(incident=incident, escalation_id__in=ids)
                  .values_list("escalation_id", flat=True))
    created = []
    for escalation in Escalation.objects.filter(pk__in=ids).exclude(pk__in=already).order_by(
            "reference"):
        link = EscalationIncidentLink(escalation=escalation, incident=incident, linked_by=by,
                                      linked_at=at)
        save_with_audit(link, by=by, reason=f"Linked to {incident.reference}")
        escalation_timeline_add(
            escalation, EscalationTimelineKind.LINK,
            f"Linked to incident {incident.reference} ({incident.get_state_display().lower()})"
            f": {incident.title}.", by=by, at=at)
        created.append(link)
    if created:
        references = ", ".join(link.escalation.reference for link in created[:20])
        more = f" and {len(created) - 20} more" if len(created) > 20 else ""
        timeline_add(incident, TimelineKind.LINK,
                     f"{_display_name(by)} linked {len(created)} customer escalation(s): "
                     f"{references}{more}.", by=by, at=at)
    return created


@transaction.atomic
def escalation_link_incident(*, escalation: Escalation, incident: Incident, by,
                             at=None) -> EscalationIncidentLink:
    """Link one escalation to an incident (refused if already linked)."""
    if EscalationIncidentLink.objects.filter(escalation=escalation, incident=incident).exists():
        raise ValidationError({"incident": f"Already linked to {incident.reference}."})
    return incident_link_escalations(incident=incident, escalations=[escalation], by=by,
                                     at=at)[0]


@transaction.atomic
def escalation_unlink_incident(*, escalation: Escalation, incident: Incident, by, at=None):
    """Remove a link made by mistake; both timelines say so."""
    from incidents.services import timeline_add

    at = _now(at)
    refuse(why_not_unlink(by))
    link = (EscalationIncidentLink.objects.select_for_update()
            .filter(escalation=escalation, incident=incident).first())
    if link is None:
        raise ValidationError({"incident": f"{escalation.reference} is not linked to "
                                           f"{incident.reference}."})
    with audited(link, by=by, reason=f"Unlinked from {incident.reference}"):
        link.delete()
    escalation_timeline_add(escalation, EscalationTimelineKind.LINK,
                            f"Unlinked from incident {incident.reference}.", by=by, at=at)
    timeline_add(incident, TimelineKind.LINK,
                 f"{_display_name(by)} unlinked escalation {escalation.reference}.",
                 by=by, at=at)


def move_links_of_merged_incident(sender, *, duplicate, survivor, by, at=None, **kwargs):
    """``core.hooks.objects_merged`` receiver: an incident cancelled as a duplicate hands
    its linked escalations to the incident it duplicates (inside the cancel's
    transaction). An escalation linked to both keeps the one link to the survivor."""
    from incidents.services import timeline_add

    if sender is not Incident:
        return
    at = _now(at)
    moved = []
    for link in (EscalationIncidentLink.objects.select_for_update(of=("self",))
                 .filter(incident=duplicate).select_related("escalation")
                 .order_by("escalation__reference")):
        escalation = link.escalation
        reason = f"Moved from {duplicate.reference} (merged) to {survivor.reference}"
        if EscalationIncidentLink.objects.filter(escalation=escalation,
                                                 incident=survivor).exists():
            with audited(link, by=by, reason=reason):
                link.delete()
        else:
            link.incident = survivor
            save_with_audit(link, by=by, reason=reason)
        escalation_timeline_add(
            escalation, EscalationTimelineKind.LINK,
            f"Incident {duplicate.reference} was merged into {survivor.reference}: now "
            f"linked to {survivor.reference}.", by=by, at=at)
        moved.append(escalation.reference)
    if moved:
        timeline_add(survivor, TimelineKind.LINK,
                     f"{len(moved)} customer escalation(s) moved here from "
                     f"{duplicate.reference}: {', '.join(moved[:20])}"
                     f"{' …' if len(moved) > 20 else ''}.", by=by, at=at)
