"""The escalation demo: customers of every tier, escalations in every state, the
ladder, regulators, compensation, a burst and links to demo incidents."""

import pytest
from django.core.management import call_command

from escalations.choices import CustomerTier, EscalationState
from escalations.clock_kinds import REGULATORY_CLOCK
from escalations.demo import BURST, STORIES, seed_customers, seed_escalations
from escalations.models import (
    Customer,
    Escalation,
    EscalationIncidentLink,
    EscalationSlaPolicy,
    TierChange,
)
from escalations.selectors import escalation_bursts
from tests.escalations.support import clock_map

pytestmark = pytest.mark.django_db



def test_demo_customers_cover_every_tier_and_seed_once():
    call_command("seed_demo", "--force", "--without-history")  # the demo users
    assert seed_customers() == 40
    assert set(Customer.objects.values_list("tier", flat=True)) == set(CustomerTier.values)
    assert Customer.history.count() == 40
    assert seed_customers() == 0
    assert Customer.objects.count() == 40


def test_no_demo_customers_without_the_demo_manager():
    assert seed_customers() == 0



@pytest.fixture
def demo():
    call_command("seed_demo", "--force", "--without-history")
    seed_customers()
    return seed_escalations()


def test_demo_escalations_cover_every_state_once_and_only_once(demo):
    assert demo == Escalation.objects.count() == len(STORIES) + len(BURST)
    assert set(Escalation.objects.values_list("state", flat=True)) == set(EscalationState.values)
    assert EscalationSlaPolicy.objects.count() == 5
    assert not Escalation.objects.filter(policy__isnull=True).exists()
    assert seed_escalations() == 0


def test_demo_shows_the_ladder_regulators_compensation_and_a_burst(demo):
    assert TierChange.objects.filter(acknowledged_at__isnull=True).exists()
    assert TierChange.objects.filter(acknowledged_at__isnull=False).exists()
    regulatory = Escalation.objects.filter(regulatory_regime__isnull=False)
    assert regulatory.count() == 2
    for escalation in regulatory:
        assert REGULATORY_CLOCK in clock_map(escalation)
    assert Escalation.objects.filter(compensation_approved__isnull=False).count() == 3
    pending = Escalation.objects.get(compensation_offered__isnull=False,
                                     compensation_approved__isnull=True)
    assert pending.compensation_offered > 250  # above the lead's limit: a manager approves
    bursts = escalation_bursts()
    assert [(b["category"], b["channel__key"], b["count"]) for b in bursts] == [
        ("technical", "chat", len(BURST))]


def test_demo_links_voice_complaints_to_demo_incidents():
    call_command("seed_demo", "--force")  # with the months of incidents
    assert EscalationIncidentLink.objects.count() >= 3
    for link in EscalationIncidentLink.objects.select_related("incident", "escalation"):
        assert link.incident.channels.filter(key="voice").exists()
