"""Processing stored payloads in batches: the same result as one by one, a constant
number of statements however many duplicates, and a task queued per window, not per
payload."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import Incident
from integrations import services
from integrations.models import Alert, AlertGroup, InboundEvent
from integrations.processing import event_process, events_process_batch

from . import samples

pytestmark = pytest.mark.django_db

# New alerts, repeats, one change of state per alert, a rename, two groups: every
# branch of the one-alert path, without an alert flapping inside the batch.
SEQUENCE = [
    samples.alertmanager("firing", fingerprint="a", group_key="g1"),
    samples.alertmanager("firing", fingerprint="a", group_key="g1"),
    samples.alertmanager("firing", fingerprint="b", group_key="g1"),
    samples.alertmanager("firing", fingerprint="c", group_key="g2", severity="warning"),
    samples.alertmanager("firing", fingerprint="a", group_key="g1"),
    samples.alertmanager("resolved", fingerprint="a", group_key="g1"),
    samples.alertmanager("resolved", fingerprint="a", group_key="g1"),
    samples.alertmanager("resolved", fingerprint="b", group_key="g1"),
    samples.alertmanager("firing", fingerprint="c", group_key="g2", severity="warning"),
    samples.alertmanager("firing", fingerprint="d", group_key="g2", summary="Renamed"),
    samples.alertmanager("firing", fingerprint="d", group_key="g2", summary="Renamed again"),
]


def _store(integration, payloads):
    # intake_accept outside captured on-commit callbacks: stored, nothing processed yet.
    return [services.intake_accept(integration=integration, payload=p) for p in payloads]


def _outcome(integration):
    alerts = {a.dedup_key: (a.status, a.occurrences, a.severity, a.title)
              for a in Alert.objects.filter(integration=integration)}
    groups = {}
    for group in AlertGroup.objects.filter(integration=integration).select_related("incident"):
        incident = group.incident
        groups[group.group_key] = (
            group.status, incident.state if incident else None,
            list(incident.timeline.order_by("pk").values_list("event", flat=True))
            if incident else [])
    links = sorted(InboundEvent.alerts.through.objects.filter(
        inboundevent__integration=integration).values_list("alert__dedup_key", flat=True))
    return alerts, groups, links


def test_a_batch_ends_as_one_by_one_does(make_integration, on_call_team):
    one_by_one = make_integration(name="One by one", team=on_call_team,
                                  auto_resolve="resolve")
    batched = make_integration(name="Batched", team=on_call_team, auto_resolve="resolve")
    with time_machine.travel(datetime(2026, 12, 5, 10, tzinfo=UTC), tick=False):
        for event in _store(one_by_one, SEQUENCE):
            assert event_process(event.pk) == "processed"
        _store(batched, SEQUENCE)
        totals = events_process_batch()
    assert totals["claimed"] == totals["processed"] == len(SEQUENCE)
    assert not InboundEvent.objects.filter(status="pending").exists()
    expected = _outcome(one_by_one)
    assert _outcome(batched) == expected
    assert expected[0]["a"] == ("resolved", 5, "critical", "SIP trunk to Northwind is down")
    assert expected[0]["d"][3] == "Renamed again"
    assert expected[1]["g1"][:2] == ("resolved", "resolved")  # resolved automatically


def test_a_flap_inside_one_batch_is_counted_not_applied(make_integration, on_call_team):
    integration = make_integration(team=on_call_team, auto_resolve="contain")
    _store(integration, [samples.alertmanager("firing")])
    events_process_batch()
    incident = Incident.objects.get()
    notes = incident.timeline.count()
    # Resolved and firing again within the same batch (a storm's fraction of a second).
    _store(integration, [samples.alertmanager("resolved"), samples.alertmanager("firing")])
    assert events_process_batch()["processed"] == 2
    incident.refresh_from_db()
    assert incident.state != "contained"  # not contained and re-fired: one flap
    assert incident.timeline.count() == notes
    alert = Alert.objects.get()
    assert (alert.status, alert.occurrences) == ("firing", 3)
    assert InboundEvent.alerts.through.objects.count() == 3


def test_a_new_alert_fired_and_resolved_in_one_batch_opens_its_incident(make_integration,
                                                                         on_call_team):
    integration = make_integration("pagerduty", team=on_call_team, auto_resolve="resolve")
    _store(integration, [samples.pagerduty("trigger"), samples.pagerduty("acknowledge"),
                         samples.pagerduty("resolve")])
    events_process_batch()
    alert = Alert.objects.get()
    assert (alert.status, alert.occurrences, alert.title) == (
        "resolved", 3, "IVR main menu not answering")
    assert Incident.objects.get().state == "resolved"


def _duplicates(n):
    return [samples.alertmanager("firing", fingerprint=f"fp-{i % 2}", group_key=f"g{i % 4}")
            for i in range(n)]


def test_duplicates_cost_the_same_statements_however_many(make_integration, on_call_team):
    integration = make_integration(team=on_call_team)
    # Known alerts with their incidents first: what follows are plain duplicates.
    _store(integration, _duplicates(8))
    events_process_batch()
    counts = []
    for n in (20, 200):
        _store(integration, _duplicates(n))
        with CaptureQueriesContext(connection) as queries:
            assert events_process_batch()["processed"] == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 15, counts  # was about ten statements per payload
    occurrences = dict(Alert.objects.values_list("dedup_key", "occurrences"))
    assert occurrences == {"fp-0": 4 + 10 + 100, "fp-1": 4 + 10 + 100}
    # An alert stays in the group it was first seen in: two groups hold the alerts.
    assert Incident.objects.count() == 2


def _stored_raw(integration, payload, like):
    # Stored by an older format's rules (validation runs in the request only).
    return InboundEvent.objects.create(integration=integration, received_at=like.received_at,
                                       payload=payload, process_due_at=like.process_due_at)


def test_an_unreadable_payload_fails_alone(make_integration):
    integration = make_integration()
    good = _store(integration, [samples.alertmanager()])[0]
    unreadable = samples.alertmanager()
    unreadable["alerts"][0]["startsAt"] = "yesterday"
    bad = _stored_raw(integration, unreadable, good)
    totals = events_process_batch()
    assert (totals["processed"], totals["failed"]) == (1, 1)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (good.status, bad.status) == ("processed", "failed")
    assert bad.process_due_at is None and "Unreadable" in bad.error


def test_a_batch_that_breaks_is_processed_one_by_one(make_integration):
    integration = make_integration()
    good = _store(integration, [samples.alertmanager()])[0]
    broken = _stored_raw(integration, {"alerts": "not a list"}, good)
    totals = events_process_batch()
    assert (totals["processed"], totals["retry"]) == (1, 1)
    good.refresh_from_db()
    broken.refresh_from_db()
    assert good.status == "processed" and Alert.objects.get().occurrences == 1
    assert (broken.status, broken.attempts) == ("pending", 1)
    assert broken.process_due_at > good.received_at and "AttributeError" in broken.error


def test_retries_wait_for_their_backoff_and_the_sweep(make_integration):
    integration = make_integration()
    event = _store(integration, [samples.alertmanager()])[0]
    InboundEvent.objects.filter(pk=event.pk).update(attempts=1)
    assert events_process_batch() == {}
    event.refresh_from_db()
    assert event.status == "pending"


def test_one_task_per_window_not_one_per_payload():
    cache.clear()
    with time_machine.travel(datetime(2026, 12, 5, 10, tzinfo=UTC), tick=False) as clock:
        slots = [services.batch_slot(1.0) for _ in range(50)]
        assert slots[:2] == ["now", "later"]
        assert set(slots[2:]) == {None}  # both queued tasks start after these commits
        clock.shift(timedelta(seconds=1.5))
        assert services.batch_slot(1.0) == "now"
