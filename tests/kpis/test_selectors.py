"""Aggregation: sums in SQL, the formula once, over any period and grouping."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from core.choices import Role
from kpis import formulas, selectors, services
from kpis.models import COUNT_FIELDS, IntervalStat
from tests.factories import UserFactory
from tests.kpis.conftest import at, counts


def test_figures_for_a_period_come_from_summed_counts(support, add_interval):
    # 9:00: 10 of 10 within; 9:30: 45 of 90. Averaging the two percentages would say 75 %.
    add_interval(support, at(30, 9), offered=10, answered=10, answered_within_threshold=10)
    add_interval(support, at(30, 9, 30), offered=90, answered=90, answered_within_threshold=45)
    [row] = selectors.queue_overview(at(30, 0), at(30, 23, 30), )
    assert row["figures"]["service_level"] == Decimal("55.00")  # 55 ÷ 100
    assert row["status"] == "red"


def test_grouping_by_day_channel_and_interval(support, chat, add_interval):
    add_interval(support, at(29, 9), offered=4, answered=4, answered_within_threshold=4)
    add_interval(support, at(30, 9), offered=4, answered=4, answered_within_threshold=2)
    add_interval(chat, at(30, 9), offered=2, answered=2, answered_within_threshold=0)
    rows = selectors.intervals_in(at(28), at(30, 23))
    by_day = selectors.metrics(rows, "day", zone=UTC)
    assert [(r.key.day, r.figures["service_level"]) for r in by_day] == [
        (29, Decimal("100.00")), (30, Decimal("33.33"))]
    by_channel = {r.key: r.figures["service_level"] for r in selectors.metrics(rows, "channel")}
    assert by_channel == {"chat": Decimal("0.00"), "voice": Decimal("75.00")}
    by_interval = selectors.metrics(rows, "interval", zone=UTC)
    assert [(r.key, r.sums["offered"]) for r in by_interval] == [("09:00", 10)]


def test_grouped_by_queue_each_queue_uses_its_own_treatment(support, chat, add_interval):
    data = {"offered": 10, "answered": 8, "answered_within_threshold": 6, "abandoned": 2,
            "abandoned_within_threshold": 2}
    add_interval(support, at(30), **data)  # negative: 6 ÷ 10
    add_interval(chat, at(30), **data)  # ignored: 6 ÷ 8
    rows = {r.key: r.figures["service_level"] for r in selectors.metrics(
        selectors.intervals_in(at(30, 0), at(30, 23)), "queue")}
    assert rows == {support.pk: Decimal("60.00"), chat.pk: Decimal("75.00")}


def test_overview_is_two_queries_whatever_the_number_of_queues(manager, add_interval,
                                                               django_assert_num_queries):
    for n in range(6):
        queue = services.queue_create(by=manager, name=f"Q{n}")
        add_interval(queue, at(30), offered=5, answered=5)
    with django_assert_num_queries(2):
        rows = selectors.queue_overview(at(30, 0), at(30, 23))
    assert len(rows) == 6


def test_a_vendors_queues(manager, add_interval):
    from vendors import services as vendor_services

    victor = UserFactory(roles=[Role.VENDOR_MANAGER])
    bpo = vendor_services.vendor_create(by=victor, name="Kaapstad", category="bpo")
    own = services.queue_create(by=manager, name="Own")
    overflow = services.queue_create(by=manager, name="Overflow", vendor=bpo)
    add_interval(own, at(30), offered=50, answered=50)
    add_interval(overflow, at(30), offered=7, answered=7)
    assert selectors.sums_for(selectors.intervals_in(at(1), at(30, 23),
                                                     vendor_id=bpo.pk))["offered"] == 7
    assert selectors.vendor_queues(bpo) == [overflow]


def test_worst_intervals_come_lowest_first(support, add_interval):
    add_interval(support, at(30, 9), offered=10, answered=10, answered_within_threshold=9)
    add_interval(support, at(30, 10), offered=10, answered=10, answered_within_threshold=2)
    worst = selectors.worst_intervals(at(30, 0), at(30, 23), queues=[support])
    assert [w["interval"].start.hour for w in worst] == [10, 9]


class TestSqlSumsMatchPythonSums(TestCase):
    """Property: the database's grouped sums and formula equal a Python loop over rows."""

    @settings(max_examples=15, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 95), st.integers(0, 40),
                              st.integers(0, 40), st.integers(0, 10)), max_size=25,
                    unique_by=lambda t: (t[0], t[1])))
    def test_sums(self, intervals):
        user = UserFactory(roles=[Role.MANAGER])
        queues = [services.queue_create(by=user, name=f"Queue {n}") for n in range(3)]
        base = datetime(2026, 11, 30, tzinfo=UTC)
        expected = {}
        for queue_index, slot, answered, within_extra, abandoned in intervals:
            within = min(answered, within_extra)
            values = counts(offered=answered + abandoned, answered=answered,
                            answered_within_threshold=within, abandoned=abandoned,
                            handled=answered, talk_seconds=answered * 100)
            IntervalStat.objects.create(queue=queues[queue_index],
                                        start=base + timedelta(minutes=15 * slot),
                                        length_minutes=15, **values)
            day = base.date()
            group = expected.setdefault(day, dict.fromkeys(COUNT_FIELDS, 0))
            for name in COUNT_FIELDS:
                group[name] += values[name]
        rows = selectors.metrics(selectors.intervals_in(base, base + timedelta(days=1)),
                                 "day", zone=UTC)
        assert {r.key.date(): r.figures for r in rows} == {
            day: formulas.figures(s) for day, s in expected.items()}
        IntervalStat.objects.all().delete()
        for q in queues:
            q.delete()
        user.delete()
