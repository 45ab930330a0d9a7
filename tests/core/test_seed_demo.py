import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core.choices import Role
from core.models import Team

pytestmark = pytest.mark.django_db


def snapshot():
    users = get_user_model().objects.order_by("username")
    return (
        [(u.username, u.password, sorted(g.name for g in u.groups.all())) for u in users],
        list(Team.objects.order_by("slug").values_list("slug", "lead__username")),
        Team.history.count(),
    )


def test_seed_creates_one_user_per_role_and_prints_logins(capsys):
    call_command("seed_demo", "--force", "--without-history")

    out = capsys.readouterr().out
    for role in Role.values:
        assert get_user_model().objects.filter(groups__name=role, is_active=True).count() == 1
        assert role in out
    assert "switchboard-demo" in out
    assert Team.objects.count() == 5


def test_seed_is_idempotent():
    call_command("seed_demo", "--force", "--without-history")
    first = snapshot()
    call_command("seed_demo", "--force", "--without-history")
    assert snapshot() == first


def test_a_changed_demo_password_is_kept(capsys):
    call_command("seed_demo", "--force", "--without-history")
    manager = get_user_model().objects.get(username="manager")
    manager.set_password("my-own-secret-passphrase")
    manager.save()

    call_command("seed_demo", "--force", "--without-history")

    manager.refresh_from_db()
    assert manager.check_password("my-own-secret-passphrase")
    assert "unless you changed it" in capsys.readouterr().out


def test_seed_refuses_to_run_on_a_production_configuration(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="manager").exists()
