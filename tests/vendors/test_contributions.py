"""What the vendors app registers for the others: the area, the dashboard tile for
contract dates, the permissions per role."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.template.loader import render_to_string

from core import registry
from core.choices import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", Role.values)
def test_every_role_sees_the_vendors_area(make_user, role):
    assert "vendors" in [area.key for area in registry.visible_areas(make_user(role))]


@pytest.mark.parametrize(("role", "edits"), [
    (Role.MANAGER, True), (Role.VENDOR_MANAGER, True), (Role.INCIDENT_RESPONDER, False),
    (Role.ESCALATION_LEAD, False), (Role.FINANCE, False), (Role.VIEWER, False)])
def test_vendor_managers_and_managers_edit_the_rest_read(make_user, role, edits):
    user = make_user(role)
    assert user.has_perm("vendors.view_contract")
    assert user.has_perm("vendors.change_contract") is edits
    assert user.has_perm("vendors.add_vendor") is edits


def test_the_system_actor_may_renew_and_expire(db):
    from core.audit import system_user

    assert system_user().has_perm("vendors.manage_contract")


def tile():
    return next(t for t in registry._TILES.values() if t.key == "vendors.contract_dates")


def test_the_dashboard_tile_shows_missed_notice_dates(make_contract, victor):
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        assert tile().context(victor, now) is None
        make_contract(end_date=date(2026, 5, 20))  # notice date 19 Feb, undecided
        context = tile().context(victor, now)
        html = render_to_string(tile().template, context)
    assert 'data-testid="notice-missed"' in html
    assert "CTR-2026-0001" in html


def test_the_tile_is_on_the_vendor_managers_dashboard(make_user):
    assert "vendors.contract_dates" in [t.key for t in registry.dashboard_tiles(
        make_user(Role.VENDOR_MANAGER))]
    # A dashboard per role: a viewer's shows the operation, not contract dates.
    assert "vendors.contract_dates" not in [t.key for t in registry.dashboard_tiles(
        make_user(Role.VIEWER))]


def test_many_escalations_naming_one_vendor_suggest_its_outage(client, carrier, victor,
                                                              make_user, settings):
    """The escalation burst's vendor dimension: three unlinked escalations naming the
    carrier in the window make a burst; a withdrawn or an older one does not count."""
    from escalations import services as escalation_services
    from escalations.models import Customer
    from vendors import services
    from vendors.selectors import vendor_escalation_bursts

    settings.ESCALATION_BURST_THRESHOLD = 3
    settings.ESCALATION_BURST_WINDOW_MINUTES = 30
    lead = make_user(Role.ESCALATION_LEAD, username="elena")
    customer = Customer.objects.create(name="Kestrel", account_reference="ACC-1")
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)

    def complaint(minutes_ago, summary):
        escalation = escalation_services.escalation_create(
            by=lead, customer=customer, category="technical", priority="P2",
            summary=summary, owner=lead, at=now - timedelta(minutes=minutes_ago))
        services.attribution_add(vendor=carrier, by=lead, escalation=escalation,
                                 reason="Calls drop")
        return escalation

    with time_machine.travel(now, tick=False):
        complaint(45, "Too old for the window")
        complaint(20, "Line dead")
        complaint(10, "Calls drop")
        assert vendor_escalation_bursts(now=now) == []
        third = complaint(5, "No dial tone")
        [burst] = vendor_escalation_bursts(now=now)
        assert (burst["vendor"], burst["vendor__name"], burst["count"]) == (
            carrier.pk, carrier.name, 3)
        client.force_login(make_user(Role.INCIDENT_RESPONDER))
        page = client.get("/").content.decode()
        assert 'data-testid="vendor-escalation-burst"' in page
        assert f"3 escalations naming {carrier.name}" in page
        escalation_services.escalation_withdraw(escalation=third, by=lead, reason="Dupe")
        assert vendor_escalation_bursts(now=now) == []


def test_the_home_page_draws_the_contract_dates_tile(client, make_contract, victor):
    """Through the real home page (it hands a tile its data as ``tile``): the date
    chips need today's date there too — without it the whole page answered 500."""
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        make_contract(end_date=date(2026, 5, 20))  # notice date 19 Feb, undecided
        make_contract(title="CRM", end_date=date(2026, 7, 31))  # notice 2 May: in window
        client.force_login(victor)
        response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="notice-missed"' in page
    assert "CTR-2026-0002" in page
