"""From a stored payload to alerts, groups and incidents (run by the task and the sweep).

Per alert, under the lock of its group's row:

* **deduplicate** — one :class:`Alert` per (integration, dedup key); a repeat with the
  same status only counts (``occurrences``), a change of status is recorded;
* **group** — one :class:`AlertGroup` per group key, and one incident per group: the
  group row is created through its unique constraint and locked ``FOR UPDATE`` before
  anyone declares, so concurrent duplicates (two workers, two payloads) wait for each
  other and the second finds the incident the first declared;
* **declare** through ``incidents.services.incident_declare`` as the system actor, so
  reference, clocks, playbooks and paging are the same as for a person's declaration;
* **auto-contain / auto-resolve** when every alert of the group resolved (never close);
* **flapping** — firing again within the flap window after the incident was resolved
  reopens it (the incident FSM allows resolved/post-mortem → triaged); a contained
  incident cannot go back to triaged, so a re-fire is written on its timeline instead.

The task's path runs many payloads at once: :mod:`integrations.processing.batches`.
"""

import contextlib
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from core import work_items
from core.audit import save_with_audit, system_user
from core.registry import apply_form_extensions
from incidents.choices import DeclaredVia, IncidentState, TimelineKind
from incidents.models import Incident, Severity
from incidents.services import (
    incident_contain,
    incident_declare,
    incident_reopen,
    incident_resolve,
    incident_triage,
)

from .. import timeline
from ..choices import (
    SEVERITY_RANK,
    AlertStatus,
    AutoResolvePolicy,
    EventStatus,
)
from ..formats import NormalisedAlert, PayloadInvalid, normalise
from ..models import Alert, AlertGroup, InboundEvent, Integration

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
S = IncidentState
# Where the incident can still take alerts without reopening.
OPEN_FOR_ALERTS = (S.DECLARED, S.TRIAGED, S.CONTAINED)


_actor = threading.local()


def _system():
    """The system user: looked up once per batch (or sweep), not once per alert — it
    was a query on every call. Not cached for the process's life: a test run's flush
    recreates it under another id, and one query per batch is already noise."""
    user = getattr(_actor, "user", None)
    return user if user is not None else system_user()


@contextlib.contextmanager
def system_user_cached():
    outer = getattr(_actor, "user", None)
    _actor.user = outer or system_user()
    try:
        yield _actor.user
    finally:
        _actor.user = outer


def _lock_pending(queryset):
    if connection.features.has_select_for_update_skip_locked:
        # A row the sweep (or another worker) holds is theirs: skip it, don't wait.
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def event_process(event_id: int, *, now=None) -> str:
    """Process one stored payload if it is still pending: "processed", "failed",
    "retry" or "skipped" (done already, or another worker holds it)."""
    with transaction.atomic():
        event = _lock_pending(InboundEvent.objects.select_related("integration").filter(
            pk=event_id, status=EventStatus.PENDING)).first()
        if event is None:
            return "skipped"
        with system_user_cached():
            return process_locked_event(event, now=now)


def process_locked_event(event: InboundEvent, *, now=None) -> str:
    """The work on a locked, pending event (the sweep calls this on the rows it holds)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            for alert in normalise(event.integration, event.payload, event_id=event.pk):
                alert_apply(event=event, normalised=alert, at=now)
    except PayloadInvalid as exc:
        # Validated before it was stored, so only a format change gets here: no retry.
        return _failed(event, f"Unreadable payload: {exc}", now=now, final=True)
    except Exception as exc:
        logger.exception("Processing inbound event %s failed", event.pk)
        return _failed(event, f"{type(exc).__name__}: {exc}", now=now,
                       final=event.attempts + 1 >= MAX_ATTEMPTS)
    event.status = EventStatus.PROCESSED
    event.processed_at = now
    event.process_due_at = None
    event.attempts += 1
    event.error = ""
    event.save(update_fields=["status", "processed_at", "process_due_at", "attempts", "error"])
    return "processed"


def _failed(event, message, *, now, final):
    event.attempts += 1
    event.error = message[:2000]
    if final:
        event.status = EventStatus.FAILED
        event.process_due_at = None
    else:  # back off: 2, 4, 8 … minutes
        event.process_due_at = now + timedelta(minutes=2 ** event.attempts)
    event.save(update_fields=["status", "process_due_at", "attempts", "error"])
    # Bookkeeping shown on the integration's page, not a change anyone made: no history.
    Integration.objects.filter(pk=event.integration_id).update(last_error=message[:2000],
                                                               last_error_at=now)
    return "failed" if final else "retry"


# --- One alert ---------------------------------------------------------------------------


def _locked_group(integration, normalised: NormalisedAlert, at) -> AlertGroup:
    # get_or_create inserts through the unique constraint (and, losing the race, reads
    # the winner's row); FOR UPDATE then makes every writer of this group wait its turn.
    AlertGroup.objects.get_or_create(
        integration=integration, group_key=normalised.group_key,
        defaults={"title": normalised.group_title, "first_fired_at": at, "last_fired_at": at,
                  "status": normalised.status})
    # No select_related("incident") here: after waiting for the lock, PostgreSQL hands
    # back the group's newest version but joins it with rows as the statement's snapshot
    # saw them — an incident declared by the lock's previous holder would read as None,
    # and a second incident would be declared. ``group.incident`` is read afterwards, by
    # a query of its own.
    return AlertGroup.objects.select_for_update().get(integration=integration,
                                                      group_key=normalised.group_key)


# ``alert_apply(known=...)`` when the caller has not looked the alert up.
LOOK_UP = object()


@dataclass
class Deferred:
    """Writes a batch makes once for all its payloads instead of once per alert: the
    payload → alert links (one INSERT) and the repeats counted (one UPDATE per
    increment)."""

    links: list = field(default_factory=list)
    counted: dict = field(default_factory=lambda: defaultdict(int))


def alert_apply(*, event: InboundEvent, normalised: NormalisedAlert, at, group=None,
                known=LOOK_UP, deferred: Deferred | None = None) -> Alert:
    """Deduplicate one normalised alert, group it, and move its incident.

    A batch passes what it holds already: ``group``, the alert group of
    ``normalised.group_key``, locked by it and current (it is changed in place);
    ``known``, the alert as read under that lock (None: there was none); and
    ``deferred``, where the link and the count go instead of a statement each."""
    integration = event.integration
    if group is None:
        group = _locked_group(integration, normalised, at)
    else:
        # The group row is ours (locked) but its incident is not: read it again when
        # needed, as a group read afresh would — a person may have moved it meanwhile.
        descriptor = AlertGroup.incident.field
        if descriptor.is_cached(group):
            descriptor.delete_cached_value(group)
    alert = (Alert.objects.filter(integration=integration, dedup_key=normalised.dedup_key)
             .first() if known is LOOK_UP else known)
    previous = alert.status if alert else None
    if alert is None:
        try:
            with transaction.atomic():
                fields = _alert_fields(normalised)
                fields["severity"] = fields["severity"] or integration.default_severity
                fields["title"] = fields["title"] or normalised.group_title
                alert = Alert(integration=integration, group=group, first_seen_at=at,
                              last_seen_at=at, is_test=event.is_test, **fields)
                save_with_audit(alert, by=_system(), reason=f"Received from {integration}")
        except IntegrityError:
            # Another group's lock let a twin through first (same dedup key, another
            # group key): it is a duplicate of that one.
            alert = Alert.objects.get(integration=integration, dedup_key=normalised.dedup_key)
            previous = alert.status
    alert.integration = integration
    if previous is not None:
        _update_duplicate(alert, normalised, at, deferred=deferred)
    if deferred is None:
        event.alerts.add(alert)
    else:
        deferred.links.append(InboundEvent.alerts.through(inboundevent_id=event.pk,
                                                          alert_id=alert.pk))
    if alert.group_id != group.pk:
        group = AlertGroup.objects.select_for_update().get(pk=alert.group_id)
    if group.integration_id == integration.pk:
        group.integration = integration  # the event's, already read: no query for it
    alert.group = group
    _move_group(group, alert, normalised, previous=previous, at=at)
    return alert


def _alert_fields(n: NormalisedAlert) -> dict:
    return {"dedup_key": n.dedup_key, "source": n.source[:200], "status": n.status,
            "severity": n.severity, "source_severity": n.source_severity[:60],
            "title": n.title, "description": n.description, "labels": n.labels,
            "links": n.links, "started_at": n.started_at, "ended_at": n.ended_at}


def _changes(alert, n: NormalisedAlert) -> dict:
    """What the source says differently about a known alert (an empty value says
    nothing: a resolve without a title keeps the title)."""
    return {name: value for name, value in _alert_fields(n).items()
            if getattr(alert, name) != value and not (value in (None, "", {}, [])
                                                      and name != "status")}


def _update_duplicate(alert, n: NormalisedAlert, at, *, deferred=None):
    # Counting a repeat is bookkeeping (a compare-free counter): no history row per
    # duplicate, which at hundreds a second would be most of the database.
    if deferred is None:
        Alert.objects.filter(pk=alert.pk).update(occurrences=F("occurrences") + 1,
                                                 last_seen_at=at)
    else:
        deferred.counted[alert.pk] += 1
    changed = _changes(alert, n)
    if changed:
        for name, value in changed.items():
            setattr(alert, name, value)
        reason = (f"The source says {n.status}" if "status" in changed
                  else "Updated by the source")
        # Only what changed: a full save would write back the occurrences counted above
        # (and by other workers) with the value this object was read with.
        save_with_audit(alert, by=_system(), reason=reason, update_fields=list(changed))


def _params(integration, alert, note=""):
    return {"integration": integration.name, "title": alert.title, "alert": alert.pk,
            "severity": alert.get_severity_display(), "note": note}


def _note(incident, code, params, at):
    work_items.timeline_add(incident, TimelineKind.NOTE, event=code, params=params,
                            by=_system(), at=at)


GROUP_FIELDS = ("incident_id", "status", "last_fired_at", "resolved_at", "source_started_at",
                "source_ended_at", "seen_updates")


def _move_group(group, alert, n: NormalisedAlert, *, previous, at):
    integration = alert.integration
    before = [getattr(group, name) for name in GROUP_FIELDS]
    if group.source_started_at is None and n.started_at:
        group.source_started_at = n.started_at
    if n.status == AlertStatus.RESOLVED and n.ended_at:
        group.source_ended_at = n.ended_at
    if n.status in (AlertStatus.FIRING, AlertStatus.ACKNOWLEDGED):
        if previous in (None, AlertStatus.RESOLVED) or group.incident is None:
            _fired(group, alert, n, at=at, again=previous == AlertStatus.RESOLVED)
        elif n.status == AlertStatus.ACKNOWLEDGED and previous != AlertStatus.ACKNOWLEDGED:
            if group.incident:
                _note(group.incident, timeline.ALERT_ACKNOWLEDGED,
                      _params(integration, alert), at)
            group.status = AlertStatus.ACKNOWLEDGED
    elif previous != AlertStatus.RESOLVED:
        _resolved(group, alert, at=at, first_seen=previous is None)
    _write_updates(group, n, at)
    if before != [getattr(group, name) for name in GROUP_FIELDS]:
        # A plain duplicate changes nothing here: no write, no history row.
        save_with_audit(group, by=_system(), reason=f"{integration}: {n.status}")


def _fired(group, alert, n, *, at, again):
    integration = alert.integration
    incident = group.incident
    group.status = n.status
    group.last_fired_at = at
    if incident is not None and incident.state in OPEN_FOR_ALERTS:
        code = timeline.ALERT_REFIRED if again else timeline.ALERT_FIRED
        note = ("The incident is contained: it stays contained (an incident cannot go "
                "back from contained), check the workaround." if again
                and incident.state == S.CONTAINED else "")
        if again or alert.group_id == group.pk and group.alerts.count() > 1:
            _note(incident, code, _params(integration, alert, note), at)
        group.resolved_at = None
        return
    flapping = (incident is not None and incident.state in (S.RESOLVED, S.POSTMORTEM)
                and group.resolved_at is not None
                and at - group.resolved_at <= integration.flap_window)
    if flapping:
        system = _system()
        incident_reopen(incident=incident, by=system,
                        reason=f"{integration}: the alert fired again within "
                               f"{_minutes(integration.flap_window)} of resolving")
        _note(incident, timeline.ALERT_REFIRED,
              _params(integration, alert, "The incident was reopened."), at)
        group.incident = Incident.objects.get(pk=incident.pk)
        group.resolved_at = None
        return
    group.incident = _declare(group, alert, n, at=at)
    group.resolved_at = None
    group.source_ended_at = None
    group.seen_updates = []


def _minutes(delta):
    return f"{int(delta.total_seconds() // 60)} min"


def incident_severity(severity: str) -> Severity | None:
    """The incident severity of the normalised one's rank (critical → rank 1), or the
    nearest less severe that exists."""
    rank = SEVERITY_RANK.get(severity, 3)
    found = Severity.objects.filter(rank__gte=rank).order_by("rank").first()
    return found or Severity.objects.order_by("-rank").first()


def _declare(group, alert, n, *, at):
    integration = alert.integration
    system = _system()
    team = integration.team
    incident = incident_declare(
        by=system, title=group.title or alert.title, severity=incident_severity(alert.severity),
        summary=alert.description,
        channels=[integration.channel] if integration.channel_id else [],
        commander=team.lead if team is not None and team.lead_id else None,
        affected_services=", ".join(v for k, v in alert.labels.items()
                                    if k in ("service", "job", "component"))[:500],
        via=DeclaredVia.SYSTEM)
    if integration.vendor_id:
        # The vendors app's own "affected vendors" input of declaring (a FormExtension):
        # the attribution is the same as a person naming the vendor.
        apply_form_extensions("incidents.declare", incident,
                              {"vendors.affected_vendors": {
                                  "affected_vendors": [integration.vendor]}}, by=system)
    _note(incident, timeline.ALERT_OPENED, _params(integration, alert), at)
    return incident


def _resolved(group, alert, *, at, first_seen):
    integration = alert.integration
    still_firing = group.alerts.exclude(pk=alert.pk).exclude(
        status=AlertStatus.RESOLVED).exists()
    if still_firing:
        return
    group.status = AlertStatus.RESOLVED
    group.resolved_at = at
    incident = group.incident
    if incident is None:
        return  # resolved before it ever fired here: nothing to open
    note = _apply_policy(incident, integration, alert, at=at)
    _note(incident, timeline.ALERT_RESOLVED, _params(integration, alert, note), at)
    group.incident = Incident.objects.get(pk=incident.pk)


def _apply_policy(incident, integration, alert, *, at) -> str:
    policy = integration.auto_resolve
    if policy == AutoResolvePolicy.NONE:
        return ""
    incident = Incident.objects.get(pk=incident.pk)
    want = S.CONTAINED if policy == AutoResolvePolicy.CONTAIN else S.RESOLVED
    done = (S.CONTAINED, S.RESOLVED, S.POSTMORTEM, S.CLOSED, S.CANCELLED) \
        if want == S.CONTAINED else (S.RESOLVED, S.POSTMORTEM, S.CLOSED, S.CANCELLED)
    if incident.state in done:
        return ""
    system = _system()
    summary = f"{integration}: the source reports the alert resolved ({alert.title})."
    if incident.state == S.DECLARED:
        if incident.commander_id is None or incident.severity_id is None:
            return ("It was not " + ("contained" if want == S.CONTAINED else "resolved")
                    + " automatically: it awaits triage (no commander).")
        incident = incident_triage(incident=incident, by=system)
    if want == S.CONTAINED:
        incident_contain(incident=incident, by=system, summary=summary)
        return "The incident was contained automatically."
    incident_resolve(incident=incident, by=system, summary=summary)
    return "The incident was resolved automatically."


def _write_updates(group, n: NormalisedAlert, at):
    """A vendor's status page updates, each once, on the incident's timeline."""
    if not n.updates or group.incident is None:
        return
    integration = group.integration
    vendor = integration.vendor.name if integration.vendor_id else integration.name
    seen = set(group.seen_updates or [])
    for update in n.updates:
        if update.key in seen:
            continue
        _note(group.incident, timeline.VENDOR_STATUS_UPDATE,
              {"vendor": vendor, "body": update.body[:4000], "status": update.status},
              update.at or at)
        seen.add(update.key)
        group.seen_updates = [*(group.seen_updates or []), update.key]
