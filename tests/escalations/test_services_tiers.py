"""The tier ladder: escalating and de-escalating with a reason, acknowledgement by the
receiving tier's leads, the renotify sweep, and the automatic escalation when an SLA
clock breaches (exactly once per clock, however often the sweep runs)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import system_user
from core.choices import Role
from core.models import Notification, Team
from core.sweep import sweep
from escalations import services
from escalations.choices import EscalationTimelineKind, Tier
from escalations.clock_kinds import RESOLUTION_CLOCK
from escalations.models import Escalation, EscalationSlaPolicy, TierChange, TierDirection

pytestmark = pytest.mark.django_db

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(hours=0, minutes=0, days=0):
    return MONDAY_9 + timedelta(days=days, hours=hours, minutes=minutes)


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def desk_lead(make_user):
    """Leads L2: a member of the escalation-desk team."""
    user = make_user(Role.ESCALATION_LEAD, username="dora")
    team = Team.objects.create(name="Escalation Desk", slug="escalation-desk")
    team.members.add(user)
    return user


@pytest.fixture
def policy():
    """Only a resolution clock (2 days, 24×7), so one clock breaches."""
    return EscalationSlaPolicy.objects.create(name="Resolution only", order=100,
                                              resolution=timedelta(days=2))


@pytest.fixture
def escalation(lead, customer, policy, desk_lead):
    return services.escalation_create(by=lead, customer=customer, category="complaint",
                                      priority="P2", summary="Billed twice", owner=lead,
                                      at=at())


def titles(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# --- Escalate / de-escalate ------------------------------------------------------------


def test_escalate_moves_one_tier_up_with_reason_timeline_history_and_notice(
        escalation, lead, desk_lead):
    change = services.escalation_escalate_tier(escalation=escalation, by=lead,
                                               reason="VIP threatens to leave", at=at(1))
    escalation = reload(escalation)
    assert escalation.tier == Tier.L2
    assert (change.from_tier, change.to_tier, change.direction) == ("L1", "L2", "up")
    assert change.requested_by == lead and not change.automatic
    assert change.notify_attempts == 1
    assert change.next_notify_at == at(1) + timedelta(minutes=30)
    latest = escalation.history.latest()
    assert latest.history_user == lead
    assert "VIP threatens to leave" in latest.history_change_reason
    assert change.history.latest().history_user == lead
    assert escalation.timeline.filter(kind=EscalationTimelineKind.TRANSITION,
                                      text__contains="Escalated to L2").exists()
    assert any("escalated to L2" in t for t in titles(desk_lead))


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_escalate_and_deescalate_need_a_reason(escalation, lead, reason):
    with pytest.raises(ValidationError) as error:
        services.escalation_escalate_tier(escalation=escalation, by=lead, reason=reason)
    assert "reason" in error.value.message_dict
    services.escalation_escalate_tier(escalation=escalation, by=lead, reason="Up")
    with pytest.raises(ValidationError) as error:
        services.escalation_deescalate_tier(escalation=escalation, by=lead, reason=reason)
    assert "reason" in error.value.message_dict
    assert reload(escalation).tier == Tier.L2


def test_escalate_is_refused_at_l4(escalation, lead):
    for _ in range(3):
        services.escalation_escalate_tier(escalation=escalation, by=lead, reason="Worse")
    assert reload(escalation).tier == Tier.L4
    with pytest.raises(ValidationError, match="already at L4"):
        services.escalation_escalate_tier(escalation=escalation, by=lead, reason="Worse")
    assert reload(escalation).tier == Tier.L4
    assert TierChange.objects.filter(escalation=escalation).count() == 3


def test_deescalate_moves_down_and_is_refused_at_l1(escalation, lead):
    with pytest.raises(ValidationError, match="bottom of the ladder"):
        services.escalation_deescalate_tier(escalation=escalation, by=lead, reason="Calm")
    up = services.escalation_escalate_tier(escalation=escalation, by=lead, reason="Angry")
    down = services.escalation_deescalate_tier(escalation=escalation, by=lead,
                                               reason="Refund accepted")
    assert reload(escalation).tier == Tier.L1
    assert (down.from_tier, down.to_tier, down.direction) == ("L2", "L1", TierDirection.DOWN)
    assert down.next_notify_at is None
    # The pending acknowledgement of the superseded escalation stops reminding.
    assert reload(up).next_notify_at is None
    latest = reload(escalation).history.latest()
    assert latest.history_user == lead and "Refund accepted" in latest.history_change_reason
    assert escalation.timeline.filter(text__contains="De-escalated to L1").exists()


def test_a_viewer_cannot_change_the_tier(escalation, viewer):
    with pytest.raises(PermissionDenied):
        services.escalation_escalate_tier(escalation=escalation, by=viewer, reason="x")


# --- Acknowledgement -------------------------------------------------------------------


def test_only_the_receiving_tiers_lead_or_a_manager_acknowledges_once(
        escalation, lead, desk_lead, manager):
    change = services.escalation_escalate_tier(escalation=escalation, by=lead, reason="VIP")
    # ``lead`` is an escalation lead but not in the L2 team.
    with pytest.raises(PermissionDenied):
        services.tier_change_acknowledge(tier_change=change, by=lead)
    services.tier_change_acknowledge(tier_change=change, by=desk_lead, at=at(1))
    change = reload(change)
    assert change.acknowledged_by == desk_lead and change.acknowledged_at == at(1)
    assert change.next_notify_at is None
    assert change.history.latest().history_user == desk_lead
    assert escalation.timeline.filter(text__contains="acknowledged by").exists()
    with pytest.raises(ValidationError, match="Already acknowledged"):
        services.tier_change_acknowledge(tier_change=change, by=manager)


def test_a_manager_acknowledges_a_tier_without_a_team(escalation, lead, desk_lead, manager):
    services.escalation_escalate_tier(escalation=escalation, by=lead, reason="VIP")
    change = services.escalation_escalate_tier(escalation=escalation, by=lead, reason="Worse")
    assert change.to_tier == Tier.L3  # no L3 team: the managers lead it
    assert any("escalated to L3" in t for t in titles(manager))
    with pytest.raises(PermissionDenied):
        services.tier_change_acknowledge(tier_change=change, by=desk_lead)
    services.tier_change_acknowledge(tier_change=change, by=manager)
    assert reload(change).acknowledged_by == manager


# --- Renotify sweep --------------------------------------------------------------------


def test_renotify_reminds_then_tells_the_tier_above_exactly_once(
        escalation, lead, desk_lead, manager):
    change = services.escalation_escalate_tier(escalation=escalation, by=lead, reason="VIP",
                                               at=at())
    assert services.tier_changes_renotify(now=at(minutes=29))["renotified"] == 0

    assert services.tier_changes_renotify(now=at(minutes=30))["renotified"] == 1
    assert services.tier_changes_renotify(now=at(minutes=30))["renotified"] == 0  # re-run
    change = reload(change)
    assert change.notify_attempts == 2 and change.next_notify_at == at(minutes=60)

    assert services.tier_changes_renotify(now=at(minutes=60))["renotified"] == 1
    assert reload(change).notify_attempts == 3
    assert sum("Reminder" in t for t in titles(desk_lead)) == 2

    # Attempts used up: the tier above (L3 has no team, so the managers) is told once.
    assert services.tier_changes_renotify(now=at(minutes=90))["escalated"] == 1
    for later in (at(minutes=90), at(hours=5)):
        assert services.tier_changes_renotify(now=later) == {
            "renotified": 0, "escalated": 0, "stopped": 0, "failed": 0}
    change = reload(change)
    assert change.escalated_further and change.next_notify_at is None
    assert change.notify_attempts == 3
    assert sum("did not acknowledge" in t for t in titles(manager)) == 1
    assert change.history.latest().history_user == system_user()
    assert escalation.timeline.filter(text__contains="not acknowledged after 3").count() == 1


def test_renotify_stops_when_acknowledged(escalation, lead, desk_lead):
    change = services.escalation_escalate_tier(escalation=escalation, by=lead, reason="VIP",
                                               at=at())
    services.tier_change_acknowledge(tier_change=change, by=desk_lead, at=at(minutes=10))
    assert services.tier_changes_renotify(now=at(hours=5))["renotified"] == 0
    assert reload(change).notify_attempts == 1


def test_renotify_at_l4_tells_the_managers(escalation, lead, manager, settings):
    settings.ESCALATION_TIER_NOTIFY_ATTEMPTS = 1
    services.escalation_escalate_tier(escalation=escalation, by=lead, reason="a", at=at())
    services.escalation_escalate_tier(escalation=escalation, by=lead, reason="b", at=at())
    change = services.escalation_escalate_tier(escalation=escalation, by=lead, reason="c",
                                               at=at())
    assert change.to_tier == Tier.L4
    assert services.tier_changes_renotify(now=at(hours=1))["escalated"] == 1
    assert sum("L4 did not acknowledge" in t for t in titles(manager)) == 1


def test_renotify_task_runs_the_sweep(escalation, lead):
    from escalations.tasks import renotify_tier_changes

    services.escalation_escalate_tier(escalation=escalation, by=lead, reason="VIP",
                                      at=at())
    assert renotify_tier_changes()["renotified"] == 1  # now is long after 2026-03-02


# --- SLA clocks drive the ladder -------------------------------------------------------


def test_owner_is_notified_at_75_percent(escalation, lead):
    sweep(now=at(hours=36))  # 75 % of 2 days
    assert any("Resolution at 75%" in t for t in titles(lead))
    assert reload(escalation).tier == Tier.L1


def test_a_breached_clock_escalates_one_tier_exactly_once(escalation, desk_lead):
    first = sweep(now=at(days=2, minutes=1))
    assert first["breaches"] == 1
    again = sweep(now=at(days=2, minutes=1))
    assert again["breaches"] == 0
    sweep(now=at(days=5))
    escalation = reload(escalation)
    assert escalation.tier == Tier.L2
    change = TierChange.objects.get(escalation=escalation)
    assert change.automatic and change.requested_by == system_user()
    assert change.reason == "Resolution breached"
    assert change.requested_at == at(days=2)  # the breach instant
    latest = escalation.history.latest()
    assert latest.history_user == system_user()
    assert "Resolution breached" in latest.history_change_reason
    assert escalation.timeline.filter(text__contains="Escalated automatically").count() == 1
    assert any("escalated to L2" in t for t in titles(desk_lead))


def test_a_breach_at_l4_does_not_fail_the_sweep(escalation, lead):
    for _ in range(3):
        services.escalation_escalate_tier(escalation=escalation, by=lead, reason="Worse",
                                          at=at())
    totals = sweep(now=at(days=3))
    assert totals["breaches"] == 1 and totals["failed"] == 0
    assert reload(escalation).tier == Tier.L4
    assert TierChange.objects.filter(escalation=escalation).count() == 3
    assert Escalation.objects.get(pk=escalation.pk).timeline.filter(
        text__contains="already at L4").count() == 1
    assert sweep(now=at(days=3))["breaches"] == 0


def test_the_clock_kinds_warn_at_50_and_75(escalation):
    from core.clocks import clocks_of

    clock = next(c for c in clocks_of(escalation) if c.kind == RESOLUTION_CLOCK)
    assert clock.warn_thresholds == [50, 75]


# --- Through the API -------------------------------------------------------------------


def test_tier_ladder_through_the_api(api_as, lead, desk_lead, escalation, viewer):
    url = f"/api/escalations/{escalation.pk}"
    refused = api_as(lead).post(f"{url}/escalate-tier/", {"reason": ""})
    assert refused.status_code == 400
    assert "reason" in refused.json()["errors"]

    response = api_as(lead).post(f"{url}/escalate-tier/", {"reason": "VIP threatens to leave"})
    assert response.status_code == 200
    assert response.json()["tier"] == Tier.L2
    assert titles(desk_lead) == [
        f"{escalation.reference} escalated to L2: please acknowledge"]

    assert api_as(viewer).post(f"{url}/escalate-tier/", {"reason": "x"}).status_code == 403
    assert api_as(viewer).post(f"{url}/acknowledge-tier/").status_code == 403
    acknowledged = api_as(desk_lead).post(f"{url}/acknowledge-tier/")
    assert acknowledged.status_code == 200
    assert reload(escalation).tier_changes.get().acknowledged_by == desk_lead
    again = api_as(desk_lead).post(f"{url}/acknowledge-tier/")
    assert again.status_code == 400
    assert "no unacknowledged tier change" in again.json()["errors"]["tier"][0]

    down = api_as(lead).post(f"{url}/deescalate-tier/", {"reason": "Refund agreed"})
    assert down.json()["tier"] == Tier.L1


# --- One definition of "waiting for acknowledgement" ------------------------------------


def test_a_de_escalation_ends_the_wait_for_acknowledgement_on_the_page_and_for_breaches(
        client, escalation, lead, desk_lead):
    """Escalated L1 → L2, then back to L1: nobody at L2 has anything to acknowledge.
    The page used to keep showing "not acknowledged" with an Acknowledge button while
    the breach action saw nothing pending; both now ask pending_tier_change."""
    from escalations.selectors import pending_tier_change

    services.escalation_escalate_tier(escalation=escalation, by=lead, reason="Angry",
                                      at=at(minutes=5))
    assert pending_tier_change(reload(escalation)).to_tier == Tier.L2
    services.escalation_deescalate_tier(escalation=escalation, by=lead, reason="Calmer",
                                        at=at(minutes=10))
    escalation = reload(escalation)
    client.force_login(desk_lead)

    page = client.get(escalation.get_absolute_url()).text

    assert pending_tier_change(escalation) is None
    assert 'data-testid="tier-pending"' not in page
    assert 'data-testid="tier-acknowledge"' not in page
    # The next breach climbs (nothing is waiting), exactly once.
    sweep(now=at(days=2, minutes=1))
    assert reload(escalation).tier == Tier.L2


def test_an_unacknowledged_climb_stays_pending_after_its_reminders_run_out(
        escalation, lead, desk_lead, settings):
    from escalations.selectors import pending_tier_change

    settings.ESCALATION_TIER_NOTIFY_ATTEMPTS = 1
    services.escalation_escalate_tier(escalation=escalation, by=lead, reason="Angry", at=at())
    services.tier_changes_renotify(now=at(hours=2))  # reminders used up: tier above told

    pending = pending_tier_change(reload(escalation))

    assert pending is not None and pending.escalated_further
    sweep(now=at(days=2, minutes=1))  # the breach does not climb past a waiting tier
    assert reload(escalation).tier == Tier.L2


# --- The sweep's set-based path (a burst) writes what the clock-by-clock path writes ---


def _three_breach_outcomes(customer, lead, created):
    """Escalations whose resolution clock breaches two days after ``created``: one
    climbs to L2, one is still waiting for L2 to acknowledge, one is already at L4."""
    def make(summary):
        return services.escalation_create(by=lead, customer=customer, category="complaint",
                                          priority="P2", summary=summary, owner=lead,
                                          at=created)
    climbs, waits, at_top = make("Climbs"), make("Waits"), make("At the top")
    services.escalation_escalate_tier(escalation=waits, by=lead, reason="Angry", at=created)
    for _ in range(3):
        services.escalation_escalate_tier(escalation=at_top, by=lead, reason="Worse",
                                          at=created)
    return climbs, waits, at_top


def _what_the_breach_wrote(escalation, since):
    escalation = reload(escalation)
    entries = [(e.kind, e.event, e.params, e.text, e.actor_id,
                e.history.earliest().history_user_id)
               for e in escalation.timeline.filter(at__gte=since).order_by("pk")]
    changes = [(c.from_tier, c.to_tier, c.reason, c.automatic, c.requested_by_id,
                c.history.earliest().history_change_reason)
               for c in TierChange.objects.filter(escalation=escalation, requested_at__gte=since)]
    latest = escalation.history.latest()
    return {"tier": escalation.tier, "entries": entries, "changes": changes,
            "history": (latest.history_user_id, latest.history_change_reason)}


def test_a_burst_swept_by_chunk_writes_what_the_clock_by_clock_sweep_writes(
        customer, lead, desk_lead, policy, caplog):
    import logging

    by_chunk = _three_breach_outcomes(customer, lead, created=at())
    clock_by_clock = _three_breach_outcomes(customer, lead, created=at(days=1))

    with caplog.at_level(logging.WARNING, logger="core.due_rows"):
        first = sweep(now=at(days=2, minutes=1))  # the first three only
    assert not [r for r in caplog.records if "failed set-based" in r.getMessage()]
    second = sweep(now=at(days=3, minutes=1), set_based=False)
    assert first["breaches"] == second["breaches"] == 3
    assert first["failed"] == second["failed"] == 0

    for chunked, one_by_one in zip(by_chunk, clock_by_clock, strict=True):
        assert _what_the_breach_wrote(chunked, at(days=2)) == \
            _what_the_breach_wrote(one_by_one, at(days=3))
    assert [reload(e).tier for e in by_chunk] == [Tier.L2, Tier.L2, Tier.L4]
    climbed = _what_the_breach_wrote(by_chunk[0], at(days=2))
    assert [(kind, event) for kind, event, *_ in climbed["entries"]][-1] == (
        EscalationTimelineKind.TRANSITION, "tier-escalated")
