"""The SLA measurement sources the KPI app registers for vendor objectives."""

from datetime import timedelta
from decimal import Decimal

import pytest

from kpis import services
from tests.kpis.conftest import at
from vendors.measurement_sources import MeasurementRequest, has_source, measure

pytestmark = pytest.mark.django_db


def request(metric, queues, **options):
    return MeasurementRequest(metric=metric, start=at(1, 0), end=at(1, 0, month=12),
                              queue_ids=tuple(q.pk for q in queues), options=options)


@pytest.fixture
def month(support, add_interval):
    add_interval(support, at(30, 9), offered=100, answered=80, answered_within_threshold=70,
                 abandoned=20, abandoned_within_threshold=12, short_abandons=2, handled=80,
                 talk_seconds=16000, hold_seconds=1600, acw_seconds=2400,
                 answer_wait_seconds=960, fcr_contacts=80, fcr_resolved=60,
                 csat_responses=10, csat_satisfied=9)
    # Outside [start, end): not counted.
    add_interval(support, at(1, 0, month=12), offered=50, answered=0, abandoned=50,
                 abandoned_within_threshold=50)


def test_every_contact_metric_has_a_source():
    assert all(has_source(m) for m in ("service_level", "abandon_rate", "aht", "asa", "fcr",
                                       "csat"))


def test_values_over_the_period(support, month):
    values = {m: measure(request(m, [support])).value for m in (
        "service_level", "abandon_rate", "aht", "asa", "fcr", "csat")}
    assert values == {"service_level": Decimal("71.43"), "abandon_rate": Decimal("18.37"),
                      "aht": Decimal("250.00"), "asa": Decimal("12.00"),
                      "fcr": Decimal("75.00"), "csat": Decimal("90.00")}
    assert "70 of 98" in measure(request("service_level", [support])).detail


def test_options_choose_the_treatment(support, month):
    assert measure(request("service_level", [support], abandon_treatment="positive")).value \
        == Decimal("81.63")
    assert measure(request("service_level", [support], abandon_treatment="ignored",
                           threshold_seconds=20)).value == Decimal("79.55")


def test_a_threshold_or_timer_the_counts_were_not_taken_with_is_not_measured(support, month):
    assert measure(request("service_level", [support], threshold_seconds=30)) is None
    assert measure(request("abandon_rate", [support], min_presented_seconds=18)) is None
    assert measure(request("abandon_rate", [support], min_presented_seconds=5)).value \
        == Decimal("18.37")


def test_no_intervals_is_not_measured_not_zero(manager, support):
    empty = services.queue_create(by=manager, name="Empty")
    assert measure(request("service_level", [empty])) is None
    assert measure(request("service_level", [])) is None


def test_the_end_is_exclusive(support, add_interval):
    add_interval(support, at(30, 23, 30), offered=1, answered=1, answered_within_threshold=1)
    req = MeasurementRequest(metric="service_level", start=at(30, 0),
                             end=at(30, 23, 30), queue_ids=(support.pk,))
    assert measure(req) is None
    req = MeasurementRequest(metric="service_level", start=at(30, 0),
                             end=at(30, 23, 30) + timedelta(minutes=1), queue_ids=(support.pk,))
    assert measure(req).value == Decimal("100.00")


def test_an_interval_target_judges_each_interval_and_counts_those_that_met(support, chat,
                                                                          add_interval):
    """80/20 in each half-hour: the objective's value is the share of intervals that
    reached it, the covered queues summed per interval, quiet intervals not judged."""
    def sl(start, queue, within, answered=100):
        add_interval(queue, start, offered=answered, answered=answered,
                     answered_within_threshold=within, handled=answered)

    sl(at(2, 9), support, 90)                      # 90 %: met
    sl(at(2, 9, 30), support, 70)                  # 70 %: missed …
    sl(at(2, 9, 30), chat, 100)                    # … but with chat: 170 / 200 = 85 %: met
    sl(at(2, 10), support, 79)                     # 79 %: missed
    add_interval(support, at(2, 10, 30))           # no contacts: not judged
    both = [support, chat]
    measured = measure(request("service_level", both, interval_target="80"))
    assert measured.value == Decimal("66.67")      # 2 of 3
    assert measured.detail == ("2 of 3 intervals with contacts had a service level of at "
                               "least 80 %")
    assert measured.basis["worst_intervals"][0] == {"start": at(2, 10).isoformat(),
                                                    "value": "79.00"}
    # The abandon rate must stay at most the target in each interval.
    add_interval(support, at(3, 9), offered=100, answered=90, abandoned=10, handled=90)
    add_interval(support, at(3, 9, 30), offered=100, answered=96, abandoned=4, handled=96)
    measured = measure(request("abandon_rate", [support], interval_target="5"))
    assert (measured.basis["intervals"], measured.basis["intervals_met"]) == (5, 4)
    # A metric that is not judged per interval is not measured that way.
    assert measure(request("aht", [support], interval_target="300")) is None
