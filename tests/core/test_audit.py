"""Every change is in history with who and why."""

import pytest

from core.audit import SYSTEM_USERNAME, acting_as, audited, save_with_audit, system_user
from core.models import Team
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_save_with_audit_records_actor_and_reason(manager):
    team = TeamFactory.build()

    save_with_audit(team, by=manager, reason="New night shift desk")

    entry = team.history.get()
    assert (entry.history_user, entry.history_change_reason) == (manager, "New night shift desk")
    assert not hasattr(team, "_change_reason")  # a later save must state its own reason


def test_a_change_without_a_reason_is_refused(manager):
    with pytest.raises(ValueError, match="reason"):
        save_with_audit(TeamFactory.build(), by=manager, reason="")
    assert Team.objects.count() == 0


def test_background_work_is_attributed_to_the_system_user():
    team = TeamFactory.build()

    save_with_audit(team, by=None, reason="Nightly import")

    entry = team.history.get()
    assert entry.history_user.username == SYSTEM_USERNAME
    assert not entry.history_user.is_active
    assert not entry.history_user.has_usable_password()


def test_many_to_many_changes_are_audited_too(manager, viewer):
    team = TeamFactory()

    with audited(team, by=manager, reason="Vera joins"):
        team.members.add(viewer)

    latest = team.history.order_by("-history_id").first()
    assert latest.history_change_reason == "Vera joins"
    assert latest.history_user == manager
    assert [m.user for m in latest.members.all()] == [viewer]


def test_acting_as_attributes_plain_saves_and_restores(manager):
    with acting_as(manager):
        TeamFactory(name="Night desk")
    TeamFactory(name="Day desk")

    assert Team.history.get(name="Night desk").history_user == manager
    assert Team.history.get(name="Day desk").history_user is None


def test_system_user_is_seeded_once():
    assert system_user() == system_user()
