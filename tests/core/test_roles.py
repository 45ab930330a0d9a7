"""Role groups are seeded with real permissions, declared once in core/roles.py."""

import pytest
from django.contrib.auth.models import Group

from core.choices import Role
from core.roles import sync_role_groups

pytestmark = pytest.mark.django_db


def perms(role):
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_every_role_group_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_manager_configures_teams():
    assert {"core.add_team", "core.change_team", "core.delete_team"} <= perms(Role.MANAGER)


@pytest.mark.parametrize(
    ("role", "can_see_money"),
    [
        (Role.MANAGER, True),
        (Role.VENDOR_MANAGER, True),
        (Role.FINANCE, True),
        (Role.INCIDENT_RESPONDER, False),
        (Role.ESCALATION_LEAD, False),
        (Role.VIEWER, False),
    ],
)
def test_money_is_visible_only_to_manager_vendor_manager_and_finance(role, can_see_money):
    assert ("core.view_money" in perms(role)) is can_see_money


@pytest.mark.parametrize(
    ("role", "can_see_personal_data"),
    [
        (Role.MANAGER, True),
        (Role.ESCALATION_LEAD, True),
        (Role.INCIDENT_RESPONDER, False),
        (Role.VENDOR_MANAGER, False),
        (Role.FINANCE, False),
        (Role.VIEWER, False),
    ],
)
def test_customer_personal_data_only_for_roles_that_need_it(role, can_see_personal_data):
    assert ("core.view_customer_personal_data" in perms(role)) is can_see_personal_data


@pytest.mark.parametrize("role", Role.values)
def test_nobody_may_edit_history(role):
    assert not {
        p for p in perms(role)
        if "historical" in p and not p.split(".")[1].startswith("view_")
    }


def test_viewer_only_reads():
    assert all(p.split(".")[1].startswith("view_") for p in perms(Role.VIEWER))


def test_sync_is_idempotent_and_repairs_drift():
    group = Group.objects.get(name=Role.VIEWER)
    before = perms(Role.VIEWER)
    group.permissions.clear()

    sync_role_groups()
    sync_role_groups()

    assert perms(Role.VIEWER) == before
    assert Group.objects.filter(name=Role.VIEWER).count() == 1


def test_only_managers_configure_escalation_sla_policies():
    assert "escalations.change_escalationslapolicy" in perms(Role.MANAGER)
    assert "escalations.change_escalationslapolicy" not in perms(Role.ESCALATION_LEAD)
    assert "escalations.change_escalation" in perms(Role.ESCALATION_LEAD)
