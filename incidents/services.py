"""Incident use cases. Web views, API actions, admin actions and tasks all call these.

Each service runs in a transaction with the incident row locked, checks permission
and guards through ``core.transitions.perform_transition``, saves with an audited
reason, writes the timeline, moves the SLA clocks, and schedules notifications
after commit.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import work_items
from core.audit import audited, save_with_audit
from core.choices import ClockState, Role
from core.clocks import (
    clock_restart,
    clock_retarget,
    clock_start,
    clock_stop,
    clocks_of,
)
from core.hooks import announce_change
from core.notifications import notify
from core.pci import redact_card_numbers
from core.references import allocate_reference
from core.timeline import ROLE_ASSIGNED, STATE_CHANGED, state_changed
from core.transitions import allowed_transitions, lock, perform_transition
from core.validation import check_plausible

from .choices import (
    STAGE_TIMESTAMPS,
    ActionItemState,
    Audience,
    DeclaredVia,
    IncidentRole,
    IncidentState,
    PostMortemState,
    TimelineKind,
)
from .clock_kinds import (
    ACTION_ITEM_CLOCK,
    CONTAINMENT_CLOCK,
    POSTMORTEM_CLOCK,
    RESOLUTION_CLOCK,
    TRIAGE_CLOCK,
    UPDATE_CLOCK,
)
from .models import ActionItem, Incident, PostMortem, Severity, StatusUpdate, TimelineEvent

# Which severity target each response clock uses.
RESPONSE_CLOCKS = {
    TRIAGE_CLOCK: "triage_target",
    CONTAINMENT_CLOCK: "containment_target",
    UPDATE_CLOCK: "update_cadence",
    RESOLUTION_CLOCK: "resolution_target",
}
# The clocks a transition stops (met or missed).
STOPS = {
    "triage": [TRIAGE_CLOCK],
    "contain": [CONTAINMENT_CLOCK],
    "resolve": [TRIAGE_CLOCK, CONTAINMENT_CLOCK, RESOLUTION_CLOCK, UPDATE_CLOCK],
    "cancel": [TRIAGE_CLOCK, CONTAINMENT_CLOCK, RESOLUTION_CLOCK, UPDATE_CLOCK],
    "close": [POSTMORTEM_CLOCK],
}
PAGING_SEVERITY_RANK = 2  # SEV1 and SEV2 page managers and responders when declared


def _now(at):
    return at or timezone.now()


def timeline_add(incident, kind, text, *, by, at=None, pinned=False, event="", params=None,
                 masked=0):
    """Write a line people read on the incident page (card numbers masked; the masking,
    here or in the params ``core.work_items.timeline_add`` masked, is noted too).
    Typed entries (``event``, ``params``) come through that kernel function."""
    text, found = redact_card_numbers(text)
    entry = TimelineEvent(incident=incident, kind=kind, at=_now(at), actor=by, text=text,
                          pinned=pinned, event=event or "", params=params or {})
    save_with_audit(entry, by=by, reason=f"Timeline: {entry.get_kind_display()}")
    if masked + found:
        TimelineEvent.objects.create(
            incident=incident, kind=TimelineKind.NOTE, at=entry.at, actor=None,
            text=f"{masked + found} card number(s) masked to the last four digits.",
        )
    return entry


def _running_clocks(incident, kinds=None):
    clocks = [c for c in clocks_of(incident) if c.state != ClockState.STOPPED]
    return [c for c in clocks if kinds is None or c.kind in kinds]


def _start_response_clocks(incident, *, by, at, kinds=None):
    severity = incident.severity
    for kind, target_field in RESPONSE_CLOCKS.items():
        target = getattr(severity, target_field)
        if target and (kinds is None or kind in kinds):
            clock_start(owner=incident, kind=kind, target=target, by=by, at=at,
                        calendar=severity.calendar)


def _stop_clocks(incident, kinds, *, by, at):
    for clock in _running_clocks(incident, kinds):
        clock_stop(clock=clock, by=by, at=at)


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
    if not by.has_perm("incidents.add_incident"):
        raise PermissionDenied("Your role cannot declare incidents.")
    if not (title or "").strip():
        raise ValidationError({"title": "Give the incident a title people will recognise."})
    at = _now(at)
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
            _start_response_clocks(incident, by=by, at=at)
        _page_people(incident, by)
    announce_change(incident, by=by, created=True, at=at)
    return incident


def _transition(incident_id, name, *, by, reason, at, **fields):
    """Lock, set the fields the guard reads, transition, save, timeline."""
    incident = lock(Incident, incident_id)
    for field_name, value in fields.items():
        setattr(incident, field_name, value)
    perform_transition(incident, name, by=by, reason=reason, at=at)
    return incident


@transaction.atomic
def incident_triage(*, incident: Incident, by, severity=None, commander=None, at=None):
    """Triage: confirms severity and commander (both required)."""
    at = _now(at)
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
        _start_response_clocks(incident, by=by, at=incident.declared_at)
    _stop_clocks(incident, STOPS["triage"], by=by, at=at)
    announce_change(incident, by=by, at=at)
    return incident


@transaction.atomic
def incident_contain(*, incident: Incident, by, summary, at=None):
    """Contain: customers are no longer hurt (a workaround is in place)."""
    at = _now(at)
    summary = redact_card_numbers(summary or "")[0]
    incident = _transition(incident.pk, "contain", by=by, reason="Contained", at=at,
                           containment_summary=summary)
    work_items.timeline_add(incident, TimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(incident, "Contained", summary), by=by, at=at)
    _stop_clocks(incident, STOPS["contain"], by=by, at=at)
    return incident


@transaction.atomic
def incident_resolve(*, incident: Incident, by, summary, at=None):
    """Resolve: the cause is fixed. Starts the post-mortem clock where one is due."""
    at = _now(at)
    summary = redact_card_numbers(summary or "")[0]
    incident = _transition(incident.pk, "resolve", by=by, reason="Resolved", at=at,
                           resolution_summary=summary)
    work_items.timeline_add(incident, TimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(incident, "Resolved", summary), by=by, at=at)
    _stop_clocks(incident, STOPS["resolve"], by=by, at=at)
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
    at = _now(at)
    incident = _transition(incident.pk, "start_postmortem", by=by,
                           reason="Post-mortem started", at=at)
    postmortem_get_or_create(incident=incident, by=by)
    timeline_add(incident, TimelineKind.POSTMORTEM, "Post-mortem started.", by=by, at=at)
    return incident


@transaction.atomic
def incident_close(*, incident: Incident, by, at=None):
    """Close: needs the post-mortem published (if the severity requires one) and every
    action item owned and dated."""
    at = _now(at)
    incident = _transition(incident.pk, "close", by=by, reason="Closed", at=at)
    work_items.timeline_add(incident, TimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(incident, "Closed"), by=by, at=at)
    _stop_clocks(incident, STOPS["close"], by=by, at=at)
    announce_change(incident, by=by, at=at)
    return incident


@transaction.atomic
def incident_cancel(*, incident: Incident, by, reason, duplicate_of: Incident | None = None,
                    at=None):
    """Cancel a false alarm, or a duplicate (linked to the incident it duplicates)."""
    at = _now(at)
    if duplicate_of is not None and duplicate_of.pk == incident.pk:
        raise ValidationError({"duplicate_of": "An incident cannot duplicate itself."})
    incident = _transition(incident.pk, "cancel", by=by, reason=f"Cancelled: {reason}", at=at,
                           cancel_reason=reason or "", duplicate_of=duplicate_of)
    label = "Cancelled"
    if duplicate_of is not None:
        label = f"Cancelled as a duplicate of {duplicate_of.reference}"
        timeline_add(duplicate_of, TimelineKind.LINK,
                     f"{incident.reference} was merged into this incident.", by=by, at=at)
    work_items.timeline_add(incident, TimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(incident, label, reason,
                                                 duplicate_of=duplicate_of and duplicate_of.pk),
                            by=by, at=at)
    _stop_clocks(incident, STOPS["cancel"], by=by, at=at)
    announce_change(incident, by=by, at=at)
    return incident


@transaction.atomic
def incident_reopen(*, incident: Incident, by, reason, at=None):
    """Reopen a resolved incident: back to triaged, response clocks start a new cycle."""
    at = _now(at)
    locked = lock(Incident, incident.pk)
    if not (reason or "").strip() and "reopen" in allowed_transitions(locked):
        # Only ask for a reason when reopening is possible at all (else: 409).
        raise ValidationError({"reason": "Say why the incident is reopened."})
    incident = _transition(incident.pk, "reopen", by=by, reason=f"Reopened: {reason}", at=at)
    work_items.timeline_add(incident, TimelineKind.TRANSITION, event=STATE_CHANGED,
                            params=state_changed(incident, "Reopened", reason), by=by, at=at)
    _stop_clocks(incident, [POSTMORTEM_CLOCK], by=by, at=at)
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
    if not by.has_perm("incidents.change_incident"):
        raise PermissionDenied("Your role cannot change incidents.")
    if severity is None:
        raise ValidationError({"severity": "Choose the new severity."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the severity changes."})
    incident = lock(Incident, incident.pk)
    if incident.state in (IncidentState.CLOSED, IncidentState.CANCELLED):
        raise ValidationError({"severity": "A closed or cancelled incident keeps its severity."})
    old = incident.severity
    if old == severity:
        return incident
    incident.severity = severity
    save_with_audit(incident, by=by, reason=f"Severity {old.key if old else '—'} → "
                                            f"{severity.key}: {reason}")
    timeline_add(incident, TimelineKind.SEVERITY,
                 f"Severity {old.key if old else 'unset'} → {severity.key}: {reason}", by=by)
    running = {c.kind: c for c in _running_clocks(incident)}
    for kind, target_field in RESPONSE_CLOCKS.items():
        target = getattr(severity, target_field)
        if kind in running and target:
            clock_retarget(clock=running[kind], target=target, by=by,
                           reason=f"Severity {severity.key}")
    if old is None or severity.rank < old.rank:
        _page_people(incident, by)
    announce_change(incident, by=by)
    return incident


EDITABLE_FIELDS = ["title", "summary", "priority", "affected_services", "customer_impact",
                   "contacts_affected", "agents_idle", "talk_track"]


@transaction.atomic
def incident_edit(*, incident: Incident, by, channels=None, **fields):
    """Edit the descriptive fields (not state, severity or roles, which have their own
    services). Free text is PCI-redacted; the change reason lists the fields."""
    if not by.has_perm("incidents.change_incident"):
        raise PermissionDenied("Your role cannot change incidents.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be edited here." for name in unknown})
    incident = lock(Incident, incident.pk)
    changed = []
    for name, value in fields.items():
        if isinstance(value, str):
            value = redact_card_numbers(value)[0]
        if getattr(incident, name) != value:
            setattr(incident, name, value)
            changed.append(name)
    if not changed and channels is None:
        return incident  # nothing to record
    incident.full_clean(exclude=["state", "reference"])
    with audited(incident, by=by, reason=f"Edited: {', '.join(sorted(changed)) or 'channels'}"):
        incident.save()
        if channels is not None:
            incident.channels.set(channels)
    if "talk_track" in changed:
        timeline_add(incident, TimelineKind.NOTE, "Agent talk track updated.", by=by)
    announce_change(incident, by=by)
    return incident


@transaction.atomic
def incident_assign_role(*, incident: Incident, by, role: str, user):
    """Give (or take away, with ``user=None``) a role on the incident."""
    if not by.has_perm("incidents.change_incident"):
        raise PermissionDenied("Your role cannot change incidents.")
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


@transaction.atomic
def incident_add_note(*, incident: Incident, by, text, pinned=False):
    if not by.has_perm("incidents.change_incident"):
        raise PermissionDenied("Your role cannot add notes to incidents.")
    if not (text or "").strip():
        raise ValidationError({"text": "A note cannot be empty."})
    return timeline_add(incident, TimelineKind.NOTE, text.strip(), by=by, pinned=pinned)


@transaction.atomic
def timeline_pin(*, event: TimelineEvent, by, pinned: bool):
    if not by.has_perm("incidents.change_incident"):
        raise PermissionDenied("Your role cannot pin notes.")
    event.pinned = pinned
    save_with_audit(event, by=by, reason="Pinned" if pinned else "Unpinned")
    return event


@transaction.atomic
def status_update_post(*, incident: Incident, by, audience, body, channels=(), at=None):
    """Post a status update; it restarts the update-cadence clock."""
    if not by.has_perm("incidents.change_incident"):
        raise PermissionDenied("Your role cannot post status updates.")
    if audience not in Audience.values:
        raise ValidationError({"audience": f"Choose one of: {', '.join(Audience.values)}."})
    body, masked = redact_card_numbers(body or "")
    if not body.strip():
        raise ValidationError({"body": "A status update needs a message."})
    incident = lock(Incident, incident.pk)
    if incident.state in (IncidentState.CLOSED, IncidentState.CANCELLED):
        raise ValidationError({"incident": "The incident is over; no more updates."})
    at = at or timezone.now()
    update = StatusUpdate(incident=incident, audience=audience, body=body, posted_by=by,
                          posted_at=at)
    with audited(update, by=by, reason=f"{update.get_audience_display()} update"):
        update.save()
        update.channels.set(channels)
    timeline_add(incident, TimelineKind.STATUS_UPDATE,
                 f"{update.get_audience_display()} update: {body}", by=by, at=at)
    if masked:
        timeline_add(incident, TimelineKind.NOTE,
                     f"{masked} card number(s) masked in the update.", by=None, at=at)
    if audience != Audience.INTERNAL:
        for clock in _running_clocks(incident, [UPDATE_CLOCK]):
            clock_restart(clock=clock, by=by, reason="Status update posted", at=at)
    return update


@transaction.atomic
def incident_correct_timestamp(*, incident: Incident, by, field: str, value: datetime, reason):
    """Correct a stage time (e.g. the outage started earlier than declared).

    Stage times never go backwards: the corrected value must stay between its
    neighbours. The correction is audited and on the timeline.
    """
    if not by.has_perm("incidents.change_incident"):
        raise PermissionDenied("Your role cannot correct incidents.")
    if field not in STAGE_TIMESTAMPS:
        raise ValidationError({"field": f"Only stage times can be corrected: "
                                        f"{', '.join(STAGE_TIMESTAMPS)}."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the time is corrected."})
    check_plausible(**{field: value})
    incident = lock(Incident, incident.pk)
    if getattr(incident, field) is None:
        raise ValidationError({field: "That stage has not happened yet."})
    index = STAGE_TIMESTAMPS.index(field)
    earlier = [getattr(incident, f) for f in STAGE_TIMESTAMPS[:index] if getattr(incident, f)]
    later = [getattr(incident, f) for f in STAGE_TIMESTAMPS[index + 1:] if getattr(incident, f)]
    if earlier and value < max(earlier):
        raise ValidationError({field: "It cannot be earlier than the stage before it."})
    if later and value > min(later):
        raise ValidationError({field: "It cannot be later than the stage after it."})
    if value > timezone.now():
        raise ValidationError({field: "It cannot be in the future."})
    old = getattr(incident, field)
    setattr(incident, field, value)
    save_with_audit(incident, by=by, reason=f"Corrected {field}: {reason}")
    timeline_add(incident, TimelineKind.CORRECTION,
                 f"{field.replace('_', ' ')} corrected from {old:%Y-%m-%d %H:%M} to "
                 f"{value:%Y-%m-%d %H:%M} UTC: {reason}", by=by)
    return incident


# --- Post-mortem -------------------------------------------------------------------


@transaction.atomic
def postmortem_get_or_create(*, incident: Incident, by) -> PostMortem:
    """The incident's post-mortem, drafted (with summary and impact) if there is none."""
    if not by.has_perm("incidents.add_postmortem"):
        raise PermissionDenied("Your role cannot write post-mortems.")
    lock(Incident, incident.pk)  # two first drafts at once: the second finds the first
    postmortem = PostMortem.objects.filter(incident=incident).first()
    if postmortem is None:
        postmortem = PostMortem(incident=incident, author=by,
                                customer_impact=incident.customer_impact,
                                summary=incident.summary)
        save_with_audit(postmortem, by=by, reason="Post-mortem drafted")
    return postmortem


POSTMORTEM_FIELDS = ["summary", "customer_impact", "root_cause", "contributing_factors",
                     "five_whys", "went_well", "went_badly", "lessons", "reviewer"]


@transaction.atomic
def postmortem_edit(*, postmortem: PostMortem, by, **fields):
    """Edit a draft post-mortem (a published one is final)."""
    if not by.has_perm("incidents.change_postmortem"):
        raise PermissionDenied("Your role cannot edit post-mortems.")
    postmortem = lock(PostMortem, postmortem.pk)
    if postmortem.state != PostMortemState.DRAFT:
        raise ValidationError({"state": "Only a draft post-mortem can be edited; request "
                                        "changes to reopen it."})
    unknown = set(fields) - set(POSTMORTEM_FIELDS)
    if unknown:
        raise ValidationError({name: "Not a post-mortem field." for name in unknown})
    for name, value in fields.items():
        setattr(postmortem, name, redact_card_numbers(value)[0] if isinstance(value, str)
                else value)
    save_with_audit(postmortem, by=by, reason="Post-mortem edited")
    return postmortem


@transaction.atomic
def postmortem_transition(*, postmortem: PostMortem, by, name, at=None):
    """submit (needs summary, root cause, reviewer) → publish (by the reviewer or a
    manager) or request_changes (back to draft)."""
    # Who may submit, publish or send back is declared on the model's transitions.
    postmortem = lock(PostMortem, postmortem.pk)
    at = at or timezone.now()
    kwargs = {"at": at} if name in ("submit", "publish") else {}
    labels = {"submit": "submitted for review", "publish": "published",
              "request_changes": "sent back for changes"}
    if name not in labels:
        from core.exceptions import TransitionNotAllowed
        from core.transitions import allowed_transitions

        raise TransitionNotAllowed(transition=name, current_state=postmortem.state,
                                   allowed=allowed_transitions(postmortem, by))
    perform_transition(postmortem, name, by=by, reason=f"Post-mortem {labels[name]}", **kwargs)
    timeline_add(postmortem.incident, TimelineKind.POSTMORTEM,
                 f"Post-mortem {labels[name]}.", by=by, at=at)
    if name == "publish":
        _stop_clocks(postmortem.incident, [POSTMORTEM_CLOCK], by=by, at=at)
    return postmortem


def postmortem_timeline(postmortem: PostMortem):
    """The incident's timeline for the post-mortem document (notes and changes)."""
    return postmortem.incident.timeline.select_related("actor").order_by("at", "pk")


# --- Action items --------------------------------------------------------------------


def _action_item_clock(item, *, by, at):
    if item.due_date is None:
        return
    # Due by the end of the due date in the site's zone.
    zone = timezone.get_default_timezone()
    due = datetime.combine(item.due_date, datetime.max.time(), tzinfo=zone)
    target = max(due - at, timedelta(minutes=1))
    clock_start(owner=item, kind=ACTION_ITEM_CLOCK, target=target, by=by, at=at,
                cycle=1 + len(list(clocks_of(item))))


@transaction.atomic
def action_item_create(*, incident: Incident, by, kind, title, owner=None, due_date=None,
                       description="", at=None):
    if not by.has_perm("incidents.add_actionitem"):
        raise PermissionDenied("Your role cannot add action items.")
    at = at or timezone.now()
    item = ActionItem(incident=incident, kind=kind, title=(title or "").strip(), owner=owner,
                      due_date=due_date, description=redact_card_numbers(description)[0])
    item.full_clean(exclude=["state"])
    save_with_audit(item, by=by, reason="Action item added")
    timeline_add(incident, TimelineKind.ACTION_ITEM,
                 f"Action item ({item.get_kind_display().lower()}): {item.title}", by=by, at=at)
    _action_item_clock(item, by=by, at=at)
    return item


@transaction.atomic
def action_item_update(*, item: ActionItem, by, owner=..., due_date=..., title=None):
    """Change owner, due date or title; a new due date restarts its clock."""
    if not by.has_perm("incidents.change_actionitem"):
        raise PermissionDenied("Your role cannot change action items.")
    item = lock(ActionItem, item.pk)
    if owner is not ...:
        item.owner = owner
    if title:
        item.title = title.strip()
    due_changed = due_date is not ... and due_date != item.due_date
    if due_changed:
        item.due_date = due_date
    item.full_clean(exclude=["state"])
    save_with_audit(item, by=by, reason="Action item changed")
    if due_changed and item.state in (ActionItemState.OPEN, ActionItemState.IN_PROGRESS):
        for clock in clocks_of(item):
            if clock.state != ClockState.STOPPED:
                clock_stop(clock=clock, by=by)
        _action_item_clock(item, by=by, at=timezone.now())
    return item


@transaction.atomic
def action_item_transition(*, item: ActionItem, by, name, reason="", at=None):
    """start, complete, or decline (won't do: reason required)."""
    # Who may move it (a responder, or its owner) is declared on the model's transitions
    # and checked by perform_transition on the locked row.
    item = lock(ActionItem, item.pk)
    at = at or timezone.now()
    if name == "decline":
        item.wont_do_reason = reason or ""
    kwargs = {"at": at} if name in ("complete", "decline") else {}
    perform_transition(item, name, by=by, reason=f"Action item: {name}", **kwargs)
    timeline_add(item.incident, TimelineKind.ACTION_ITEM,
                 f"Action item '{item.title}': {item.get_state_display().lower()}"
                 + (f" — {reason}" if reason else ""), by=by, at=at)
    if item.state in (ActionItemState.DONE, ActionItemState.WONT_DO):
        for clock in clocks_of(item):
            if clock.state != ClockState.STOPPED:
                clock_stop(clock=clock, by=by, at=at)
    return item
