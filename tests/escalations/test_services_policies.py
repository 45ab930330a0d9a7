"""SLA policy versions, per-target calendars, re-matching when the escalation changes,
and a manager applying a new version explicitly."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import ClockState
from escalations import services
from escalations.choices import EscalationTimelineKind
from escalations.clock_kinds import (
    CONTAINMENT_CLOCK,
    FIRST_RESPONSE_CLOCK,
    RESOLUTION_CLOCK,
    UPDATE_CLOCK,
)
from escalations.models import EscalationSlaPolicy
from tests.escalations.support import at, clock_map, reload

pytestmark = pytest.mark.django_db


def test_changing_a_target_makes_a_new_version_renaming_does_not(policy, manager):
    policy.name = "Default desk"
    services.policy_save(policy=policy, by=manager)
    assert reload_policy(policy).version == 1
    policy.resolution = timedelta(days=3)
    services.policy_save(policy=policy, by=manager)
    stored = reload_policy(policy)
    assert stored.version == 2
    assert "version 2" in stored.history.first().history_change_reason


def reload_policy(policy):
    return EscalationSlaPolicy.objects.get(pk=policy.pk)


def test_only_managers_save_policies(policy, lead):
    policy.resolution = timedelta(days=3)
    with pytest.raises(PermissionDenied):
        services.policy_save(policy=policy, by=lead)


def test_policy_save_refuses_bad_targets_naming_the_field(policy, manager):
    policy.containment = timedelta(0)
    with pytest.raises(ValidationError) as error:
        services.policy_save(policy=policy, by=manager)
    assert "containment" in error.value.message_dict


def test_a_new_version_does_not_move_running_clocks(triaged, policy, manager):
    policy.resolution = timedelta(hours=8)
    services.policy_save(policy=policy, by=manager)
    clock = clock_map(triaged)[RESOLUTION_CLOCK]
    assert clock.target == timedelta(days=2)
    assert reload(triaged).policy_version == 1


def test_a_manager_applies_the_new_version_with_a_reason(triaged, policy, manager):
    policy.resolution = timedelta(hours=8)
    policy.update_cadence = timedelta(hours=4)
    services.policy_save(policy=policy, by=manager)
    services.escalation_apply_policy(escalation=triaged, by=manager,
                                     reason="Customer charter changed", at=at(hours=1))
    clocks = clock_map(triaged)
    assert clocks[RESOLUTION_CLOCK].target == timedelta(hours=8)
    assert clocks[RESOLUTION_CLOCK].due_at == at(hours=8)  # still counted from the start
    assert clocks[UPDATE_CLOCK].target == timedelta(hours=4)  # a target that was not set
    assert reload(triaged).policy_version == 2
    line = triaged.timeline.get(kind=EscalationTimelineKind.POLICY)
    assert "v2 applied: Customer charter changed" in line.text
    assert "Resolution 2d → 8h" in line.text
    with pytest.raises(ValidationError, match="already hold"):
        services.escalation_apply_policy(escalation=triaged, by=manager, reason="again")


def test_applying_a_policy_is_for_managers_and_needs_a_reason(triaged, lead, manager):
    with pytest.raises(PermissionDenied):
        services.escalation_apply_policy(escalation=triaged, by=lead, reason="x")
    with pytest.raises(ValidationError) as error:
        services.escalation_apply_policy(escalation=triaged, by=manager, reason="")
    assert "reason" in error.value.message_dict


def test_each_target_counts_on_its_own_calendar(open_escalation, policy, office):
    policy.resolution_calendar = office
    policy.save()
    clocks = clock_map(open_escalation())
    assert clocks[RESOLUTION_CLOCK].calendar == office
    assert clocks[FIRST_RESPONSE_CLOCK].calendar.is_builtin


def test_triage_applies_the_policy_that_now_matches(open_escalation, policy, lead):
    urgent = EscalationSlaPolicy.objects.create(
        name="P1", order=1, priority="P1", first_response=timedelta(minutes=15),
        containment=timedelta(hours=1), resolution=timedelta(hours=8))
    escalation = open_escalation(priority="")  # not known yet: the default policy
    assert escalation.policy == policy
    services.escalation_triage(escalation=escalation, by=lead, priority="P1",
                               at=at(minutes=5))
    stored = reload(escalation)
    assert (stored.policy, stored.policy_version) == (urgent, 1)
    clocks = clock_map(escalation)
    assert clocks[FIRST_RESPONSE_CLOCK].target == timedelta(minutes=15)
    assert clocks[FIRST_RESPONSE_CLOCK].due_at == at(minutes=15)  # from when it was opened
    assert "SLA policy changed: Default → P1" in escalation.timeline.get(
        kind=EscalationTimelineKind.POLICY).text


def test_a_policy_matched_late_starts_the_clocks_from_the_opening(lead, customer):
    escalation = services.escalation_create(by=lead, customer=customer, category="",
                                            priority="", summary="Unclear", at=at())
    assert escalation.policy is None and not clock_map(escalation)
    EscalationSlaPolicy.objects.create(name="Billing", order=5, category="billing",
                                       containment=timedelta(hours=4))
    services.escalation_triage(escalation=escalation, by=lead, priority="P3",
                               category="billing", owner=lead, at=at(hours=1))
    clock = clock_map(escalation)[CONTAINMENT_CLOCK]
    assert clock.started_at == at() and clock.due_at == at(hours=4)


def test_a_clock_already_stopped_keeps_its_outcome_when_the_policy_changes(
        triaged, lead, policy):
    services.escalation_contain(escalation=triaged, by=lead, note="Called back",
                                at=at(minutes=30))
    EscalationSlaPolicy.objects.create(name="P1", order=1, priority="P1",
                                       first_response=timedelta(minutes=5))
    services.escalation_edit(escalation=triaged, by=lead, priority="P1", at=at(hours=1))
    first = clock_map(triaged)[FIRST_RESPONSE_CLOCK]
    assert first.state == ClockState.STOPPED and first.target == timedelta(hours=1)
