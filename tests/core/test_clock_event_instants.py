"""Every warning and breach is dated at the instant its threshold was crossed — also
when a pause, a lowered target or a late sweep puts that instant behind the current
running stretch — checked against a minute-stepping oracle for any sequence of
start / pause / resume / retarget / sweep."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.audit import system_user
from core.calendars import EngineCache, calendar_engine, calendar_save
from core.clocks import builtin_calendar, clock_pause, clock_resume, clock_retarget, clock_start
from core.models import BusinessCalendar, SlaClock
from core.sweep import process_clock
from tests.core.test_business_time import MinuteOracle
from tests.testapp.models import Ticket

pytestmark = pytest.mark.django_db

KIND = "testapp.response"
MINUTE = timedelta(minutes=1)
# Monday 2 March 2026, 08:00 UTC (= London): the office opens at 09:00.
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def office(manager):
    existing = BusinessCalendar.objects.filter(name="London office").first()
    if existing:  # hypothesis runs many examples in one test's database
        return existing
    calendar = BusinessCalendar(name="London office", time_zone="Europe/London")
    return calendar_save(calendar=calendar, ranges=[(d, time(9), time(17)) for d in range(5)],
                         by=None, reason="test")


def test_a_retarget_after_a_pause_dates_the_events_where_they_were_crossed(manager):
    """The issue's case: 24×7, 4 h target from 10:00, paused 13:00–15:00, retargeted to
    2 h at 15:30 — 75 % was reached at 11:30 and the breach at 12:00, not at 15:00."""
    ticket = Ticket.objects.create(title="VIP", owner=manager)
    ten = datetime(2026, 3, 2, 10, tzinfo=UTC)
    clock = clock_start(owner=ticket, kind=KIND, target=timedelta(hours=4), by=manager, at=ten)
    sweep_clock(clock, ten + timedelta(hours=2, minutes=30))  # 50 % of 4 h, at 12:00
    clock = clock_pause(clock=clock, reason="Awaiting customer", by=manager,
                        at=ten + timedelta(hours=3))
    clock = clock_resume(clock=clock, by=manager, at=ten + timedelta(hours=5))
    clock = clock_retarget(clock=clock, target=timedelta(hours=2), by=manager, reason="VIP",
                           at=ten + timedelta(hours=5, minutes=30))
    assert clock.due_at == ten + timedelta(hours=2)
    sweep_clock(clock, ten + timedelta(hours=5, minutes=31))
    assert fired(clock) == [("warning", 50, ten + timedelta(hours=2)),
                            ("warning", 75, ten + timedelta(hours=1, minutes=30)),
                            ("breached", None, ten + timedelta(hours=2))]


def sweep_clock(clock, now):
    locked = SlaClock.objects.select_related("calendar").get(pk=clock.pk)
    process_clock(locked, now, EngineCache(), system_user())


def fired(clock):
    return list(clock.events.filter(kind__in=("warning", "breached")).order_by("pk")
                .values_list("kind", "threshold", "at"))


# --- The property ------------------------------------------------------------------------


@dataclass
class ClockOracle:
    """Minute by minute: which minutes were running and open, and when consumed business
    time reached each whole minute; sweeps fire what a sweep at that instant should."""

    minutes: object  # iterator of (minute, is open) from the clock's start
    target: int  # minutes
    thresholds: tuple = (50, 75)
    running: bool = True
    reached: dict = field(default_factory=dict)  # k minutes used -> instant
    used: int = 0
    fired: list = field(default_factory=list)
    warned: set = field(default_factory=set)
    breached: bool = False

    def advance(self, t, until):
        while t < until:
            minute, is_open = next(self.minutes)
            assert minute == t
            if self.running and is_open:
                self.used += 1
                self.reached[self.used] = t + MINUTE
            t += MINUTE
        return t

    def sweep(self):
        if not self.running:
            return  # the sweep works on running clocks only
        for percent in self.thresholds:
            if percent in self.warned:
                continue
            point = self.target * percent // 100
            if point > self.used:
                break
            self.warned.add(percent)
            self.fired.append(("warning", percent, self.reached[point]))
        if not self.breached and self.target <= self.used:
            self.breached = True
            self.fired.append(("breached", None, self.reached[self.target]))


steps = st.lists(st.tuples(st.integers(1, 600),
                           st.sampled_from(["pause", "resume", "retarget", "sweep"]),
                           st.integers(1, 120)), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(on_office=st.booleans(), target_quarters=st.integers(1, 120), plan=steps)
def test_every_event_instant_equals_the_minute_oracle(manager, on_office, target_quarters,
                                                      plan):
    calendar = office(manager) if on_office else builtin_calendar()
    oracle = ClockOracle(minutes=MinuteOracle(calendar_engine(calendar)).minutes(START),
                         target=4 * target_quarters)  # 50 % and 75 % fall on whole minutes
    ticket = Ticket.objects.create(title="Property", owner=manager)
    clock = clock_start(owner=ticket, kind=KIND, target=oracle.target * MINUTE, by=manager,
                        at=START, calendar=calendar)
    now = START
    for wait, action, amount in plan:
        now = oracle.advance(now, now + wait * MINUTE)
        if action == "pause" and oracle.running:
            clock = clock_pause(clock=clock, reason="Awaiting customer", by=manager, at=now)
            oracle.running = False
        elif action == "resume" and not oracle.running:
            clock = clock_resume(clock=clock, by=manager, at=now)
            oracle.running = True
        elif action == "retarget":
            oracle.target = 4 * amount
            clock = clock_retarget(clock=clock, target=oracle.target * MINUTE, by=manager,
                                   reason="Changed", at=now)
        elif action == "sweep":
            sweep_clock(clock, now)
            oracle.sweep()
        clock = SlaClock.objects.get(pk=clock.pk)
    assert fired(clock) == oracle.fired
