"""Reviews, generation through the real task, the stale-pack sweep, schedules."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from core.exceptions import RequirementMissing, TransitionNotAllowed
from reports import services, tasks
from reports.choices import ActionItemState, PackStatus, ReviewState
from reports.models import PackSchedule, PackScheduleRun, ReportPack
from tests.reports.conftest import quarter_review


def generate(by, review, django_capture_on_commit_callbacks):
    """Request a pack, as the page does, and run the task the commit would queue."""
    with mock.patch("reports.tasks.generate_pack.delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        pack = services.pack_request(by=by, vendor=review.vendor, period=review.period,
                                     period_start=review.period_start, review=review)
    delay.assert_called_once_with(pack.pk)
    assert ReportPack.objects.get(pk=pack.pk).status == PackStatus.QUEUED
    tasks.generate_pack(pack.pk)
    return ReportPack.objects.get(pk=pack.pk)


def test_a_pack_is_generated_by_the_task_and_the_review_becomes_ready(
        world, victor, platform, django_capture_on_commit_callbacks):
    review = quarter_review(victor, platform)
    pack = generate(victor, review, django_capture_on_commit_callbacks)
    assert (pack.status, pack.progress, pack.version) == (PackStatus.DONE, 100, 1)
    assert pack.data_version and pack.finished_at
    with pack.pdf.open("rb") as handle:
        assert "Skyline CCaaS" in PdfReader(handle).pages[0].extract_text()
    assert pack.html and pack.xlsx and pack.csv_zip
    review.refresh_from_db()
    assert (review.state, review.pack_id) == (ReviewState.PACK_READY, pack.pk)


def test_a_regeneration_is_a_new_version_and_the_held_review_stays_on_its_pack(
        world, victor, platform, django_capture_on_commit_callbacks):
    review = quarter_review(victor, platform)
    first = generate(victor, review, django_capture_on_commit_callbacks)
    review = services.review_hold(review=review, by=victor)
    second = generate(victor, review, django_capture_on_commit_callbacks)
    assert second.version == 2 and first.pdf.name != second.pdf.name
    review.refresh_from_db()
    assert (review.state, review.pack_id) == (ReviewState.HELD, first.pk)


def test_a_failure_is_recorded_and_a_retry_builds_it(
        world, victor, platform, django_capture_on_commit_callbacks):
    review = quarter_review(victor, platform)
    with mock.patch("reports.packs.render_pdf", side_effect=OSError("fonts missing")):
        pack = generate(victor, review, django_capture_on_commit_callbacks)
    assert pack.status == PackStatus.FAILED
    assert "fonts missing" in pack.error and not pack.pdf
    with mock.patch("reports.tasks.generate_pack.delay"), \
            django_capture_on_commit_callbacks(execute=True):
        services.pack_retry(pack=pack, by=victor)
    tasks.generate_pack(pack.pk)
    pack.refresh_from_db()
    assert (pack.status, pack.attempts, pack.version) == (PackStatus.DONE, 2, 1)


def test_a_pack_whose_worker_died_is_requeued_by_the_sweep(
        world, victor, platform, django_capture_on_commit_callbacks):
    review = quarter_review(victor, platform)
    with mock.patch("reports.tasks.generate_pack.delay"), \
            django_capture_on_commit_callbacks(execute=True):
        pack = services.pack_request(by=victor, vendor=platform, period="quarter",
                                     period_start=review.period_start, review=review)
    assert services.pack_claim(pack.pk)  # a worker took it, then was killed
    assert tasks.generate_pack(pack.pk)["status"] == "not claimed"  # nobody else builds it
    assert tasks.sweep_packs() == {}  # the lease has not passed
    with time_machine.travel(datetime(2026, 5, 3, 9, 11, tzinfo=UTC), tick=False), \
            mock.patch("reports.tasks.generate_pack.delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_packs()["requeued"] == 1
    delay.assert_called_once_with(pack.pk)
    tasks.generate_pack(pack.pk)
    assert ReportPack.objects.get(pk=pack.pk).status == PackStatus.DONE


def test_open_action_items_carry_over_until_done(world, victor, platform):
    first = quarter_review(victor, platform, meeting_date=date(2026, 1, 15))
    done = services.action_item_add(review=first, by=victor, title="Fix the DNS failover",
                                    owner=victor, due_date=date(2026, 2, 1))
    still_open = services.action_item_add(review=first, by=victor, title="Send the RCA",
                                          owner=victor, due_date=date(2026, 2, 15))
    second = quarter_review(victor, platform, meeting_date=date(2026, 4, 20))
    assert list(services.carried_over_items(second)) == [done, still_open]
    services.action_item_close(item=done, by=victor, state=ActionItemState.DONE, review=second)
    assert list(services.carried_over_items(second)) == [still_open]
    third = quarter_review(victor, platform, meeting_date=date(2026, 7, 20))
    assert list(services.carried_over_items(third)) == [still_open]
    assert list(services.carried_over_items(first)) == []


def test_the_review_moves_through_its_states(world, victor, platform,
                                             django_capture_on_commit_callbacks):
    review = quarter_review(victor, platform)
    with pytest.raises(TransitionNotAllowed):
        services.review_hold(review=review, by=victor)
    generate(victor, review, django_capture_on_commit_callbacks)
    review = services.review_hold(review=review, by=victor)
    with pytest.raises(RequirementMissing) as refused:
        services.review_publish_minutes(review=review, by=victor)
    assert "decisions" in refused.value.errors
    services.review_record(review=review, by=victor, decisions="Renegotiate the uptime credit.")
    review = services.review_publish_minutes(review=review, by=victor)
    assert review.state == ReviewState.MINUTES_PUBLISHED and review.published_at


def test_finance_reads_but_does_not_plan(world, finance, platform):
    with pytest.raises(PermissionDenied):
        quarter_review(finance, platform)


# --- Schedules --------------------------------------------------------------------------------


def test_the_next_run_is_the_first_working_day():
    # 1 August 2026 is a Saturday: the run is on Monday the 3rd.
    assert services.next_run_after(datetime(2026, 7, 2, tzinfo=UTC)) == datetime(
        2026, 8, 3, 6, tzinfo=UTC)
    assert services.first_working_day(2026, 6) == date(2026, 6, 1)


@pytest.fixture
def active(world, victor, platform):
    from vendors import services as vendor_services

    platform.refresh_from_db()
    if platform.status != "active":
        vendor_services.vendor_transition(vendor=platform, by=victor, name="activate")
    return platform


def test_a_schedule_fires_once_per_period(active, manager, platform,
                                          django_capture_on_commit_callbacks):
    schedule = services.schedule_create(by=manager, name="Monthly packs")
    assert schedule.next_run_at == datetime(2026, 6, 1, 6, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 6, 1, 6, 5, tzinfo=UTC), tick=False), \
            mock.patch("reports.tasks.generate_pack.delay"), \
            django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_pack_schedules()["fired"] == 1
        assert tasks.sweep_pack_schedules() == {}  # moved to July
        # Even forced due again, the period is not built twice.
        PackSchedule.objects.filter(pk=schedule.pk).update(
            next_run_at=datetime(2026, 6, 1, 6, tzinfo=UTC))
        assert tasks.sweep_pack_schedules()["already_run"] == 1
    run = PackScheduleRun.objects.get()
    assert run.period_start == date(2026, 5, 1)
    assert [p.vendor for p in run.packs.all()] == [platform]
    schedule.refresh_from_db()
    assert schedule.next_run_at == datetime(2026, 7, 1, 6, tzinfo=UTC)


def test_a_failing_schedule_shows_its_error_and_is_retried(active, manager):
    schedule = services.schedule_create(by=manager, name="Monthly packs")
    with time_machine.travel(datetime(2026, 6, 1, 6, 5, tzinfo=UTC), tick=False):
        with mock.patch("reports.services.pack_request", side_effect=RuntimeError("disk full")):
            assert tasks.sweep_pack_schedules()["failed"] == 1
        schedule.refresh_from_db()
        assert "disk full" in schedule.last_error
        assert schedule.next_run_at == datetime(2026, 6, 1, 6, tzinfo=UTC)  # still due
        assert not PackScheduleRun.objects.exists()
        with mock.patch("reports.tasks.generate_pack.delay"):
            assert tasks.sweep_pack_schedules()["fired"] == 1
    schedule.refresh_from_db()
    assert schedule.last_error == ""


def test_requesting_a_pack_checks_the_formats(world, victor, platform):
    with pytest.raises(RequirementMissing) as refused:
        services.pack_request(by=victor, vendor=platform, period="month",
                              period_start=date(2026, 4, 1), formats=["docx"])
    assert "formats" in refused.value.errors
    assert timedelta(0) < services.PACK_LEASE
