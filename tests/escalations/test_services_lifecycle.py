"""Escalation services: SLA policy matching, the state machine and its guards, the
clocks each transition moves, PCI masking, audit history and permissions."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import ClockState, Role
from core.clocks import clock_elapsed, clocks_of
from core.exceptions import RequirementMissing, TransitionNotAllowed
from core.models import Team
from core.sweep import sweep
from escalations import services
from escalations.choices import EscalationState, EscalationTimelineKind
from escalations.clock_kinds import (
    CONTAINMENT_CLOCK,
    FIRST_RESPONSE_CLOCK,
    RESOLUTION_CLOCK,
    UPDATE_CLOCK,
)
from escalations.models import Escalation, EscalationSlaPolicy
from tests.escalations.support import CARD, at, clock_map, reload

pytestmark = pytest.mark.django_db

S = EscalationState


# --- Policy matching ------------------------------------------------------------------


def test_policy_matching_takes_the_first_active_match_by_order():
    vip_p1 = EscalationSlaPolicy.objects.create(name="VIP P1", order=10, priority="P1",
                                                customer_tier="vip")
    billing = EscalationSlaPolicy.objects.create(name="Billing", order=20, category="billing")
    EscalationSlaPolicy.objects.create(name="Off", order=5, active=False)
    fallback = EscalationSlaPolicy.objects.create(name="Any", order=30)

    assert services.policy_for(priority="P1", customer_tier="vip", category="billing") == vip_p1
    assert services.policy_for(priority="P2", customer_tier="vip", category="billing") == billing
    assert services.policy_for(priority="P1", customer_tier="standard",
                               category="complaint") == fallback
    # Conditions left empty match an escalation whose own value is not set yet.
    assert services.policy_for(priority="", customer_tier="vip", category="") == fallback

    fallback.active = False
    fallback.save()
    assert services.policy_for(priority="P4", customer_tier="standard",
                               category="complaint") is None


def test_policy_rejects_unknown_pausing_clock_kinds():
    policy = EscalationSlaPolicy(name="Bad", order=1, pause_in_awaiting_customer=["nope"])
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert "pause_in_awaiting_customer" in error.value.message_dict


# --- Create --------------------------------------------------------------------------


def test_create_records_the_policy_and_starts_its_clocks_on_its_calendar(
        lead, customer, policy, office):
    policy.calendar = office
    policy.update_cadence = timedelta(hours=8)
    policy.save()

    escalation = services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P2",
        summary="Charged after cancelling", at=at(),
    )

    assert escalation.reference == "ESC-2026-0001"
    assert (escalation.state, escalation.tier, escalation.policy) == (S.NEW, "L1", policy)
    clocks = clock_map(escalation)
    assert set(clocks) == {FIRST_RESPONSE_CLOCK, UPDATE_CLOCK, CONTAINMENT_CLOCK,
                           RESOLUTION_CLOCK}
    assert all(c.calendar == office and c.state == ClockState.RUNNING for c in clocks.values())
    assert clocks[FIRST_RESPONSE_CLOCK].target == timedelta(hours=1)
    assert clocks[RESOLUTION_CLOCK].pause_cap == timedelta(hours=2)
    # Business time on a 09:00–17:00 calendar: 8h ends Monday 17:00; 48h is six working
    # days, so the following Monday 17:00.
    assert clocks[UPDATE_CLOCK].due_at == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert clocks[RESOLUTION_CLOCK].due_at == datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    line = escalation.timeline.get()
    assert line.kind == EscalationTimelineKind.CREATED and "SLA policy: Default" in line.text

    second = services.escalation_create(by=lead, customer=customer, category="billing",
                                        priority="P3", summary="Second", at=at())
    assert second.reference == "ESC-2026-0002"


def test_create_without_a_matching_policy_starts_no_clocks(lead, customer):
    escalation = services.escalation_create(by=lead, customer=customer, category="billing",
                                            priority="P3", summary="Refund late", at=at())
    assert escalation.policy is None and not clocks_of(escalation).exists()
    assert "No SLA policy matched" in escalation.timeline.get().text


def test_create_masks_card_numbers_and_notes_it_on_the_timeline(lead, customer, policy):
    escalation = services.escalation_create(
        by=lead, customer=customer, category="billing", priority="P2",
        summary=f"Card {CARD} charged twice", description=f"Customer read out {CARD}.",
        requested_outcome="Refund to 5555 5555 5555 4444", at=at(),
    )
    escalation = reload(escalation)
    for text in (escalation.summary, escalation.description, escalation.requested_outcome):
        assert CARD not in text and "5555 5555 5555 4444" not in text
    assert "[card •••• 1111]" in escalation.description
    assert "[card •••• 4444]" in escalation.requested_outcome
    notes = escalation.timeline.filter(kind=EscalationTimelineKind.NOTE)
    assert [n.text for n in notes] == ["3 card number(s) masked to the last four digits."]
    assert not any(CARD in row.description for row in escalation.history.all())


def test_viewer_cannot_open_an_escalation_and_a_lead_can(viewer, lead, customer):
    with pytest.raises(PermissionDenied):
        services.escalation_create(by=viewer, customer=customer, category="complaint",
                                   priority="P2", summary="X")
    assert not Escalation.objects.exists()
    assert services.escalation_create(by=lead, customer=customer, category="complaint",
                                      priority="P2", summary="X").pk


def test_viewer_cannot_move_an_escalation(open_escalation, viewer):
    with pytest.raises(PermissionDenied):
        services.escalation_triage(escalation=open_escalation(), by=viewer)


# --- Guards and transitions -----------------------------------------------------------


def test_triage_guard_names_priority_owner_and_category(open_escalation, lead):
    escalation = open_escalation(priority="", category="", owner=None)
    with pytest.raises(RequirementMissing) as error:
        services.escalation_triage(escalation=escalation, by=lead)
    assert set(error.value.errors) == {"priority", "owner", "category"}
    assert reload(escalation).state == S.NEW

    escalation = services.escalation_triage(escalation=escalation, by=lead, priority="P1",
                                            owner=lead, category="regulatory", at=at(hours=1))
    assert (escalation.state, escalation.triaged_at) == (S.TRIAGED, at(hours=1))


@pytest.mark.parametrize(("move", "field"), [
    (lambda e, by: services.escalation_contain(escalation=e, by=by, note="  "),
     "containment_note"),
    (lambda e, by: services.escalation_resolve(escalation=e, by=by, resolution=""),
     "resolution"),
    (lambda e, by: services.escalation_withdraw(escalation=e, by=by, reason=""),
     "withdraw_reason"),
])
def test_each_guard_names_its_field(triaged, lead, move, field):
    with pytest.raises(RequirementMissing) as error:
        move(triaged, lead)
    assert list(error.value.errors) == [field]
    assert reload(triaged).state == S.TRIAGED


def test_close_needs_the_root_cause_review(triaged, lead):
    services.escalation_resolve(escalation=triaged, by=lead, resolution="Refunded", at=at(1))
    services.escalation_start_review(escalation=triaged, by=lead)
    with pytest.raises(RequirementMissing) as error:
        services.escalation_close(escalation=triaged, by=lead)
    assert list(error.value.errors) == ["root_cause_review"]
    closed = services.escalation_close(escalation=triaged, by=lead, at=at(2),
                                       root_cause_review="Duplicate charge in batch run.")
    assert (closed.state, closed.closed_at) == (S.CLOSED, at(2))


def test_impossible_transitions_list_the_allowed_ones(open_escalation, lead):
    escalation = open_escalation()
    with pytest.raises(TransitionNotAllowed) as error:
        services.escalation_close(escalation=escalation, by=lead, root_cause_review="x")
    assert error.value.allowed == ["triage", "withdraw"]
    assert error.value.current_state == S.NEW
    with pytest.raises(TransitionNotAllowed, match="Allowed now: triage, withdraw"):
        services.escalation_customer_replied(escalation=escalation, by=lead)


def test_the_full_path_stops_clocks_met_and_keeps_stage_times(triaged, lead):
    contained = services.escalation_contain(escalation=triaged, by=lead, at=at(minutes=30),
                                            note="Called the customer; refund promised.")
    clocks = clock_map(contained)
    assert clocks[FIRST_RESPONSE_CLOCK].state == ClockState.STOPPED
    assert clocks[CONTAINMENT_CLOCK].state == ClockState.STOPPED
    assert clocks[CONTAINMENT_CLOCK].outcome == "met"
    assert clocks[RESOLUTION_CLOCK].state == ClockState.RUNNING

    resolved = services.escalation_resolve(escalation=contained, by=lead, at=at(hours=5),
                                           resolution="Refund issued.")
    assert all(c.state == ClockState.STOPPED for c in clocks_of(resolved))
    assert (resolved.contained_at, resolved.resolved_at) == (at(minutes=30), at(hours=5))


# --- Awaiting the customer ------------------------------------------------------------------


def test_awaiting_customer_pauses_only_the_configured_clocks_and_returns(triaged, lead):
    waiting = services.escalation_await_customer(escalation=triaged, by=lead, at=at(hours=1),
                                                 reason="Asked for the bank statement")
    assert (waiting.state, waiting.previous_state) == (S.AWAITING_CUSTOMER, S.TRIAGED)
    clocks = clock_map(waiting)
    assert clocks[RESOLUTION_CLOCK].state == ClockState.PAUSED
    assert clocks[RESOLUTION_CLOCK].pause_reason == ("Awaiting customer: Asked for the bank "
                                                     "statement")
    assert clocks[FIRST_RESPONSE_CLOCK].state == ClockState.RUNNING
    assert clocks[CONTAINMENT_CLOCK].state == ClockState.RUNNING

    back = services.escalation_customer_replied(escalation=waiting, by=lead,
                                                at=at(hours=1, minutes=90))
    assert (back.state, back.previous_state) == (S.TRIAGED, "")
    resolution = clock_map(back)[RESOLUTION_CLOCK]
    assert resolution.state == ClockState.RUNNING
    # The 90 minutes awaiting the customer do not count.
    assert clock_elapsed(resolution, now=at(hours=3)) == timedelta(hours=1, minutes=30)
    kinds = list(back.timeline.values_list("kind", flat=True))
    assert kinds.count(EscalationTimelineKind.CLOCK) == 2  # paused, resumed


def test_awaiting_customer_from_contained_returns_to_contained(triaged, lead):
    contained = services.escalation_contain(escalation=triaged, by=lead, note="Credit applied")
    waiting = services.escalation_await_customer(escalation=contained, by=lead, reason="Proof")
    assert waiting.previous_state == S.CONTAINED
    back = services.escalation_customer_replied(escalation=waiting, by=lead)
    assert back.state == S.CONTAINED


def test_awaiting_customer_needs_a_reason(triaged, lead):
    with pytest.raises(ValidationError) as error:
        services.escalation_await_customer(escalation=triaged, by=lead, reason=" ")
    assert "reason" in error.value.message_dict


def test_pause_cap_resumes_the_clock_through_the_sweep(triaged, lead):
    services.escalation_await_customer(escalation=triaged, by=lead, at=at(hours=1),
                                       reason="Waiting for the customer's photos")
    totals = sweep(now=at(hours=3, minutes=1))
    assert totals["resumed"] == 1
    resolution = clock_map(triaged)[RESOLUTION_CLOCK]
    assert resolution.state == ClockState.RUNNING
    assert resolution.paused_total == timedelta(hours=2)
    # The escalation still awaits the customer; the reply later finds nothing to resume.
    back = services.escalation_customer_replied(escalation=triaged, by=lead, at=at(hours=4))
    assert back.state == S.TRIAGED


def test_breach_notifies_owner_and_team_and_lands_on_the_timeline(triaged, lead, make_user):
    member = make_user(Role.ESCALATION_LEAD, username="tomos")
    team = Team.objects.create(name="Escalation desk", slug="escalation-desk")
    team.members.add(member, lead)
    escalation = reload(triaged)
    escalation.team = team
    assert escalation.sla_recipients(None) == [lead, member]

    Escalation.objects.filter(pk=escalation.pk).update(team=team)
    sweep(now=at(hours=2))
    texts = list(escalation.timeline.filter(kind=EscalationTimelineKind.CLOCK)
                 .values_list("text", flat=True))
    assert any(t.startswith("First response: deadline passed") for t in texts)
    assert lead.notifications.filter(title__contains="First response breached").exists()
    assert member.notifications.filter(title__contains="First response breached").exists()


# --- Reopen and withdraw -------------------------------------------------------------------


def test_reopen_within_the_window_starts_new_clock_cycles(triaged, lead):
    services.escalation_resolve(escalation=triaged, by=lead, resolution="Refunded",
                                at=at(hours=2))
    reopened = services.escalation_reopen(escalation=triaged, by=lead, at=at(days=3),
                                          reason="Refund never arrived")
    assert (reopened.state, reopened.reopened_at) == (S.TRIAGED, at(days=3))
    assert reopened.resolved_at is None and reopened.contained_at is None
    running = clock_map(reopened, states=(ClockState.RUNNING,))
    assert set(running) == {CONTAINMENT_CLOCK, RESOLUTION_CLOCK}
    assert {c.cycle for c in running.values()} == {2}
    assert running[RESOLUTION_CLOCK].started_at == at(days=3)
    row = reopened.history.first()
    assert (row.history_user, row.history_change_reason) == (lead,
                                                             "Reopened: Refund never arrived")


def test_reopen_outside_the_window_is_refused_naming_it(triaged, lead, settings):
    services.escalation_resolve(escalation=triaged, by=lead, resolution="Refunded", at=at())
    services.escalation_start_review(escalation=triaged, by=lead)
    services.escalation_close(escalation=triaged, by=lead, root_cause_review="Batch bug")
    with pytest.raises(ValidationError) as error:
        services.escalation_reopen(escalation=triaged, by=lead, at=at(days=15), reason="Again")
    message = error.value.message_dict["reopen_window"][0]
    assert "within 14 days" in message
    assert reload(triaged).state == S.CLOSED

    settings.ESCALATION_REOPEN_WINDOW_DAYS = 30
    assert services.escalation_reopen(escalation=triaged, by=lead, at=at(days=15),
                                      reason="Again").state == S.TRIAGED


def test_reopen_needs_a_reason_and_a_resolved_escalation(triaged, lead):
    with pytest.raises(ValidationError):
        services.escalation_reopen(escalation=triaged, by=lead, reason="")
    with pytest.raises(TransitionNotAllowed):
        services.escalation_reopen(escalation=triaged, by=lead, reason="Why not")


def test_withdraw_stops_every_clock_even_paused_ones(triaged, lead):
    services.escalation_await_customer(escalation=triaged, by=lead, at=at(hours=1),
                                       reason="Asked for details")
    withdrawn = services.escalation_withdraw(escalation=triaged, by=lead, at=at(hours=2),
                                             reason=f"Sorted it with their bank, card {CARD}")
    assert withdrawn.state == S.WITHDRAWN
    assert CARD not in withdrawn.withdraw_reason
    assert all(c.state == ClockState.STOPPED for c in clocks_of(withdrawn))
    with pytest.raises(TransitionNotAllowed, match="Allowed now: none"):
        services.escalation_triage(escalation=withdrawn, by=lead)


# --- Audit ---------------------------------------------------------------------------------


def test_history_records_actor_and_reason(triaged, lead, manager):
    services.escalation_await_customer(escalation=triaged, by=manager, reason="Need invoice")
    rows = list(triaged.history.order_by("history_date", "history_id")
                .values_list("history_user", "history_change_reason", "state"))
    assert rows == [
        (lead.pk, "Created", S.NEW),
        (lead.pk, "Triaged", S.TRIAGED),
        (manager.pk, "Awaiting customer: Need invoice", S.AWAITING_CUSTOMER),
    ]
