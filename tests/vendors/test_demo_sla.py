"""Demo SLAs: objectives shaped like public vendor SLAs, a year of measurements, and
credits in every state with one claim window closing this week."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from vendors.choices import CreditState
from vendors.models import Compliance, Measurement, ServiceCredit, SlaObjective
from vendors.sla_selectors import credits_closing, credits_lost, vendors_ranked

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_objectives_like_public_vendor_slas_with_a_year_of_measurements(seeded):
    names = set(SlaObjective.objects.values_list("contract__vendor__name", "name"))
    assert {("Nimbus CX", "Monthly uptime"), ("Northwind Telecom", "Voice uptime"),
            ("Kaapstad Contact Partners", "Service level 80/20"),
            ("Orbit CRM", "P1 support response")} <= names
    assert SlaObjective.objects.filter(name="Voice uptime").count() == 2  # two versions
    level = Measurement.objects.filter(objective__name="Service level 80/20")
    assert level.count() == 12
    assert Compliance.objects.filter(objective__name="Monthly uptime").count() == 12


def test_credits_in_every_state_and_one_window_closing_this_week(seeded):
    states = set(ServiceCredit.objects.values_list("state", flat=True))
    assert states == set(CreditState.values)
    today = timezone.localdate()
    closing = credits_closing(today)
    assert any(c.claim_deadline <= today + timedelta(days=7) for c in closing)
    received = ServiceCredit.objects.filter(state=CreditState.RECEIVED)
    assert any(c.received_amount < c.claimed_amount for c in received)  # accepted in part
    lost = credits_lost()
    assert lost.count >= 1 and lost.total > 0


def test_vendors_are_ranked_by_score(seeded):
    ranked = vendors_ranked()
    assert len(ranked) >= 3
    assert [r["score"] for r in ranked] == sorted((r["score"] for r in ranked), reverse=True)
