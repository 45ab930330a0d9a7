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


@pytest.fixture
def office():
    """Mon–Fri 09:00–17:00 Europe/London."""
    from datetime import time

    from core.calendars import calendar_save
    from core.models import BusinessCalendar

    calendar = BusinessCalendar(name="Escalation desk", time_zone="Europe/London")
    return calendar_save(calendar=calendar, ranges=[(d, time(9), time(17)) for d in range(5)],
                         by=None, reason="test")


@pytest.fixture
def policy():
    """Any escalation: first response 1h, containment 4h, resolution 2 days (24×7);
    only the resolution clock pauses while awaiting the customer, for at most 2h."""
    from datetime import timedelta

    from escalations.clock_kinds import RESOLUTION_CLOCK
    from escalations.models import EscalationSlaPolicy

    return EscalationSlaPolicy.objects.create(
        name="Default", order=100, first_response=timedelta(hours=1),
        containment=timedelta(hours=4), resolution=timedelta(days=2),
        pause_in_awaiting_customer=[RESOLUTION_CLOCK], pause_cap=timedelta(hours=2),
    )


@pytest.fixture
def open_escalation(lead, customer, policy):
    from tests.escalations.support import at

    def make(**kwargs):
        values = {"category": "complaint", "priority": "P2", "summary": "Billed twice",
                  "owner": lead, "at": at()}
        values.update(kwargs)
        return services.escalation_create(by=lead, customer=customer, **values)

    return make


@pytest.fixture
def triaged(open_escalation, lead):
    from tests.escalations.support import at

    return services.escalation_triage(escalation=open_escalation(), by=lead, at=at())
