import pytest
from django.core.management import call_command

from escalations.choices import CustomerTier
from escalations.demo import seed_customers
from escalations.models import Customer

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
