from decimal import Decimal

import pytest

from core.choices import Role
from escalations import services


@pytest.fixture
def lead(make_user):
    return make_user(Role.ESCALATION_LEAD, username="elena")


@pytest.fixture
def customer(manager):
    return services.customer_create(
        by=manager, name="Harriet Okafor", account_reference="ACC-104200", tier="vip",
        annual_value=Decimal("84000.00"), email="harriet.okafor@example.com",
        phone="07700 900123", address="12 High Street\nLeeds", notes="Prefers email.",
    )
