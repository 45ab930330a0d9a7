"""Large interval files: stored, imported by the Celery task (eager in tests) with its
progress on the import row and page; all or nothing with every bad row named; a
worker that dies is replaced by the sweep once the lease passes, never leaving half
a file written."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from core.choices import Role
from kpis import import_jobs, services, tasks
from kpis.models import IntervalImport, IntervalStat, QueueDay
from tests.kpis.test_import import HEADER, good_row

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]


@pytest.fixture(autouse=True)
def _every_file_is_large(settings):
    settings.KPI_IMPORT_SYNC_MAX_BYTES = 0


def day_of_rows(count=48, **kwargs):
    start = datetime(2026, 11, 30, tzinfo=UTC)
    return HEADER + "".join(good_row(f"{start + timedelta(minutes=30 * n):%Y-%m-%d %H:%M}",
                                     **kwargs) for n in range(count))


def upload(client, text, name="big.csv"):
    return client.post("/kpis/import/", {
        "file": SimpleUploadedFile(name, text.encode()), "format": "generic",
        "interval_minutes": 30, "time_zone": "UTC"})


def test_a_large_file_is_imported_by_the_task_and_followed_on_its_page(
        client, manager, support, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, day_of_rows())
    record = IntervalImport.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    record.refresh_from_db()
    assert (record.outcome, record.rows, record.rows_validated, record.rows_written) == (
        "imported", 48, 48, 48)
    assert (record.created, record.replaced, record.attempts) == (48, 0, 1)
    assert record.lease_until is None and record.upload.name.startswith("kpis/imports/")
    assert IntervalStat.objects.filter(queue=support).count() == 48
    assert QueueDay.objects.get(zone="UTC", queue=support).offered == 48 * 100
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-done"' in page and "Imported 48 intervals: 48 new" in page
    assert "hx-get" not in page  # finished: the page stops polling


def test_a_bad_row_refuses_the_whole_file_naming_each_row(
        client, manager, support, django_capture_on_commit_callbacks):
    client.force_login(manager)
    text = day_of_rows().replace(",100,85,70,", ",lots,85,70,", 1)
    text += good_row("2026-11-30 09:10")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, text)
    record = IntervalImport.objects.get()
    assert record.outcome == "refused" and record.rows_written == 0
    assert {(e["row"], e["column"]) for e in record.errors} == {(2, "offered"), (50, "start")}
    assert not IntervalStat.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was imported: 2 rows have errors" in page
    assert "Not the start of a 30-minute interval" in page


def test_reimporting_by_the_task_replaces_with_history(
        client, manager, support, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, day_of_rows(4))
        upload(client, day_of_rows(4, offered=120, answered=100, within=90))
    latest = IntervalImport.objects.order_by("-pk").first()
    assert (latest.outcome, latest.created, latest.replaced) == ("imported", 0, 4)
    row = IntervalStat.objects.order_by("start").first()
    assert row.offered == 120 and row.history.count() == 2
    assert QueueDay.objects.get(zone="UTC").offered == 4 * 120


def test_the_page_polls_while_the_import_waits_for_a_worker(client, manager, support,
                                                            django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=False):  # no worker yet
        upload(client, day_of_rows(2))
    record = IntervalImport.objects.get()
    assert record.outcome == "queued" and record.lease_until is not None
    status = client.get(f"/kpis/import/{record.pk}/status/").content.decode()
    assert 'hx-trigger="every 2s"' in status and "Waiting for a worker" in status


def test_a_dead_worker_is_replaced_by_the_sweep_once_the_lease_passed(
        manager, support, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        record = import_jobs.import_queue(
            by=manager, upload=SimpleUploadedFile("big.csv", day_of_rows(6).encode()))
    assert import_jobs.import_claim(record.pk) == 1  # a worker took it, then was killed
    assert tasks.run_import(record.pk)["outcome"] == "not claimed"  # nobody else runs it
    assert tasks.sweep_imports() == {}  # its lease has not passed
    later = record.lease_until + timedelta(seconds=1)
    with time_machine.travel(later, tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        swept = tasks.sweep_imports()
    assert (swept["rows"], swept["requeued"]) == (1, 1)
    record.refresh_from_db()
    assert (record.outcome, record.attempts, record.created) == ("imported", 2, 6)
    assert IntervalStat.objects.count() == 6
    assert record.history.filter(history_change_reason="Re-queued after its lease passed"
                                 ).exists()


def test_an_import_whose_worker_keeps_dying_fails_after_three_attempts(
        manager, support, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        record = import_jobs.import_queue(
            by=manager, upload=SimpleUploadedFile("big.csv", day_of_rows(2).encode()))
    for _ in range(import_jobs.MAX_ATTEMPTS):
        import_jobs.import_claim(record.pk)
        record.refresh_from_db()
        with time_machine.travel(record.lease_until + timedelta(seconds=1), tick=False), \
                django_capture_on_commit_callbacks(execute=False):
            tasks.sweep_imports()
        record.refresh_from_db()
    assert record.outcome == "failed" and "Gave up after 3 attempts" in record.failure
    assert record.lease_until is None and not IntervalStat.objects.exists()


def test_a_write_that_stops_half_way_keeps_nothing(manager, support, monkeypatch):
    # The write is one transaction: a worker killed after the first chunk (here: an
    # error raised from the progress report) leaves no interval and no rollup day.
    monkeypatch.setattr(services, "WRITE_CHUNK", 2)
    headers, rows = services.read_file(day_of_rows(6).encode(), "big.csv")
    parameters = services.import_parameters(format="generic")
    parsed, errors = services.validate_rows(rows, headers, parameters)
    record = IntervalImport.objects.create(by=manager, at=datetime.now(UTC), format="generic",
                                           outcome="writing")
    written = []

    def killed(done):
        written.append(done)
        if done >= 4:
            raise SystemExit("worker killed")

    def write_in_one_transaction():
        with transaction.atomic():
            services.lock_queues(parsed)
            services._write(parsed, services._existing(parsed), record=record, by=manager,
                            progress=killed)

    with pytest.raises(SystemExit):
        write_in_one_transaction()
    assert written == [2, 4] and not errors
    assert not IntervalStat.objects.exists() and not QueueDay.objects.exists()


def test_the_mapping_is_checked_when_queued_naming_the_field(client, manager, support):
    client.force_login(manager)
    response = client.post("/kpis/import/", {
        "file": SimpleUploadedFile("big.csv", day_of_rows(2).encode()), "format": "generic",
        "interval_minutes": 30, "time_zone": "Mars/Olympus"})
    assert response.status_code == 400 and "Unknown time zone" in response.content.decode()
    assert not IntervalImport.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_queue_an_import_and_who_may_follow_it(client, make_user, manager, support,
                                                        role, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, day_of_rows(2))
    record = IntervalImport.objects.get()
    client.force_login(make_user(role, username=f"imp-{role}".replace(" ", "")))
    assert client.get(record.get_absolute_url()).status_code == 200  # every role reads
    assert client.get(f"/kpis/import/{record.pk}/status/").status_code == 200
    may_import = role in (Role.MANAGER, Role.VENDOR_MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, day_of_rows(2))
    assert response.status_code == (302 if may_import else 403)
    assert IntervalImport.objects.count() == (2 if may_import else 1)
