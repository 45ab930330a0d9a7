import pytest
from django.core.management import call_command

from escalations.choices import EscalationState
from escalations.demo import seed_customers, seed_escalations
from escalations.models import Escalation, EscalationSlaPolicy

pytestmark = pytest.mark.django_db


def test_demo_escalations_cover_every_state_once_and_only_once():
    call_command("seed_demo", "--force", "--without-history")
    seed_customers()

    created = seed_escalations()

    assert created == Escalation.objects.count() == 9
    assert set(Escalation.objects.values_list("state", flat=True)) == set(EscalationState.values)
    assert EscalationSlaPolicy.objects.count() == 5
    assert not Escalation.objects.filter(policy__isnull=True).exists()
    assert seed_escalations() == 0
