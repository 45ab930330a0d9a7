"""Editing an escalation's fields, internal notes and customer updates (which drive the
first-response and update-cadence clocks)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import ClockOutcome, ClockState
from core.models import Notification
from escalations import services
from escalations.choices import EscalationTimelineKind
from escalations.clock_kinds import FIRST_RESPONSE_CLOCK, RESOLUTION_CLOCK, UPDATE_CLOCK
from tests.escalations.support import CARD, at, clock_map, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadence(policy):
    policy.update_cadence = timedelta(hours=4)
    policy.pause_in_awaiting_customer = [UPDATE_CLOCK, RESOLUTION_CLOCK]
    policy.save()
    return policy


def test_edit_changes_fields_masks_cards_and_says_which_in_history(triaged, lead, manager):
    services.escalation_edit(escalation=triaged, by=lead, summary="Billed twice for March",
                             description=f"Paid with {CARD}", owner=manager)
    stored = reload(triaged)
    assert stored.summary == "Billed twice for March"
    assert stored.description == "Paid with [card •••• 1111]"
    assert stored.history.first().history_change_reason == (
        "Edited: description, owner, summary")
    line = triaged.timeline.get(kind=EscalationTimelineKind.EDIT)
    assert f"owner {lead.get_full_name()} → {manager.get_full_name()}" in line.text
    assert triaged.timeline.filter(text__contains="card number(s) masked").exists()
    assert Notification.objects.filter(recipient=manager, title__contains="assigned to you")


def test_edit_without_a_change_writes_nothing(triaged, lead):
    before = triaged.history.count()
    services.escalation_edit(escalation=triaged, by=lead, summary=triaged.summary)
    assert triaged.history.count() == before


def test_a_triaged_escalation_keeps_its_owner_priority_and_category(triaged, lead):
    for field in ("owner", "priority", "category"):
        with pytest.raises(ValidationError) as error:
            services.escalation_edit(escalation=triaged, by=lead, **{field: None})
        assert field in error.value.message_dict


def test_edit_refuses_unknown_fields_and_closed_escalations(triaged, lead):
    with pytest.raises(ValidationError) as error:
        services.escalation_edit(escalation=triaged, by=lead, state="closed")
    assert "state" in error.value.message_dict
    services.escalation_withdraw(escalation=triaged, by=lead, reason="Customer withdrew")
    with pytest.raises(ValidationError, match="reopen it first"):
        services.escalation_edit(escalation=triaged, by=lead, summary="Late change")


def test_viewer_cannot_edit_or_add_notes(triaged, viewer):
    with pytest.raises(PermissionDenied):
        services.escalation_edit(escalation=triaged, by=viewer, summary="x")
    with pytest.raises(PermissionDenied):
        services.escalation_add_note(escalation=triaged, by=viewer, text="x")


def test_an_internal_note_moves_no_clock(triaged, lead, cadence):
    services.escalation_add_note(escalation=triaged, by=lead, text="Asked billing to check",
                                 at=at(minutes=10))
    first = clock_map(triaged)[FIRST_RESPONSE_CLOCK]
    assert first.state == ClockState.RUNNING


def test_a_customer_update_is_the_first_response_and_restarts_the_cadence(
        open_escalation, lead, cadence):
    escalation = open_escalation()
    services.escalation_triage(escalation=escalation, by=lead, at=at())
    services.escalation_add_note(escalation=escalation, by=lead, customer_update=True,
                                 text="Called the customer: refund being checked",
                                 at=at(minutes=40))
    clocks = clock_map(escalation)
    assert clocks[FIRST_RESPONSE_CLOCK].outcome == ClockOutcome.MET
    update = clocks[UPDATE_CLOCK]
    assert (update.cycle, update.state, update.due_at) == (2, ClockState.RUNNING,
                                                           at(hours=4, minutes=40))
    assert escalation.timeline.filter(kind=EscalationTimelineKind.CUSTOMER_UPDATE).count() == 1


def test_a_customer_update_while_awaiting_the_customer_keeps_the_cadence_paused(
        open_escalation, lead, cadence):
    escalation = open_escalation()
    services.escalation_triage(escalation=escalation, by=lead, at=at())
    services.escalation_await_customer(escalation=escalation, by=lead, reason="Photos",
                                       at=at(hours=1))
    services.escalation_add_note(escalation=escalation, by=lead, customer_update=True,
                                 text="Reminded the customer", at=at(hours=2))
    update = clock_map(escalation)[UPDATE_CLOCK]
    assert (update.cycle, update.state) == (2, ClockState.PAUSED)


def test_notes_need_text_and_closed_escalations_take_notes_not_updates(triaged, lead):
    with pytest.raises(ValidationError) as error:
        services.escalation_add_note(escalation=triaged, by=lead, text="  ")
    assert "text" in error.value.message_dict
    services.escalation_withdraw(escalation=triaged, by=lead, reason="Withdrawn")
    services.escalation_add_note(escalation=triaged, by=lead, text="Filed the letter")
    with pytest.raises(ValidationError) as error:
        services.escalation_add_note(escalation=triaged, by=lead, text="Hi",
                                     customer_update=True)
    assert "customer_update" in error.value.message_dict
