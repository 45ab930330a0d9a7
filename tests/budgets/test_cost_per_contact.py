"""Cost per contact on the KPI pages: the spend of the vendors running the queues,
allocated by their share of the vendor's handled contacts (budgets/cost_per_contact.py)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from budgets import services
from budgets.cost_per_contact import spend
from core.choices import Role
from kpis import services as kpi_services
from kpis.spend import spend_for
from tests.kpis.conftest import counts

pytestmark = pytest.mark.django_db

D = Decimal
MAY_2 = datetime(2026, 5, 2, 9, tzinfo=UTC)
START, END = datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 5, 4, tzinfo=UTC)


def interval(queue, start, **values):
    from kpis.models import IntervalStat

    return IntervalStat.objects.create(queue=queue, start=start, length_minutes=30,
                                       **counts(**values))


@pytest.fixture
def queues(manager, platform):
    """Skyline runs voice (300 handled) and chat (100 handled); email is in-house (50)."""
    voice = kpi_services.queue_create(by=manager, name="Skyline voice", channel="voice",
                                      vendor=platform)
    chat = kpi_services.queue_create(by=manager, name="Skyline chat", channel="chat",
                                     vendor=platform)
    email = kpi_services.queue_create(by=manager, name="Email", channel="email")
    for queue, handled in [(voice, 300), (chat, 100), (email, 50)]:
        interval(queue, MAY_2, offered=handled, answered=handled, handled=handled)
    return voice, chat, email


@pytest.fixture
def may_spend(finance, vendor_budget, platform):
    """2,000.00 of Skyline in May; the April invoice is outside the period."""
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 5, 2),
                          amount="2000.00", vendor=platform, invoice_reference="SK-0502")
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 4, 30),
                          amount="9999.00", vendor=platform, invoice_reference="SK-0430")


def test_spend_is_allocated_by_share_of_handled_contacts(queues, may_spend):
    voice, chat, email = queues
    assert spend([voice.pk], START, END) == D("1500.00")  # 2,000 × 300 ÷ 400
    assert spend([chat.pk], START, END) == D("500.00")  # 2,000 × 100 ÷ 400
    assert spend([voice.pk, chat.pk], START, END) == D("2000.00")
    assert spend([email.pk], START, END) is None  # nobody's spend runs it
    assert spend_for([voice.pk], START, END) == D("1500.00")  # registered with kpis


def test_no_spend_in_the_period_is_none(queues, may_spend):
    voice, _, _ = queues
    assert spend([voice.pk], datetime(2026, 3, 1, tzinfo=UTC),
                 datetime(2026, 4, 1, tzinfo=UTC)) is None


def test_a_received_credit_lowers_the_spend(queues, may_spend, received_credit):
    voice, _, _ = queues
    # The April uptime credit (920.00) was received on 3 May: 2,000 − 920 = 1,080.
    assert spend([voice.pk], START, END) == D("810.00")  # 1,080 × 300 ÷ 400


def test_nothing_handled_shares_evenly(finance, vendor_budget, platform, manager):
    a = kpi_services.queue_create(by=manager, name="A", channel="voice", vendor=platform)
    kpi_services.queue_create(by=manager, name="B", channel="voice", vendor=platform)
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 5, 2),
                          amount="100.01", vendor=platform)
    assert spend([a.pk], START, END) == D("50.01")  # 50.005, rounded half up once


@pytest.fixture
def login(client, make_user):
    def as_role(role):
        client.force_login(make_user(role, username=f"web-{role}".replace(" ", "")))
        return client

    return as_role


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE, Role.VENDOR_MANAGER,
                                  Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VIEWER])
def test_the_kpi_page_shows_cost_per_contact_to_money_roles(login, queues, may_spend, role):
    html = login(role).get("/kpis/?period=month").content.decode()
    money = role in {Role.MANAGER, Role.FINANCE, Role.VENDOR_MANAGER}
    assert 'data-queue="Skyline voice"' in html
    assert ('data-testid="cost-per-contact"' in html) == money
    if money:
        cells = html.split('data-testid="cost-per-contact">')[1:]
        values = [cell.split("<")[0] for cell in cells]
        # Skyline voice and chat: 1,500 ÷ 300 and 500 ÷ 100; Email has no spend.
        assert sorted(values) == ["5.00", "5.00", "—"]
