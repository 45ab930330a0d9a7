"""People and access without a superuser: managers invite, set roles and teams,
deactivate, reactivate and unlock, from the web pages (core.users, core/views_people.py)."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from core.choices import Role
from core.models import AccessAction, AccessChange
from tests.factories import PASSWORD, TeamFactory

User = get_user_model()
pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]


def _logs_in(client, username, password) -> bool:
    """Through the login page (axes needs the request)."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def _invite(client, **fields):
    data = {"username": "nadia", "email": "nadia@example.com", "first_name": "Nadia",
            "last_name": "Okafor", "roles": [Role.INCIDENT_RESPONDER], "reason": "New hire"}
    data.update(fields)
    return client.post("/people/invite/", data)


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_open_people_pages(client, make_user, role):
    user = make_user(role, username=f"p-{role}".replace(" ", ""))
    other = make_user(Role.VIEWER, username="someone")
    client.force_login(user)
    expected = 200 if role == Role.MANAGER else 403
    assert client.get("/people/").status_code == expected
    assert client.get(f"/people/{other.pk}/").status_code == expected
    assert client.get("/people/invite/").status_code == expected
    response = client.post(f"/people/{other.pk}/deactivate/", {"reason": "x"})
    assert response.status_code in ((302,) if role == Role.MANAGER else (403,))
    other.refresh_from_db()
    assert other.is_active is (role != Role.MANAGER)
    # The header offers the page to managers only.
    assert ("People and access" in client.get("/").content.decode()) is (role == Role.MANAGER)


def test_manager_invites_user_who_sets_password_once_and_logs_in(client, manager,
                                                                 django_capture_on_commit_callbacks):
    desk = TeamFactory(name="Voice desk")
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, teams=[desk.pk])
    nadia = User.objects.get(username="nadia")
    assert response.status_code == 302 and response["Location"] == f"/people/{nadia.pk}/"
    assert not nadia.has_usable_password()
    assert [g.name for g in nadia.groups.all()] == [Role.INCIDENT_RESPONDER]
    assert not nadia.is_staff and not nadia.is_superuser
    assert list(nadia.switchboard_teams.all()) == [desk]
    assert desk.history.latest("history_id").history_user == manager
    change = AccessChange.objects.get(user=nadia)
    assert (change.action, change.by, change.reason) == (AccessAction.INVITED, manager, "New hire")
    assert "Incident Responder" in change.detail and "Voice desk" in change.detail
    # The invitation: one email with a one-time link.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nadia@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/set-password/\S+/)", mail.outbox[0].body)[1]
    assert "invited" in client.get(f"/people/{nadia.pk}/").content.decode().lower()

    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "set-password-form" in form.content.decode()
    new = "a-Long-new-pass-42"
    done = client.post(form.redirect_chain[-1][0],
                       {"new_password1": new, "new_password2": new}, follow=True)
    assert "set-password-done" in done.content.decode()
    assert _logs_in(client, "nadia", new)
    client.logout()
    # The link works once.
    assert "set-password-invalid" in client.get(link, follow=True).content.decode()


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"username": ""}, "username", "Give the person a username"),
    ({"email": ""}, "email", "needs an email"),
    ({"roles": []}, "roles", "at least one role"),
    ({"username": "MARIA"}, "username", "taken"),
])
def test_invite_refusals_name_the_field(client, manager, fields, field, words):
    client.force_login(manager)
    response = _invite(client, **fields)
    assert response.status_code == 400
    assert words in response.context["form"].errors[field][0]
    assert not User.objects.filter(username="nadia").exists() or field != "username"


def test_invite_cannot_grant_superuser(client, manager):
    client.force_login(manager)
    _invite(client, is_superuser="on", is_staff="on")
    nadia = User.objects.get(username="nadia")
    assert not nadia.is_superuser and not nadia.is_staff


def test_manager_changes_roles_and_teams_audited(client, manager, make_user):
    night = TeamFactory(name="Night desk")
    vera = make_user(Role.VIEWER, username="vera")
    client.force_login(manager)
    response = client.post(f"/people/{vera.pk}/access/", {
        "roles": [Role.VENDOR_MANAGER], "teams": [night.pk], "reason": "Took over Telvia"})
    assert response.status_code == 302
    vera.refresh_from_db()
    assert [g.name for g in vera.groups.all()] == [Role.VENDOR_MANAGER]
    assert vera.is_staff  # the vendor manager works in the admin
    actions = {c.action: c for c in AccessChange.objects.filter(user=vera)}
    assert actions[AccessAction.ROLES_CHANGED].detail == "Viewer → Vendor Manager"
    assert actions[AccessAction.ROLES_CHANGED].reason == "Took over Telvia"
    assert actions[AccessAction.TEAMS_CHANGED].detail == "no team → Night desk"
    page = client.get(f"/people/{vera.pk}/").content.decode()
    assert "Viewer → Vendor Manager" in page and "Took over Telvia" in page


def test_manager_cannot_lock_themselves_out(client, manager, make_user):
    make_user(Role.MANAGER, username="other-manager")
    client.force_login(manager)
    response = client.post(f"/people/{manager.pk}/access/", {"roles": [Role.VIEWER]})
    assert response.status_code == 400
    assert "your own Manager role" in response.context["access_form"].errors["roles"][0]
    response = client.post(f"/people/{manager.pk}/deactivate/", {"reason": "oops"})
    assert response.status_code == 400 and "cannot deactivate yourself" in response.content.decode()
    manager.refresh_from_db()
    assert manager.is_active and manager.groups.filter(name=Role.MANAGER).exists()


def test_last_manager_cannot_be_removed(client, manager, make_user):
    boss = make_user(Role.MANAGER, username="boss")
    client.force_login(boss)
    assert client.post(f"/people/{manager.pk}/deactivate/", {"reason": "left"}).status_code == 302
    # Boss is now the last active manager; even a superuser may not demote them.
    root = make_user(username="root", is_superuser=True)
    client.force_login(root)
    response = client.post(f"/people/{boss.pk}/access/", {"roles": [Role.FINANCE]})
    assert response.status_code == 400
    assert "last active manager" in response.context["access_form"].errors["roles"][0]
    response = client.post(f"/people/{boss.pk}/deactivate/", {"reason": "left"})
    assert response.status_code == 400 and "last active manager" in response.content.decode()
    boss.refresh_from_db()
    assert boss.is_active and boss.groups.filter(name=Role.MANAGER).exists()


def test_superusers_are_not_managed_here(client, manager, make_user):
    root = make_user(username="root", is_superuser=True)
    client.force_login(manager)
    page = client.get(f"/people/{root.pk}/").content.decode()
    assert "superuser-notice" in page and "access-form" not in page
    response = client.post(f"/people/{root.pk}/deactivate/", {"reason": "x"})
    assert response.status_code == 400
    root.refresh_from_db()
    assert root.is_active


def test_deactivate_needs_reason_then_reactivate(client, manager, make_user):
    vera = make_user(Role.VIEWER, username="vera")
    client.force_login(manager)
    refused = client.post(f"/people/{vera.pk}/deactivate/", {"reason": " "})
    assert refused.status_code == 400 and "Say why" in refused.content.decode()
    assert client.post(f"/people/{vera.pk}/deactivate/", {"reason": "Left"}).status_code == 302
    vera.refresh_from_db()
    assert not vera.is_active
    assert not _logs_in(client, "vera", PASSWORD)
    client.force_login(manager)
    assert client.post(f"/people/{vera.pk}/reactivate/").status_code == 302
    assert [c.action for c in AccessChange.objects.filter(user=vera).order_by("pk")] == [
        AccessAction.DEACTIVATED, AccessAction.REACTIVATED]


def test_locked_out_user_is_unlocked_by_a_manager(client, manager, make_user):
    rita = make_user(Role.INCIDENT_RESPONDER, username="rita")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "rita", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "rita", "password": PASSWORD})
    text = locked.content.decode()
    assert "ask a manager" in text and "15 minutes" in text and "admin" not in text.lower()
    client.force_login(manager)
    listing = client.get("/people/", {"q": "rita"}).content.decode()
    assert "Locked out" in listing
    assert "locked-until" in client.get(f"/people/{rita.pk}/").content.decode()
    assert client.post(f"/people/{rita.pk}/unlock/").status_code == 302
    assert not AccessAttempt.objects.filter(username="rita").exists()
    assert AccessChange.objects.get(user=rita).action == AccessAction.UNLOCKED
    client.logout()
    assert client.post("/accounts/login/", {"username": "rita", "password": PASSWORD}
                       ).status_code == 302
    # Nothing to unlock: said so.
    client.force_login(manager)
    again = client.post(f"/people/{rita.pk}/unlock/")
    assert again.status_code == 400 and "not locked out" in again.content.decode()


def test_resend_invitation_mails_a_fresh_link(client, manager,
                                              django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client)
        nadia = User.objects.get(username="nadia")
        assert client.post(f"/people/{nadia.pk}/invite/").status_code == 302
    assert len(mail.outbox) == 2
    assert AccessChange.objects.filter(user=nadia, action=AccessAction.INVITATION_SENT).exists()


def test_people_list_query_count_is_constant(client, manager, make_user,
                                             django_assert_max_num_queries):
    team = TeamFactory()
    for n in range(30):
        user = make_user(Role.VIEWER, username=f"bulk{n}")
        team.members.add(user)
    AccessAttempt.objects.create(username="bulk1", ip_address="10.0.0.1", user_agent="x",
                                 failures_since_start=9, attempt_time=timezone.now(),
                                 get_data="", post_data="", http_accept="", path_info="/")
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get("/people/")
    assert len(response.context["page"].object_list) == 32
    assert response.content.decode().count("Locked out") == 1
