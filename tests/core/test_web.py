"""The web shell: login, dashboard, navigation, error pages, CSRF, admin history."""

import pytest
from django.test import Client
from django.urls import reverse

from core.audit import save_with_audit
from core.choices import Role
from core.health import record_heartbeat
from tests.factories import PASSWORD, TeamFactory

pytestmark = pytest.mark.django_db


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/"


def test_login_then_system_health_shows_real_counts(client, manager, make_user):
    make_user(Role.VIEWER)
    TeamFactory.create_batch(2)
    record_heartbeat(hostname="worker-1")

    response = client.post(reverse("login"), {"username": "maria", "password": PASSWORD},
                           follow=True)
    assert 'data-testid="system-health-link"' in response.content.decode()
    # The system figures moved from everyone's dashboard to the managers' System health.
    assert 'data-testid="people-count"' not in response.content.decode()
    response = client.get(reverse("system-health"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="people-count">2<' in html
    assert 'data-testid="team-count">2<' in html
    assert "Running" in html
    assert "<td>Viewer</td><td class=\"num\">1</td>" in html


def test_a_user_without_a_role_sees_no_statistics(client, manager, make_user):
    TeamFactory.create_batch(2)
    record_heartbeat(hostname="worker-1")
    client.force_login(make_user())  # signed in, in no role group

    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="no-role"' in html
    assert "ask a manager" in html
    for figure in ["people-count", "team-count", "change-count", "clocks-running",
                   "worker-state", "open-incidents", "open-escalations-total"]:
        assert f'data-testid="{figure}"' not in html
    assert "People per role" not in html


def test_dashboard_counts_audited_changes(client, manager):
    save_with_audit(TeamFactory.build(), by=manager, reason="New desk")
    client.force_login(manager)
    assert 'data-testid="change-count">1<' in client.get(
        reverse("system-health")).content.decode()


def test_wrong_password_shows_a_clear_message(client, manager):
    response = client.post(reverse("login"), {"username": "maria", "password": "nope"})
    assert response.status_code == 200
    assert "didn't match. Please try again" in response.content.decode()


def test_repeated_failed_logins_lock_the_account_out(client, manager):
    for _ in range(5):
        client.post(reverse("login"), {"username": "maria", "password": "nope"})
    response = client.post(reverse("login"), {"username": "maria", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html
    # Words a person can act on, not an ISO 8601 duration ("PT15M").
    assert "Try again in 15 minutes" in html and "PT15M" not in html
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, manager):
    client.force_login(manager)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a-much-longer-passphrase-9",
         "new_password2": "a-much-longer-passphrase-9"},
    )
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.check_password("a-much-longer-passphrase-9")


def test_csrf_is_enforced_on_forms(manager):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "maria", "password": PASSWORD})
    assert response.status_code == 403


def test_navigation_lists_every_area_for_a_manager(client, manager):
    client.force_login(manager)
    html = client.get("/").content.decode()
    for label in ["Incidents", "Escalations", "Vendors", "Playbooks", "Budgets", "Reports",
                  "Admin"]:
        assert f">{label}</a>" in html


@pytest.mark.parametrize(
    ("role", "budgets_status"),
    [
        (Role.MANAGER, 200),
        (Role.FINANCE, 200),
        (Role.VENDOR_MANAGER, 200),
        (Role.INCIDENT_RESPONDER, 403),
        (Role.ESCALATION_LEAD, 403),
        (Role.VIEWER, 403),
    ],
)
def test_money_areas_only_for_roles_that_see_money(client, make_user, role, budgets_status):
    client.force_login(make_user(role))
    response = client.get("/budgets/", follow=True)
    # Every role reads the initiatives; only money roles reach the budgets themselves.
    assert response.status_code == 200
    sent_to_initiatives = [url for url, _ in response.redirect_chain] == ["/budgets/initiatives/"]
    assert sent_to_initiatives is (budgets_status == 403)
    year = client.get("/budgets/years/FY2026/")
    assert year.status_code in (404 if budgets_status == 200 else 403,)
    if budgets_status == 403:
        assert "You do not have access" in year.content.decode()
    nav = client.get("/").content.decode()
    assert ">Budgets</a>" in nav


def test_404_page(client, viewer):
    client.force_login(viewer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_htmx_and_styles_are_served_from_our_static_files(client, viewer):
    client.force_login(viewer)
    html = client.get("/").content.decode()
    assert "/static/vendor/htmx/htmx-2.0.11.min.js" in html
    assert "/static/vendor/pico/" in html
    assert "hx-headers" in html  # CSRF token travels with htmx requests
    assert "https://" not in html.split("<body")[0]  # nothing from a CDN


@pytest.mark.parametrize(
    ("role", "admin_status"),
    [(Role.MANAGER, 200), (Role.VENDOR_MANAGER, 200), (Role.VIEWER, 302)],
)
def test_admin_is_for_staff_roles(client, make_user, role, admin_status):
    from core.roles import STAFF_ROLES

    client.force_login(make_user(role, is_staff=role in STAFF_ROLES))
    assert client.get("/admin/").status_code == admin_status


def test_admin_shows_history_read_only_with_who_and_why(client, manager):
    team = TeamFactory.build(name="Night desk")
    save_with_audit(team, by=manager, reason="Opened the night desk")
    client.force_login(manager)

    html = client.get(reverse("admin:core_team_history", args=[team.pk])).content.decode()

    assert "Opened the night desk" in html
    assert "maria" in html
    history_id = team.history.get().history_id
    version_url = reverse("admin:core_team_simple_history", args=[team.pk, history_id])
    assert "Revert" not in client.get(version_url).content.decode()
    revert = client.post(version_url, {"name": "Reverted", "slug": team.slug})
    assert revert.status_code == 403
    team.refresh_from_db()
    assert team.name == "Night desk"


def test_admin_edit_records_a_reason(client, manager):
    team = TeamFactory(name="Night desk", slug="night")
    client.force_login(manager)

    client.post(
        reverse("admin:core_team_change", args=[team.pk]),
        {"name": "Night desk", "slug": "night", "description": "Overnight voice",
         "email": "", "lead": "", "members": []},
    )

    latest = team.history.order_by("-history_id").first()
    assert latest.history_change_reason == "Changed in admin: description"
    assert latest.history_user == manager
