"""The demo seeder: believable queues and intervals, quickly, with incidents as dips."""

from datetime import timedelta

import pytest

from core.registry import DemoContext
from incidents import services as incident_services
from incidents.models import Channel
from kpis import selectors
from kpis.demo import QUEUES, seed_kpis
from kpis.models import IntervalStat, Queue
from tests.kpis.conftest import at

pytestmark = pytest.mark.django_db


def test_seeds_queues_and_intervals_once(manager):
    demo = DemoContext(users={"manager": (manager, "Manager")})
    written = seed_kpis(demo, now=at(30, 12), days=14)
    assert written == IntervalStat.objects.count() > 8 * 14 * 40
    assert Queue.objects.count() == len(QUEUES)
    assert seed_kpis(demo, now=at(30, 12), days=14) == 0


def test_every_seeded_interval_passes_the_import_checks(manager):
    from kpis.importing import check_consistency
    from kpis.models import COUNT_FIELDS

    seed_kpis(None, now=at(30, 12), days=7)
    for row in IntervalStat.objects.values(*COUNT_FIELDS).iterator():
        assert check_consistency(row) == []


def test_an_incident_is_a_dip_in_service_level(manager):
    incident = incident_services.incident_declare(
        by=manager, title="Chat platform down", channels=[Channel.objects.get(key="chat")],
        at=at(25, 10))
    incident.resolved_at = at(25, 13)
    incident.save()
    seed_kpis(None, now=at(30, 12), days=14)
    chat = Queue.objects.get(name="Chat")
    during = selectors.sums_for(selectors.intervals_in(at(25, 10), at(25, 13),
                                                       queue_ids=[chat.pk]))
    week_before = selectors.sums_for(selectors.intervals_in(
        at(25, 10) - timedelta(weeks=1), at(25, 13) - timedelta(weeks=1), queue_ids=[chat.pk]))
    from kpis.formulas import service_level

    assert service_level(during, "ignored") < service_level(week_before, "ignored") - 20
    impact = selectors.incident_impact(incident)
    assert impact.lost_contacts > 0
