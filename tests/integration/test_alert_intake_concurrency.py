"""Concurrent duplicates on PostgreSQL: exactly one incident per alert group.

Several workers processing payloads of the same group at the same moment must not
declare several incidents: the group row is created through its unique constraint and
locked FOR UPDATE before anyone declares, so the others wait and then find the
incident the first one declared.
"""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from incidents.models import Incident
from integrations import services
from integrations.models import Alert, AlertGroup, InboundEvent
from integrations.processing import event_process
from tests.integrations import samples

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREADS = 8


def _stored(integration, payload):
    # The row as the endpoint stores it; processing is what the threads race on.
    return InboundEvent.objects.create(integration=integration, received_at=timezone.now(),
                                       payload=payload, process_due_at=timezone.now())


def _race(event_ids):
    barrier = threading.Barrier(len(event_ids))
    results, errors = [], []

    def work(event_id):
        try:
            barrier.wait(timeout=30)
            results.append(event_process(event_id))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(pk,)) for pk in event_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_concurrent_duplicates_open_exactly_one_incident(manager):
    assert connection.vendor == "postgresql"
    integration, _ = services.integration_create(by=manager, name="Prometheus",
                                                 kind="alertmanager")
    # Same group key; half the same fingerprint (duplicates), half other alerts of it.
    events = [_stored(integration, samples.alertmanager(fingerprint=f"fp-{n % 2}"))
              for n in range(THREADS)]
    results, errors = _race([e.pk for e in events])
    assert not errors, errors
    assert sorted(results) == ["processed"] * THREADS
    assert Incident.objects.count() == 1
    assert AlertGroup.objects.count() == 1
    assert AlertGroup.objects.get().incident == Incident.objects.get()
    assert sorted(Alert.objects.values_list("occurrences", flat=True)) == [THREADS // 2] * 2


def test_concurrent_duplicates_of_an_existing_group_open_exactly_one_incident(manager):
    """The group row exists already (it resolved before it ever fired), so every worker
    waits on its lock rather than on the unique constraint: the one after the declarer
    must see the incident declared while it waited."""
    integration, _ = services.integration_create(by=manager, name="Prometheus",
                                                 kind="alertmanager")
    first = _stored(integration, samples.alertmanager("resolved", fingerprint="fp-0"))
    assert event_process(first.pk) == "processed"
    assert AlertGroup.objects.get().incident is None
    events = [_stored(integration, samples.alertmanager(fingerprint=f"fp-{n % 2}"))
              for n in range(THREADS)]
    results, errors = _race([e.pk for e in events])
    assert not errors, errors
    assert Incident.objects.count() == 1
    assert sum(Alert.objects.values_list("occurrences", flat=True)) == THREADS + 1


def test_concurrent_groups_each_open_their_own(manager):
    integration, _ = services.integration_create(by=manager, name="Prometheus",
                                                 kind="alertmanager")
    events = [_stored(integration, samples.alertmanager(group_key=f"g{n % 3}",
                                                        fingerprint=f"fp-{n % 3}"))
              for n in range(9)]
    results, errors = _race([e.pk for e in events])
    assert not errors, errors
    assert Incident.objects.count() == 3


def test_the_same_event_processed_twice_at_once_counts_once(manager):
    integration, _ = services.integration_create(by=manager, name="Prometheus",
                                                 kind="alertmanager")
    event = _stored(integration, samples.alertmanager())
    results, errors = _race([event.pk] * 4)
    assert not errors, errors
    assert results.count("processed") == 1
    assert Alert.objects.get().occurrences == 1
