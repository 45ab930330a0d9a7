"""Declaring an incident and running it through its states, and its severity."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import work_items
from core.audit import audited, save_with_audit
from core.choices import Role
from core.clocks import (
    clock_restart,
    clock_retarget,
    clock_start,
    clocks_of,
)
from core.events import emit
from core.hooks import announce_change, announce_merge
from core.notifications import notify
from core.pci import redact_card_numbers
from core.references import allocate_reference
from core.timeline import STATE_CHANGED, state_changed
from core.transitions import allowed_transitions, lock, perform_transition

from .. import events
from ..choices import (
    DeclaredVia,
    TimelineKind,
)
from ..clock_kinds import (
    CONTAINMENT_CLOCK,
    POSTMORTEM_CLOCK,
    RESOLUTION_CLOCK,
    UPDATE_CLOCK,
)
from ..models import Incident, Severity
from .clocks import RESPONSE_CLOCKS, STOPS, running_clocks, start_response_clocks, stop_clocks
from .postmortem import postmortem_get_or_create
from .timeline import now_or, timeline_add
from .why_not import refuse, why_not_change_severity

TITLE_REQUIRED = "Give the incident a title people will recognise."
PAGING_SEVERITY_RANK = 2  # SEV1 and SEV2 page managers and responders when declared


def _page_people(incident, by):
    """SEV1/SEV2: managers and responders hear about it at once."""
    if not incident.severity or incident.severity.rank > PAGING_SEVERITY_RANK:
        return
    people = get_user_model().objects.filter(
        groups__name__in=[Role.MANAGER, Role.INCIDENT_RESPONDER], is_active=True
    ).exclude(pk=by.pk).distinct()
    notify(people, title=f"{incident.severity.key} declared: {incident.title}",
           body=incident.summary or incident.customer_impact,
           url=incident.get_absolute_url())


@transaction.atomic
def incident_declare(*, by, title, severity: Severity | None = None, summary="", priority=None,
                     channels=(), affected_services="", customer_impact="", commander=None,
                     contacts_affected=None, agents_idle=None, at: datetime | None = None,
                     via=DeclaredVia.USER) -> Incident:
    """Declare an incident: it gets a reference, its severity's clocks start, and
    SEV1/SEV2 page managers and responders."""
    if not by.has_perm("incidents.declare_incident"):
        raise PermissionDenied("Your role cannot declare incidents.")
    if not (title or "").strip():
        raise ValidationError({"title": TITLE_REQUIRED})
    at = now_or(at)
    incident = Incident(
        title=title.strip()[:200], summary=redact_card_numbers(summary)[0], severity=severity,
        affected_services=affected_services,
        customer_impact=redact_card_numbers(customer_impact)[0],
        commander=commander, contacts_affected=contacts_affected,
        agents_idle=agents_idle, declared_by=by, declared_via=via, declared_at=at,
    )
    if priority:
        incident.priority = priority
    incident.full_clean(exclude=["reference", "state"])
    # Numbered last, once the row is known to be valid (a refusal uses up no number).
    incident.reference = allocate_reference(Incident.objects, prefix="INC", year=at.year)
    with audited(incident, by=by, reason="Declared"):
        incident.save()
        incident.channels.set(channels)
    with transaction.atomic():
        sev = f"{severity.key} " if severity else ""
        timeline_add(incident, TimelineKind.DECLARED,
                     f"{sev}incident declared by {by.get_full_name() or by.username}: {title}",
                     by=by, at=at)
        if severity:
            start_response_clocks(incident, by=by, at=at)
        _page_people(incident, by)
    announce_change(incident, by=by, created=True, at=at)
    emit(events.DECLARED, incident, by=by, at=at)
    return incident


def _transition(incident_id, name, *, by, reason, at, **fields):
    """Lock, set the fields the guard reads, transition, save, timeline."""
    incident = lock(Incident, incident_id)
    for field_name, value in fields.items():
        setattr(incident, field_name, value)
    perform_transition(incident, name, by=by, reason=reason, at=at)
    # Every state change passes here: one place tells subscribers (webhooks).
    emit(events.STATE_CHANGED, incident, by=by, data={"transition": name}, at=at)
    return incident


@transaction.atomic
def incident_triage(*, incident: Incident, by, severity=None, commander=None, at=None):
    """Triage: confirms severity and commander (both required)."""
    at = now_or(at)
    fields = {}
    current = lock(Incident, incident.pk)
    if severity is not None and current.severity_id not in (None, severity.pk):
        # A different severity at triage is a severity change: clocks retargeted,
        # the timeline says so, and raising it pages people.
        incident_change_severity(incident=current, by=by, severity=severity,
                                 reason="Set at triage")
    elif severity is not None:
        fields["severity"] = severity
    if commander is not None:
        fields["commander"] = commander
    # Read under the lock: a concurrent severity change must not start clocks twice.
    started_without_severity = current.severity_id is None
    incident = _transition(incident.pk, "triage", by=by, reason="Triaged", at=at, **fields)
    commander_name = incident.commander.get_full_name() or incident.commander.username
    work_items.timeline_add(incident, TimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(
                                incident, f"Triaged as {incident.severity.key}; commander "
                                          f"{commander_name}",
                                severity=incident.severity.key, commander=incident.commander_id),
                            by=by, at=at)
    if started_without_severity:
        start_response_clocks(incident, by=by, at=incident.declared_at)
    stop_clocks(incident, STOPS["triage"], by=by, at=at)
    announce_change(incident, by=by, at=at)
    return incident


@transaction.atomic
def incident_contain(*, incident: Incident, by, summary, at=None):
    """Contain: customers are no longer hurt (a workaround is in place)."""
    at = now_or(at)
    summary = redact_card_numbers(summary or "")[0]
    incident = _transition(incident.pk, "contain", by=by, reason="Contained", at=at,
                           containment_summary=summary)
    work_items.timeline_add(incident, TimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(incident, "Contained", summary), by=by, at=at)
    stop_clocks(incident, STOPS["contain"], by=by, at=at)
    return incident


@transaction.atomic
def incident_resolve(*, incident: Incident, by, summary, at=None):
    """Resolve: the cause is fixed. Starts the post-mortem clock where one is due."""
    at = now_or(at)
    summary = redact_card_numbers(summary or "")[0]
    incident = _transition(incident.pk, "resolve", by=by, reason="Resolved", at=at,
                           resolution_summary=summary)
    work_items.timeline_add(incident, TimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(incident, "Resolved", summary), by=by, at=at)
    stop_clocks(incident, STOPS["resolve"], by=by, at=at)
    severity = incident.severity
    if severity.postmortem_required and severity.postmortem_due:
        # A reopened incident resolved again starts the next cycle of this clock.
        earlier = [c for c in clocks_of(incident) if c.kind == POSTMORTEM_CLOCK]
        clock_start(owner=incident, kind=POSTMORTEM_CLOCK, target=severity.postmortem_due,
                    by=by, at=at, calendar=severity.postmortem_calendar,
                    cycle=1 + max((c.cycle for c in earlier), default=0))
    return incident


@transaction.atomic
def incident_start_postmortem(*, incident: Incident, by, at=None):
    """Start the post-mortem: creates the draft (if none) with the timeline built in."""
    at = now_or(at)
    incident = _transition(incident.pk, "start_postmortem", by=by,
                           reason="Post-mortem started", at=at)
    postmortem_get_or_create(incident=incident, by=by)
    timeline_add(incident, TimelineKind.POSTMORTEM, "Post-mortem started.", by=by, at=at)
    return incident


@transaction.atomic
def incident_close(*, incident: Incident, by, at=None):
    """Close: needs the post-mortem published (if the severity requires one) and every
    action item owned and dated."""
    at = now_or(at)
    incident = _transition(incident.pk, "close", by=by, reason="Closed", at=at)
    work_items.timeline_add(incident, TimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(incident, "Closed"), by=by, at=at)
    stop_clocks(incident, STOPS["close"], by=by, at=at)
    announce_change(incident, by=by, at=at)
    return incident


@transaction.atomic
def incident_cancel(*, incident: Incident, by, reason, duplicate_of: Incident | None = None,
                    at=None):
    """Cancel a false alarm, or a duplicate (linked to the incident it duplicates)."""
    at = now_or(at)
    if duplicate_of is not None and duplicate_of.pk == incident.pk:
        raise ValidationError({"duplicate_of": "An incident cannot duplicate itself."})
    incident = _transition(incident.pk, "cancel", by=by, reason=f"Cancelled: {reason}", at=at,
                           cancel_reason=reason or "", duplicate_of=duplicate_of)
    label = "Cancelled"
    if duplicate_of is not None:
        label = f"Cancelled as a duplicate of {duplicate_of.reference}"
        timeline_add(duplicate_of, TimelineKind.LINK,
                     f"{incident.reference} was merged into this incident.", by=by, at=at)
        # Linked escalations, alert groups…: their apps move them (core.hooks).
        announce_merge(incident, into=duplicate_of, by=by, at=at)
    work_items.timeline_add(incident, TimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(incident, label, reason,
                                                 duplicate_of=duplicate_of and duplicate_of.pk),
                            by=by, at=at)
    stop_clocks(incident, STOPS["cancel"], by=by, at=at)
    announce_change(incident, by=by, at=at)
    return incident


@transaction.atomic
def incident_reopen(*, incident: Incident, by, reason, at=None):
    """Reopen a resolved incident: back to triaged, response clocks start a new cycle."""
    at = now_or(at)
    locked = lock(Incident, incident.pk)
    if not (reason or "").strip() and "reopen" in allowed_transitions(locked):
        # Only ask for a reason when reopening is possible at all (else: 409).
        raise ValidationError({"reason": "Say why the incident is reopened."})
    incident = _transition(incident.pk, "reopen", by=by, reason=f"Reopened: {reason}", at=at)
    work_items.timeline_add(incident, TimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(incident, "Reopened", reason), by=by, at=at)
    stop_clocks(incident, [POSTMORTEM_CLOCK], by=by, at=at)
    latest = {}
    for clock in clocks_of(incident):
        if clock.kind in (CONTAINMENT_CLOCK, RESOLUTION_CLOCK, UPDATE_CLOCK):
            latest.setdefault(clock.kind, clock)  # clocks_of orders newest cycle first
    for clock in latest.values():
        clock_restart(clock=clock, by=by, reason=f"Reopened: {reason}", at=at)
    return incident


@transaction.atomic
def incident_change_severity(*, incident: Incident, by, severity: Severity, reason):
    """Raise or lower severity; running clocks take the new targets from their start."""
    refuse(why_not_change_severity(by, incident))
    if severity is None:
        raise ValidationError({"severity": "Choose the new severity."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the severity changes."})
    incident = lock(Incident, incident.pk)
    refuse(why_not_change_severity(by, incident))
    old = incident.severity
    if old == severity:
        return incident
    incident.severity = severity
    save_with_audit(incident, by=by, reason=f"Severity {old.key if old else '—'} → "
                                            f"{severity.key}: {reason}")
    timeline_add(incident, TimelineKind.SEVERITY,
                 f"Severity {old.key if old else 'unset'} → {severity.key}: {reason}", by=by)
    running = {c.kind: c for c in running_clocks(incident)}
    for kind, target_field in RESPONSE_CLOCKS.items():
        target = getattr(severity, target_field)
        if kind in running and target:
            clock_retarget(clock=running[kind], target=target, by=by,
                           reason=f"Severity {severity.key}")
    if old is None or severity.rank < old.rank:
        _page_people(incident, by)
    announce_change(incident, by=by)
    return incident
