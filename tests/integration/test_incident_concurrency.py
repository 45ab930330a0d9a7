"""Two people contain the same incident at the same moment, on PostgreSQL.

The service locks the incident row (SELECT … FOR UPDATE) before checking the state,
so the second caller waits for the first to commit, then reads state 'contained'
and is refused: one transition, one history entry, one timeline line.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from rest_framework.test import APIClient

from core.choices import ClockEventKind, Role
from core.clocks import clocks_of
from core.exceptions import TransitionNotAllowed
from core.models import SlaClockEvent
from incidents import services
from incidents.choices import IncidentState, TimelineKind
from incidents.clock_kinds import CONTAINMENT_CLOCK
from incidents.models import Incident, Severity

pytestmark = pytest.mark.integration

User = get_user_model()


def run_together(*targets):
    """Run each target in its own thread, released together by a barrier; each thread
    has its own database connection (a real concurrent PostgreSQL session).
    Returns each target's result or the exception it raised, in order."""
    barrier = threading.Barrier(len(targets))
    outcomes = [None] * len(targets)

    def worker(index, target):
        try:
            barrier.wait()
            outcomes[index] = target()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting"
    return outcomes


@pytest.fixture
def people_and_incident(make_user):
    assert connection.vendor == "postgresql"
    alice = make_user(Role.INCIDENT_RESPONDER, username="alice")
    bob = make_user(Role.INCIDENT_RESPONDER, username="bob")
    incident = services.incident_declare(by=alice, title="Chat widget not loading",
                                         severity=Severity.objects.get(key="SEV2"))
    incident = services.incident_triage(incident=incident, by=alice, commander=alice)
    return alice, bob, incident


def assert_contained_exactly_once(incident):
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.state == IncidentState.CONTAINED
    assert incident.history.filter(history_change_reason="Contained").count() == 1
    lines = incident.timeline.filter(kind=TimelineKind.TRANSITION,
                                     text__startswith="Contained:")
    assert lines.count() == 1
    containment = [c for c in clocks_of(incident) if c.kind == CONTAINMENT_CLOCK]
    assert len(containment) == 1
    assert SlaClockEvent.objects.filter(clock=containment[0],
                                        kind=ClockEventKind.STOPPED).count() == 1
    return stored, lines.get()


@pytest.mark.django_db(transaction=True)
def test_two_people_contain_at_once_through_the_service(people_and_incident):
    alice, bob, incident = people_and_incident

    def contain(user, summary):
        # Each thread reads its own copies, as two web requests would.
        return lambda: services.incident_contain(
            incident=Incident.objects.get(pk=incident.pk), by=User.objects.get(pk=user.pk),
            summary=summary)

    outcomes = run_together(contain(alice, "Backup widget on (Alice)"),
                            contain(bob, "Backup widget on (Bob)"))

    winners = [o for o in outcomes if isinstance(o, Incident)]
    losers = [o for o in outcomes if isinstance(o, TransitionNotAllowed)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    assert losers[0].current_state == IncidentState.CONTAINED
    assert losers[0].transition == "contain"
    stored, line = assert_contained_exactly_once(incident)
    # The winner's summary is the one kept and the one on the timeline.
    assert stored.containment_summary == winners[0].containment_summary
    assert line.text == f"Contained: {winners[0].containment_summary}"


@pytest.mark.django_db(transaction=True)
def test_two_people_contain_at_once_through_the_api(people_and_incident):
    alice, bob, incident = people_and_incident
    path = f"/api/incidents/{incident.pk}/contain/"

    def contain(user, summary):
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user.pk))
        return lambda: client.post(path, {"containment_summary": summary}, format="json")

    responses = run_together(contain(alice, "Backup widget on (Alice)"),
                             contain(bob, "Backup widget on (Bob)"))

    assert sorted(r.status_code for r in responses) == [200, 409], responses
    refused = next(r for r in responses if r.status_code == 409).json()
    assert refused["code"] == "transition_not_allowed"
    assert refused["current_state"] == IncidentState.CONTAINED
    assert "contain" not in refused["allowed_transitions"]
    assert_contained_exactly_once(incident)
