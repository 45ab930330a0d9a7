"""The daily rollup gives the same figures as the intervals it sums, for every
grouping it serves, in each rolled-up zone; ranges it cannot serve read the
intervals; writes keep it current."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kpis import rollup, services
from kpis.choices import GroupBy
from kpis.models import IntervalStat, QueueDay
from kpis.selectors import intervals_in, metrics, queue_overview, rows_for
from tests.kpis.conftest import counts

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def two_zones(settings):
    settings.KPI_ROLLUP_ZONES = ["UTC", "Europe/London"]


def random_intervals(queues, *, seed, days=70):
    """Bulk-written (as the demo seeder does), then the rollup rebuilt."""
    rng = random.Random(seed)
    first = datetime(2026, 9, 20, tzinfo=UTC)  # across the October clock change
    rows = []
    for queue in queues:
        for n in range(0, days * 48, 7):
            answered = rng.randint(0, 50)
            abandoned = rng.randint(0, 10)
            short = rng.randint(0, abandoned)
            rows.append(IntervalStat(queue=queue, start=first + timedelta(minutes=30 * n),
                                     **counts(
                offered=answered + abandoned + rng.randint(0, 3), answered=answered,
                answered_within_threshold=rng.randint(0, answered), abandoned=abandoned,
                abandoned_within_threshold=rng.randint(short, abandoned),
                short_abandons=short, handled=answered, talk_seconds=answered * 200,
                answer_wait_seconds=answered * rng.randint(0, 40))))
    IntervalStat.objects.bulk_create(rows)
    rollup.rebuild()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("zone", [UTC, LONDON])
@pytest.mark.parametrize("group_by", [GroupBy.QUEUE, GroupBy.CHANNEL, GroupBy.DAY,
                                      GroupBy.WEEK, GroupBy.MONTH])
def test_the_rollup_gives_the_intervals_figures(two_zones, support, chat, seed, zone,
                                                group_by):
    random_intervals([support, chat], seed=seed)
    start = datetime(2026, 10, 1, tzinfo=zone)
    end = datetime(2026, 11, 15, tzinfo=zone)
    fast = rows_for(start, end, group_by=group_by, zone=zone)
    assert fast.model is QueueDay
    slow = intervals_in(start, end)
    assert [(r.key, r.sums, r.figures) for r in metrics(fast, group_by, zone=zone)] == \
           [(r.key, r.sums, r.figures) for r in metrics(slow, group_by, zone=zone)]


def test_ranges_the_rollup_cannot_serve_read_the_intervals(two_zones, support):
    noon = datetime(2026, 10, 1, 12, tzinfo=UTC)
    assert rows_for(noon, noon + timedelta(days=1), group_by=GroupBy.DAY).model \
        is IntervalStat
    midnight = datetime(2026, 10, 1, tzinfo=UTC)
    assert rows_for(midnight, midnight + timedelta(days=1), group_by=GroupBy.INTERVAL) \
        .model is IntervalStat
    tokyo = ZoneInfo("Asia/Tokyo")
    assert rows_for(datetime(2026, 10, 1, tzinfo=tokyo), datetime(2026, 10, 2, tzinfo=tokyo),
                    group_by=GroupBy.DAY, zone=tokyo).model is IntervalStat


def test_imports_single_saves_and_replacements_keep_it_current(two_zones, manager, support):
    header = "queue,start,offered,answered,abandoned\n"
    services.intervals_import(by=manager, file_name="a.csv", content=(
        header + "Voice support,2026-10-01 23:30,10,8,2\n"
                 "Voice support,2026-10-02 00:00,20,15,5\n").encode())
    # 23:30 UTC is 00:30 the next day in London (summer time).
    assert dict(QueueDay.objects.filter(zone="UTC").values_list("day", "offered")) == {
        datetime(2026, 10, 1).date(): 10, datetime(2026, 10, 2).date(): 20}
    assert dict(QueueDay.objects.filter(zone="Europe/London").values_list("day", "offered")) \
        == {datetime(2026, 10, 2).date(): 30}
    services.intervals_import(by=manager, file_name="a.csv", content=(
        header + "Voice support,2026-10-02 00:00,40,35,5\n").encode())
    IntervalStat.objects.create(queue=support, start=datetime(2026, 10, 2, 1, tzinfo=UTC),
                                **counts(offered=1, answered=1))
    assert QueueDay.objects.get(zone="UTC", day="2026-10-02").offered == 41
    start = datetime(2026, 10, 2, tzinfo=UTC)
    [row] = queue_overview(start, start + timedelta(days=1))
    assert row["sums"]["offered"] == 41


def test_deleting_a_queue_takes_its_days(two_zones, manager, support):
    IntervalStat.objects.create(queue=support, start=datetime(2026, 10, 2, 1, tzinfo=UTC),
                                **counts(offered=1, answered=1))
    assert QueueDay.objects.count() == 2
    services.queue_delete(queue=support, by=manager)
    assert not QueueDay.objects.exists()


@pytest.mark.parametrize("seed", [4, 5])
def test_the_worst_intervals_found_through_the_rollup_are_the_worst(two_zones, support, chat,
                                                                    seed):
    from kpis.selectors import worst_intervals

    random_intervals([support, chat], seed=seed, days=40)
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 29, tzinfo=UTC)
    found = [(w["interval"].queue_id, w["interval"].start)
             for w in worst_intervals(start, end, queues=[support, chat])]

    def ratio(row):  # the slow obvious computation
        return row.answered_within_threshold / (row.answered + row.abandoned
                                                - row.short_abandons)

    every = sorted((r for r in intervals_in(start, end) if r.answered),
                   key=lambda r: (ratio(r), -r.offered, r.start))
    assert found == [(r.queue_id, r.start) for r in every[:10]]
