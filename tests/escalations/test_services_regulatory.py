"""Regulatory regimes: deadline arithmetic (examples and a property against a slow
oracle), the final-response clock beside the internal ones, extensions, and the
seeded examples."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendars import holiday_save
from core.choices import ClockOutcome, ClockState, Role
from core.models import Holiday, Notification
from core.sweep import sweep
from escalations import services
from escalations.choices import DayCounting, EscalationTimelineKind
from escalations.clock_kinds import REGULATORY_CLOCK, RESOLUTION_CLOCK
from escalations.models import EscalationSlaPolicy, RegulatoryRegime
from tests.escalations.support import at, clock_map, reload

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def regime(**kwargs):
    values = {"code": "test-regime", "name": "Test regime", "final_response_days": 15,
              "counting": DayCounting.BUSINESS_DAYS}
    values.update(kwargs)
    return RegulatoryRegime.objects.create(**values)


# --- Deadline arithmetic -------------------------------------------------------------


def test_calendar_days_end_at_midnight_after_the_last_day_in_the_calendars_zone(office):
    fca = regime(final_response_days=56, counting=DayCounting.CALENDAR_DAYS, calendar=office)
    # Received Monday 2 March 09:00; eight weeks later is Monday 27 April (London, BST).
    deadline = services.regulatory_deadline(fca, at())
    assert deadline == datetime(2026, 4, 28, 0, 0, tzinfo=LONDON)
    assert deadline.astimezone(UTC) == datetime(2026, 4, 27, 23, 0, tzinfo=UTC)


def test_business_days_without_a_calendar_are_monday_to_friday_utc():
    psd = regime()
    # Received Friday 6 March: days 1-5 are 9-13 March, 6-10 are 16-20, 11-15 are 23-27.
    received = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)
    assert services.regulatory_deadline(psd, received) == datetime(2026, 3, 28, tzinfo=UTC)


def test_business_days_skip_the_calendars_holidays(office):
    holiday_save(holiday=Holiday(calendar=office, date=date(2026, 3, 16), name="Desk closed"),
                 by=None, reason="test")
    psd = regime(calendar=office)
    received = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)
    # One closed day pushes day 15 from Friday 27 to Monday 30 March (London, BST).
    assert services.regulatory_deadline(psd, received) == datetime(2026, 3, 31, tzinfo=LONDON)


def test_the_day_of_receipt_never_counts_even_received_at_dawn():
    psd = regime(final_response_days=1)
    received = datetime(2026, 3, 2, 0, 1, tzinfo=UTC)  # Monday
    assert services.regulatory_deadline(psd, received) == datetime(2026, 3, 4, tzinfo=UTC)


def test_a_calendar_with_no_open_day_is_refused_naming_the_regime(office):
    office.working_hours.all().delete()
    psd = regime(calendar=office, name="Closed desk")
    with pytest.raises(ValidationError) as error:
        services.regulatory_deadline(psd, at())
    assert "Closed desk" in str(error.value)


def test_an_extension_must_allow_more_days():
    with pytest.raises(ValidationError) as error:
        RegulatoryRegime(code="x", name="X", final_response_days=15,
                         extended_days=10).full_clean()
    assert "extended_days" in error.value.message_dict


def weekdays_between(first_exclusive: date, last_inclusive: date) -> int:
    """The slow, obvious oracle: walk the days one by one."""
    count, day = 0, first_exclusive
    while day < last_inclusive:
        day += timedelta(days=1)
        count += day.weekday() < 5
    return count


@settings(max_examples=200, deadline=None)
@given(received=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31),
                             timezones=st.just(UTC)),
       days=st.integers(min_value=1, max_value=60))
def test_business_day_deadlines_count_exactly_the_days_asked(received, days):
    psd = RegulatoryRegime(code="p", name="P", final_response_days=days,
                           counting=DayCounting.BUSINESS_DAYS)
    deadline = services.regulatory_deadline(psd, received)
    last_day = (deadline - timedelta(days=1)).date()
    assert deadline.time() == datetime.min.time()  # midnight, end of a day
    assert last_day.weekday() < 5  # the last day counted is a business day
    assert weekdays_between(received.date(), last_day) == days


@settings(max_examples=100, deadline=None)
@given(received=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31),
                             timezones=st.just(UTC)),
       days=st.integers(min_value=1, max_value=120))
def test_calendar_day_deadlines_are_the_end_of_the_nth_day(received, days):
    rule = RegulatoryRegime(code="c", name="C", final_response_days=days,
                            counting=DayCounting.CALENDAR_DAYS)
    deadline = services.regulatory_deadline(rule, received)
    assert deadline.date() - received.date() == timedelta(days=days + 1)
    assert deadline.time() == datetime.min.time()


# --- The clock on an escalation ----------------------------------------------------------


@pytest.fixture
def fca(office):
    return regime(code="fca", name="FCA DISP", final_response_days=56,
                  counting=DayCounting.CALENDAR_DAYS, calendar=office)


@pytest.fixture
def psd():
    return regime(code="psd", name="PSD2", final_response_days=15, extended_days=35)


def test_a_regulatory_escalation_runs_its_clock_beside_the_policy_clocks(open_escalation, fca):
    escalation = open_escalation(category="regulatory", regulatory_regime=fca)
    clocks = clock_map(escalation)
    regulatory = clocks[REGULATORY_CLOCK]
    assert regulatory.calendar.is_builtin  # the regulator's time runs 24×7
    assert regulatory.started_at == escalation.created_at
    assert regulatory.due_at == datetime(2026, 4, 28, tzinfo=LONDON)
    assert regulatory.warn_thresholds == [50, 75, 90]
    assert RESOLUTION_CLOCK in clocks  # the internal business clocks run too
    assert escalation.timeline.filter(kind=EscalationTimelineKind.REGULATORY,
                                      text__contains="end of Mon 27 Apr 2026").exists()


def test_the_regulatory_clock_does_not_pause_while_awaiting_the_customer(
        open_escalation, fca, lead):
    escalation = open_escalation(regulatory_regime=fca)
    services.escalation_triage(escalation=escalation, by=lead, at=at())
    services.escalation_await_customer(escalation=escalation, by=lead, reason="Photos",
                                       at=at(hours=1))
    clocks = clock_map(escalation)
    assert clocks[REGULATORY_CLOCK].state == ClockState.RUNNING
    assert clocks[RESOLUTION_CLOCK].state == ClockState.PAUSED


def test_resolving_gives_the_final_response_and_stops_the_clock_met(open_escalation, fca, lead):
    escalation = open_escalation(regulatory_regime=fca)
    services.escalation_triage(escalation=escalation, by=lead, at=at())
    services.escalation_resolve(escalation=escalation, by=lead, resolution="Refunded",
                                at=at(days=10))
    clock = clock_map(escalation)[REGULATORY_CLOCK]
    assert (clock.state, clock.outcome) == (ClockState.STOPPED, ClockOutcome.MET)


def test_a_regulatory_breach_tells_the_managers_and_climbs_a_tier(
        open_escalation, psd, lead, manager):
    escalation = open_escalation(regulatory_regime=psd)
    due = clock_map(escalation)[REGULATORY_CLOCK].due_at
    sweep(now=due + timedelta(minutes=1))
    assert Notification.objects.filter(recipient=manager,
                                       title__contains="Regulatory final response breached")
    assert reload(escalation).tier == "L2"


def test_an_extension_moves_the_deadline_once(open_escalation, psd, lead):
    escalation = open_escalation(regulatory_regime=psd)  # received Monday 2 March
    assert clock_map(escalation)[REGULATORY_CLOCK].due_at == datetime(2026, 3, 24, tzinfo=UTC)
    services.escalation_extend_regulatory_deadline(
        escalation=escalation, by=lead, reason="Holding reply sent: card scheme evidence",
        at=at(days=10))
    clock = clock_map(escalation)[REGULATORY_CLOCK]
    assert clock.due_at == datetime(2026, 4, 21, tzinfo=UTC)  # 35 business days
    stored = reload(escalation)
    assert stored.regulatory_extension_reason.startswith("Holding reply")
    assert stored.history.first().history_change_reason.startswith(
        "Regulatory deadline extended")
    with pytest.raises(ValidationError, match="already extended"):
        services.escalation_extend_regulatory_deadline(escalation=escalation, by=lead,
                                                       reason="Again")


def test_an_extension_needs_a_reason_a_regime_that_allows_it_and_a_running_clock(
        open_escalation, fca, psd, lead):
    plain = open_escalation()
    with pytest.raises(ValidationError, match="no regulatory regime"):
        services.escalation_extend_regulatory_deadline(escalation=plain, by=lead, reason="x")
    eight_weeks = open_escalation(regulatory_regime=fca)
    with pytest.raises(ValidationError, match="allows no extension"):
        services.escalation_extend_regulatory_deadline(escalation=eight_weeks, by=lead,
                                                       reason="x")
    payment = open_escalation(regulatory_regime=psd)
    with pytest.raises(ValidationError) as error:
        services.escalation_extend_regulatory_deadline(escalation=payment, by=lead, reason=" ")
    assert "reason" in error.value.message_dict
    services.escalation_triage(escalation=payment, by=lead, at=at())
    services.escalation_resolve(escalation=payment, by=lead, resolution="Done", at=at(days=1))
    with pytest.raises(ValidationError, match="already given"):
        services.escalation_extend_regulatory_deadline(escalation=payment, by=lead,
                                                       reason="Late")


def test_viewer_cannot_extend(open_escalation, psd, viewer):
    escalation = open_escalation(regulatory_regime=psd)
    with pytest.raises(PermissionDenied):
        services.escalation_extend_regulatory_deadline(escalation=escalation, by=viewer,
                                                       reason="x")


def test_setting_a_regime_later_counts_from_receipt(open_escalation, psd, lead):
    escalation = open_escalation()
    services.escalation_edit(escalation=escalation, by=lead, regulatory_regime=psd,
                             at=at(days=3))
    clock = clock_map(escalation)[REGULATORY_CLOCK]
    assert clock.started_at == escalation.created_at
    assert clock.due_at == datetime(2026, 3, 24, tzinfo=UTC)


def test_changing_the_regime_stops_the_old_clock_and_starts_a_new_cycle(
        open_escalation, fca, psd, lead):
    escalation = open_escalation(regulatory_regime=psd)
    services.escalation_edit(escalation=escalation, by=lead, regulatory_regime=fca,
                             at=at(hours=2))
    cycles = list(escalation_clocks(escalation))
    assert [(c.cycle, c.state) for c in cycles] == [(2, ClockState.RUNNING),
                                                    (1, ClockState.STOPPED)]
    services.escalation_edit(escalation=escalation, by=lead, regulatory_regime=None,
                             at=at(hours=3))
    assert all(c.state == ClockState.STOPPED for c in escalation_clocks(escalation))
    assert escalation.timeline.filter(text__contains="Regulatory regime removed").exists()


def escalation_clocks(escalation):
    from core.clocks import clocks_of

    return [c for c in clocks_of(escalation) if c.kind == REGULATORY_CLOCK]


def test_a_retired_regime_cannot_be_chosen(open_escalation, psd):
    psd.active = False
    psd.save()
    with pytest.raises(ValidationError) as error:
        open_escalation(regulatory_regime=psd)
    assert "regulatory_regime" in error.value.message_dict


def test_policies_can_match_on_the_regime(open_escalation, psd, policy):
    regulatory = EscalationSlaPolicy.objects.create(
        name="Payment complaints", order=10, regulatory_regime=psd,
        first_response=timedelta(minutes=30))
    assert open_escalation(regulatory_regime=psd).policy == regulatory
    assert open_escalation().policy == policy


def test_a_back_dated_escalation_counts_from_when_it_was_received(lead, customer, psd):
    received = datetime.now(UTC) - timedelta(days=2)
    escalation = services.escalation_create(
        by=lead, customer=customer, category="regulatory", priority="P2",
        summary="Letter received on Monday", regulatory_regime=psd, received_at=received)
    assert escalation.created_at == received
    assert clock_map(escalation)[REGULATORY_CLOCK].started_at == received


def test_a_complaint_cannot_be_received_in_the_future(lead, customer):
    with pytest.raises(ValidationError) as error:
        services.escalation_create(by=lead, customer=customer, category="", priority="",
                                   summary="x", received_at=datetime.now(UTC) + timedelta(1))
    assert "received_at" in error.value.message_dict


def test_the_seeded_regimes_are_labelled_as_examples():
    seeded = RegulatoryRegime.objects.filter(is_example=True)
    assert seeded.count() >= 5
    assert {"uk-fca-disp", "eu-psd2-art101", "au-asic-rg271"} <= set(
        seeded.values_list("code", flat=True))
    for row in seeded:
        assert "check against the current rules" in row.description
        assert str(row).endswith("(example)")
    assert RegulatoryRegime.objects.get(code="uk-fca-psd").rule_text == (
        "15 business days (35 with an extension)")


def test_managers_hear_of_regulatory_warnings_others_only_of_their_own(
        open_escalation, psd, make_user, manager):
    other = make_user(Role.ESCALATION_LEAD, username="other")
    escalation = open_escalation(regulatory_regime=psd)
    clock = clock_map(escalation)[REGULATORY_CLOCK]
    people = {user.username for user in escalation.sla_recipients(clock)}
    assert people == {"elena", manager.username}
    assert other.username not in people
