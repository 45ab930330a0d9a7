"""Each role's dashboard shows its own work; the system figures are on System health
(managers); the development outbox lists var/mail/ (DEBUG, managers)."""

from pathlib import Path

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse

from core.choices import Role
from core.demo import settle_history
from core.mail_backends import MailFolderBackend
from core.models import Notification
from core.notifications import notify
from core.registry import DemoContext, dashboard_tiles

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)


@pytest.mark.parametrize(("role", "tile", "shown"), [
    (Role.MANAGER, "incidents.open", True),
    (Role.INCIDENT_RESPONDER, "incidents.open", True),
    (Role.ESCALATION_LEAD, "incidents.open", False),
    (Role.ESCALATION_LEAD, "escalations.open", True),
    (Role.INCIDENT_RESPONDER, "escalations.open", False),
    (Role.VENDOR_MANAGER, "vendors.contract_dates", True),
    (Role.MANAGER, "vendors.contract_dates", False),
    (Role.FINANCE, "vendors.service_credits", True),
    (Role.FINANCE, "incidents.open", False),
    (Role.FINANCE, "budgets.incident_cost", True),
    (Role.VIEWER, "kpis.today", True),
    (Role.VIEWER, "core.my_work", False),
    (Role.INCIDENT_RESPONDER, "core.my_work", True),
])
def test_each_role_gets_the_tiles_of_its_work(make_user, role, tile, shown):
    user = make_user(role)
    assert (tile in {t.key for t in dashboard_tiles(user)}) == shown


@pytest.mark.parametrize("role", ROLES)
def test_no_dashboard_carries_the_system_figures(make_user, role):
    keys = {t.key for t in dashboard_tiles(make_user(role))}
    assert not keys & {"core.figures", "core.roles"}


@pytest.mark.parametrize("role", ROLES)
def test_system_health_is_for_managers_only(client, make_user, role):
    client.force_login(make_user(role))
    response = client.get(reverse("system-health"))
    assert response.status_code == (200 if role == Role.MANAGER else 403)
    if role == Role.MANAGER:
        html = response.content.decode()
        assert 'data-testid="people-count"' in html and "People per role" in html
        assert 'data-testid="email-outbox"' in html


@pytest.fixture
def mail_folder(settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    MailFolderBackend().send_messages([EmailMessage(
        subject="[Switchboard] Response breached on VIP complaint", body="Due 09:00.",
        to=["maria@example.com"], from_email="switchboard@example.com")])
    return Path(settings.EMAIL_FILE_PATH)


@pytest.mark.parametrize("role", ROLES)
def test_the_dev_outbox_lists_the_mail_folder_for_managers(client, make_user, role,
                                                           mail_folder):
    client.force_login(make_user(role))
    response = client.get(reverse("dev-outbox"))
    assert response.status_code == (200 if role == Role.MANAGER else 403)
    if role == Role.MANAGER:
        html = response.content.decode()
        assert "Response breached on VIP complaint" in html
        [name] = [p.name for p in mail_folder.glob("*.eml")]
        message = client.get(reverse("dev-outbox-message", args=[name]))
        assert "Due 09:00." in message.content.decode()


def test_the_dev_outbox_does_not_exist_without_debug(client, manager, mail_folder, settings):
    settings.DEBUG = False
    client.force_login(manager)
    assert client.get(reverse("dev-outbox")).status_code == 404


def test_the_dev_outbox_refuses_names_outside_its_folder(client, manager, mail_folder):
    client.force_login(manager)
    for name in ["..%2Fsecret.eml", "missing.eml", "notes.txt"]:
        assert client.get(f"/dev/outbox/{name}/").status_code == 404


def test_the_demo_records_the_seeded_past_as_read_with_no_email(make_user, manager):
    """History is history: notices the seed produced are read, their email not sent;
    notices from before the seed (someone's real ones) are left alone."""
    [older] = notify([manager], title="From before the seed")
    Notification.objects.filter(pk=older.pk).update(created_at="2020-01-01T00:00Z")
    notify([manager], title="Response breached on a seeded complaint")
    manager.created_now = True
    demo = DemoContext(users={"manager": (manager, Role.MANAGER)},
                       shared={"seed_started": Notification.objects.get(
                           title__startswith="Response").created_at})

    settle_history(demo)

    seeded = Notification.objects.get(title__startswith="Response")
    assert seeded.read_at is not None and seeded.email_status == "not_needed"
    older.refresh_from_db()
    assert older.read_at is None and older.email_status == "pending"


def test_a_later_seed_run_leaves_new_notices_alone(manager):
    [notice] = notify([manager], title="Fell due while the app was stopped")
    manager.created_now = False
    settle_history(DemoContext(users={"manager": (manager, Role.MANAGER)},
                               shared={"seed_started": notice.created_at}))
    notice.refresh_from_db()
    assert notice.read_at is None and notice.email_status == "pending"
