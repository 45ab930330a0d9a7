"""What the vendors app registers for the others: the area, the dashboard tile for
contract dates, the permissions per role."""

from datetime import UTC, date, datetime

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


def test_the_tile_is_for_roles_that_read_contracts(make_user):
    assert "vendors.contract_dates" in [t.key for t in registry.dashboard_tiles(
        make_user(Role.VIEWER))]
