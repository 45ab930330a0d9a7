"""Many stored payloads at once (the task's path).

Most payloads in an
alert storm repeat an alert already known in the same state (90 % in the benchmark).
A batch claims up to ``BATCH_SIZE`` fresh payloads ``FOR UPDATE SKIP LOCKED``, locks
every alert group they name at once (in key order, so two workers cannot deadlock),
reads their alerts in one query, and walks the payloads in arrival order: a *plain
duplicate* (same status, nothing changed, nothing for its group or incident to do) is
only counted; anything else goes through :func:`.alerts.alert_apply`, the one-alert path
(:mod:`.alerts`), under the same locks. Within a batch only an alert's latest state is applied
(its first payload too, if it is new): the payloads before it are counted, so a
resolve and re-fire a fraction of a second apart are one flap, not two incident
transitions. Counts are then written with one UPDATE per distinct
increment, the payload → alert links with one INSERT, and the payloads marked
processed with one UPDATE. If anything in a batch fails, the batch is rolled back to
its savepoint and its payloads are processed one by one, each with its own retry
bookkeeping, exactly as before.
"""

import logging
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..choices import AlertStatus, EventStatus
from ..formats import NormalisedAlert, PayloadInvalid, normalise
from ..models import Alert, AlertGroup, InboundEvent
from .alerts import (
    Deferred,
    _changes,
    _failed,
    _lock_pending,
    alert_apply,
    process_locked_event,
    system_user_cached,
)

logger = logging.getLogger(__name__)

# Payloads claimed per batch: big enough that a storm costs a few statements per
# hundred payloads, small enough that a batch's locks are held well under a second.
BATCH_SIZE = 200


def events_process_batch(*, limit=BATCH_SIZE, now=None) -> Counter:
    """Claim up to ``limit`` fresh pending payloads and process them together.

    Only payloads never tried (``attempts == 0``) are claimed, oldest first through the
    ``process_due_at`` index; retries wait for their backoff and the sweep. Returns the
    outcomes (``processed``, ``failed``, ``retry``) and ``claimed``.
    """
    now = now or timezone.now()
    totals = Counter()
    with transaction.atomic():
        events = list(_lock_pending(
            InboundEvent.objects.filter(status=EventStatus.PENDING, attempts=0,
                                        process_due_at__isnull=False)
            .select_related("integration").order_by("process_due_at", "pk"))[:limit])
        if not events:
            return totals
        totals["claimed"] = len(events)
        with system_user_cached():
            try:
                with transaction.atomic():
                    totals.update(_process_together(events, now=now))
            except Exception:
                # Which payload broke it is not known here: one by one, each with its own
                # savepoint and retry bookkeeping (the single-payload path).
                logger.warning("A batch of %s inbound events failed; processing them one "
                               "by one", len(events), exc_info=True)
                for event in events:
                    totals[process_locked_event(event, now=now)] += 1
    return totals


def _process_together(events, *, now) -> Counter:
    totals = Counter()
    parsed = []
    for event in events:
        try:
            parsed.append((event, normalise(event.integration, event.payload,
                                            event_id=event.pk)))
        except PayloadInvalid as exc:
            totals[_failed(event, f"Unreadable payload: {exc}", now=now, final=True)] += 1
    groups = _lock_groups(parsed, at=now)
    by_key = {(group.integration_id, group.group_key): group for group in groups.values()}
    alerts = _known_alerts(parsed)
    # Alert id → payloads only counted in this batch, and the payload → alert links:
    # written once at the end, for every payload, by the one-alert path's too.
    deferred = Deferred()
    counted, links = deferred.counted, deferred.links
    link = InboundEvent.alerts.through

    def count(alert, entries):
        counted[alert.pk] += len(entries)
        links.extend(link(inboundevent_id=event.pk, alert_id=alert.pk) for event, _ in entries)

    def apply(key, event, normalised):
        # The one-alert path, under the locks this batch holds, given the group and the
        # alert as this batch holds them: it changes them in place, so they stay current
        # without reading them again.
        alert = alert_apply(event=event, normalised=normalised, at=now, deferred=deferred,
                            group=by_key.get((event.integration_id, normalised.group_key)),
                            known=alerts.get(key))
        alerts[key] = alert
        # The alert's own group (another than the payload's, for an alert that changed
        # group keys) was read afresh under its lock: that copy is now the current one.
        group = alert.group
        groups[group.pk] = by_key[(group.integration_id, group.group_key)] = group

    for _position, key, entries in _coalesced(parsed, alerts):
        alert = alerts.get(key)
        if alert is None:  # new: its first payload creates it (and may declare)
            apply(key, *entries[0])
            continue
        event, last = entries[-1]
        group = groups.get(alert.group_id)
        if group is not None and _plain_duplicate(alert, group, last):
            count(alert, entries)
            continue
        count(alert, entries[:-1])
        apply(key, event, last)
    by_increment = defaultdict(list)
    for alert_id, increment in counted.items():
        by_increment[increment].append(alert_id)
    for increment, ids in by_increment.items():
        # Bookkeeping, as in _update_duplicate: no history row per duplicate.
        Alert.objects.filter(pk__in=ids).update(occurrences=F("occurrences") + increment,
                                                last_seen_at=now)
    link.objects.bulk_create(links, ignore_conflicts=True)
    done = [event.pk for event, _ in parsed]
    InboundEvent.objects.filter(pk__in=done).update(
        status=EventStatus.PROCESSED, processed_at=now, process_due_at=None,
        attempts=F("attempts") + 1, error="")
    totals["processed"] += len(done)
    return totals


def _coalesced(parsed, alerts):
    """The batch's work, alert by alert, in arrival order: a new alert's first payload
    on its own (it creates the alert and may open the incident), then the alert's other
    payloads together, at the position of the last — only the latest state matters;
    the ones before it are counted. A resolve and a re-fire within one batch (under a
    second apart in a storm) are one flap, not an incident contained and re-fired."""
    by_alert = defaultdict(list)
    position = 0
    for event, found in parsed:
        for normalised in found:
            key = (event.integration_id, normalised.dedup_key)
            by_alert[key].append((position, event, normalised))
            position += 1
    work = []
    for key, entries in by_alert.items():
        if key not in alerts:
            first, *entries = entries
            work.append((first[0], key, [first[1:]]))
        if entries:
            work.append((entries[-1][0], key, [entry[1:] for entry in entries]))
    work.sort(key=lambda item: item[0])
    return work


def _by_integration(pairs, field):
    """``(integration id, value)`` pairs as one OR of ``field__in`` per integration."""
    values = defaultdict(set)
    for integration_id, value in pairs:
        values[integration_id].add(value)
    condition = Q(pk__in=[])
    for integration_id, found in values.items():
        condition |= Q(integration_id=integration_id, **{f"{field}__in": sorted(found)})
    return condition


def _lock_groups(parsed, *, at) -> dict:
    """Every group the batch names, created if new, then locked — all in (integration,
    key) order, the one order every worker takes them in, so two batches wait for each
    other instead of deadlocking. Returns them by id."""
    first = {}
    for event, found in parsed:
        for normalised in found:
            first.setdefault((event.integration_id, normalised.group_key), normalised)
    if not first:
        return {}
    existing = set(AlertGroup.objects.filter(_by_integration(first, "group_key"))
                   .values_list("integration_id", "group_key"))
    for integration_id, group_key in sorted(set(first) - existing):
        normalised = first[(integration_id, group_key)]
        # New groups are rare (a new alert rule): get_or_create as the one-alert path
        # does, so a group another worker is creating right now is waited for, not
        # duplicated.
        AlertGroup.objects.get_or_create(
            integration_id=integration_id, group_key=group_key,
            defaults={"title": normalised.group_title, "first_fired_at": at,
                      "last_fired_at": at, "status": normalised.status})
    locked = AlertGroup.objects.select_for_update().filter(
        _by_integration(first, "group_key")).order_by("integration_id", "group_key")
    return {group.pk: group for group in locked}


def _known_alerts(parsed) -> dict:
    keys = {(event.integration_id, normalised.dedup_key)
            for event, found in parsed for normalised in found}
    if not keys:
        return {}
    # Read after the groups are locked: every earlier writer of these groups committed.
    return {(alert.integration_id, alert.dedup_key): alert
            for alert in Alert.objects.filter(_by_integration(keys, "dedup_key"))}


def _plain_duplicate(alert, group, n: NormalisedAlert) -> bool:
    """True when the one-alert path would only count this repeat: the same status,
    nothing new about the alert, and nothing for its group or incident to do (exactly
    the conditions under which alert_apply writes nothing but the counter)."""
    if alert.status != n.status or _changes(alert, n):
        return False
    if n.status != AlertStatus.RESOLVED and group.incident_id is None:
        return False  # firing with no incident yet: declaring is due
    if group.source_started_at is None and n.started_at:
        return False
    if n.status == AlertStatus.RESOLVED and n.ended_at and group.source_ended_at != n.ended_at:
        return False
    seen = set(group.seen_updates or [])
    return not (group.incident_id and any(u.key not in seen for u in n.updates))
