"""Demo incidents: months of believable history across every state, severity and
channel, built through the services; a second run changes nothing."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from incidents.choices import (
    ActionItemState,
    Audience,
    IncidentState,
    PostMortemState,
    TimelineKind,
)
from incidents.demo import seed_incidents
from incidents.models import (
    ActionItem,
    Channel,
    Incident,
    PostMortem,
    Severity,
    StatusUpdate,
    TimelineEvent,
)
from incidents.selectors import incident_metrics

pytestmark = pytest.mark.django_db


def snapshot():
    return (Incident.objects.count(), TimelineEvent.objects.count(),
            StatusUpdate.objects.count(), PostMortem.objects.count(),
            ActionItem.objects.count(), Incident.history.count())


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (it takes seconds), in a transaction rolled back at the
    end so other modules start from an empty database."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        now = timezone.now()
        call_command("seed_demo", "--force", stdout=io.StringIO())
        first = snapshot()
        yield {"now": now, "first": first}
        transaction.set_rollback(True)


def test_seed_covers_every_state_severity_and_channel(seeded):
    assert 110 <= Incident.objects.count() <= 135
    states = set(Incident.objects.values_list("state", flat=True))
    assert states == set(IncidentState.values)
    used = Incident.objects.values_list("severity__key", flat=True).distinct()
    assert set(Severity.objects.values_list("key", flat=True)) <= set(used)
    assert not Channel.objects.annotate(n=Count("incidents")).filter(n=0).exists()


def test_history_spans_six_months_and_never_the_future(seeded):
    now = seeded["now"]
    earliest = Incident.objects.order_by("declared_at").first().declared_at
    assert now - timedelta(days=190) < earliest < now - timedelta(days=150)
    assert not TimelineEvent.objects.filter(at__gt=timezone.now()).exists()
    assert not StatusUpdate.objects.filter(posted_at__gt=timezone.now()).exists()
    # Months of metrics, in the database.
    assert len(incident_metrics().by_month) >= 6


def test_incidents_read_like_a_contact_center(seeded):
    titles = set(Incident.objects.values_list("title", flat=True))
    for expected in ["Carrier SIP trunk failure dropping inbound calls",
                     "Chatbot looping on \"talk to agent\"", "SMS gateway delays"]:
        assert any(expected in title for title in titles), expected
    closed = Incident.objects.filter(state=IncidentState.CLOSED, severity__key="SEV1").first()
    kinds = set(closed.timeline.values_list("kind", flat=True))
    assert {TimelineKind.DECLARED, TimelineKind.TRANSITION, TimelineKind.STATUS_UPDATE,
            TimelineKind.POSTMORTEM, TimelineKind.ACTION_ITEM} <= kinds
    assert closed.customer_impact and closed.contacts_affected
    postmortem = closed.postmortem
    assert postmortem.state == PostMortemState.PUBLISHED
    assert postmortem.root_cause and len(postmortem.five_whys.splitlines()) == 5
    assert closed.action_items.exists()
    assert not closed.action_items.filter(owner__isnull=True).exists()
    assert set(StatusUpdate.objects.values_list("audience", flat=True)) == set(Audience.values)
    assert set(ActionItem.objects.values_list("state", flat=True)) == set(
        ActionItemState.values)
    assert TimelineEvent.objects.filter(text__startswith="Reopened").exists()
    assert Incident.objects.filter(duplicate_of__isnull=False,
                                   state=IncidentState.CANCELLED).exists()
    # The live ones carry the approved talk track on the incident itself.
    assert Incident.objects.filter(state__in=["declared", "triaged", "contained"]).exclude(
        talk_track="").exists()


def test_stage_times_follow_each_other(seeded):
    for incident in Incident.objects.exclude(state=IncidentState.CANCELLED):
        stages = [incident.declared_at, incident.triaged_at, incident.contained_at,
                  incident.resolved_at, incident.postmortem_started_at, incident.closed_at]
        present = [at for at in stages if at is not None]
        assert present == sorted(present), incident.reference


def test_second_run_changes_nothing(seeded):
    assert snapshot() == seeded["first"]
    assert seed_incidents() == 0
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert snapshot() == seeded["first"]
