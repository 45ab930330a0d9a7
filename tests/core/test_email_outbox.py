"""Email is an outbox: the notification row is the truth, a sweep sends what is due."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.models import EmailStatus, Notification
from core.notifications import EMAIL_LEASE, email_outbox_send, email_outbox_status, notify
from core.tasks import send_email_outbox

pytestmark = pytest.mark.django_db

REFUSING = "tests.support.mail.RefusingEmailBackend"


@pytest.fixture
def people(make_user):
    return [make_user(username=f"person{n}") for n in range(3)]


def test_notify_sends_each_email_once_after_commit(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(people, title="SEV1 declared", body="Carrier down", url="/incidents/1/")

    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {p.email for p in people}
    assert mail.outbox[0].subject == "[Switchboard] SEV1 declared"
    for row in Notification.objects.filter(pk__in=[r.pk for r in rows]):
        assert row.email_status == EmailStatus.SENT
        assert row.emailed_at is not None
        assert row.email_next_attempt_at is None
        assert row.email_attempts == 1
    # A second sweep (or a redelivered task) finds nothing left to send.
    assert email_outbox_send() == {"sent": 0, "failed": 0, "skipped": 0}
    assert len(mail.outbox) == 3


def test_rolled_back_action_leaves_no_notification_and_no_email(people):
    from django.db import transaction

    def failing_action():
        with transaction.atomic():
            notify(people, title="Never happened")
            raise RuntimeError("the action failed")

    with pytest.raises(RuntimeError):
        failing_action()

    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_lost_task_is_made_good_by_the_sweep(people):
    # No commit callbacks run here: exactly what a worker or broker lost looks like.
    notify(people, title="Breach on ESC-2026-0001")
    assert mail.outbox == []
    assert email_outbox_status()["pending"] == 3

    assert send_email_outbox() == {"sent": 3, "failed": 0, "skipped": 0}

    assert len(mail.outbox) == 3
    assert email_outbox_status() == {"pending": 0, "overdue": 0, "failed": 0}


def test_in_app_only_and_addressless_people_get_no_email(make_user):
    without_address = make_user(username="noaddress", email="")
    someone = make_user(username="someone")

    rows = notify([without_address], title="Heads up")
    in_app = notify([someone], title="Only in the app", email=False)

    statuses = {r.pk: r.email_status for r in Notification.objects.all()}
    assert statuses[rows[0].pk] == EmailStatus.NOT_NEEDED
    assert statuses[in_app[0].pk] == EmailStatus.NOT_NEEDED
    assert email_outbox_send() == {"sent": 0, "failed": 0, "skipped": 0}


def test_a_failed_send_is_recorded_and_retried_with_backoff(people, settings, time_machine):
    time_machine.move_to("2026-12-04 10:00:00+00:00", tick=False)
    settings.EMAIL_BACKEND = REFUSING
    notify(people[:1], title="Containment breached")

    assert email_outbox_send() == {"sent": 0, "failed": 1, "skipped": 0}
    row = Notification.objects.get()
    assert row.email_status == EmailStatus.PENDING
    assert row.email_attempts == 1
    assert row.email_last_error == "ConnectionRefusedError: SMTP server refused the connection"
    assert row.email_next_attempt_at == timezone.now() + timedelta(minutes=1)

    # Not before the backoff has passed…
    assert email_outbox_send() == {"sent": 0, "failed": 0, "skipped": 0}
    # …then again, doubling the wait; once the server is back, it goes out.
    time_machine.move_to("2026-12-04 10:01:00+00:00", tick=False)
    assert email_outbox_send()["failed"] == 1
    assert Notification.objects.get().email_next_attempt_at == timezone.now() + timedelta(
        minutes=2)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to("2026-12-04 10:03:00+00:00", tick=False)
    assert email_outbox_send()["sent"] == 1
    row.refresh_from_db()
    assert (row.email_status, row.email_attempts, len(mail.outbox)) == (EmailStatus.SENT, 3, 1)


def test_after_the_last_attempt_the_email_is_marked_failed(people, settings, time_machine):
    time_machine.move_to("2026-12-04 10:00:00+00:00", tick=False)
    settings.EMAIL_BACKEND = REFUSING
    settings.EMAIL_MAX_ATTEMPTS = 3
    notify(people[:1], title="Containment breached")

    for _ in range(3):
        email_outbox_send()
        time_machine.shift(timedelta(hours=2))

    row = Notification.objects.get()
    assert row.email_status == EmailStatus.FAILED
    assert row.email_attempts == 3
    assert row.email_next_attempt_at is None
    assert email_outbox_status()["failed"] == 1
    assert email_outbox_send() == {"sent": 0, "failed": 0, "skipped": 0}


def test_a_claim_holds_rows_for_the_lease_then_they_are_due_again(people, time_machine):
    """A sender that claimed rows and died: nobody sends them during its lease, the
    next sweep after it does — late, but not lost."""
    from core.due_rows import claim_due

    time_machine.move_to("2026-12-04 10:00:00+00:00", tick=False)
    notify(people, title="Next update due")
    pending = Notification.objects.filter(email_status=EmailStatus.PENDING)

    claimed = claim_due(pending, due_field="email_next_attempt_at", now=timezone.now(),
                        limit=2, lease=EMAIL_LEASE)
    assert len(claimed) == 2

    # Only the unclaimed row goes out now.
    assert email_outbox_send()["sent"] == 1
    time_machine.shift(EMAIL_LEASE + timedelta(seconds=1))
    assert email_outbox_send()["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_the_outbox_shows_in_the_admin(client, manager, settings):
    settings.EMAIL_BACKEND = REFUSING
    notify([manager], title="Will fail")
    email_outbox_send()
    client.force_login(manager)

    page = client.get("/admin/core/notification/?email_status__exact=pending")

    assert page.status_code == 200
    assert "Will fail" in page.text
    assert "ConnectionRefusedError" in page.text


def test_a_manager_sends_failed_emails_again_from_the_admin(client, manager, settings):
    settings.EMAIL_BACKEND = REFUSING
    settings.EMAIL_MAX_ATTEMPTS = 1
    notify([manager], title="Will fail")
    email_outbox_send()
    row = Notification.objects.get()
    assert row.email_status == EmailStatus.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(manager)

    response = client.post("/admin/core/notification/",
                           {"action": "send_again", "_selected_action": [row.pk]})

    assert response.status_code == 302
    assert email_outbox_send()["sent"] == 1
    assert mail.outbox[0].subject == "[Switchboard] Will fail"


def test_a_viewer_cannot_send_emails_again(client, make_user, settings):
    from core.choices import Role

    auditor = make_user(Role.VENDOR_MANAGER, username="vic", is_staff=True)
    notify([auditor], title="Only for managers to resend")
    client.force_login(auditor)

    page = client.get("/admin/core/notification/")

    assert page.status_code == 200
    assert "send_again" not in page.text
