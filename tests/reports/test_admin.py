"""Reviews, packs and schedules in the admin, with their history; a failed pack is
retried from there."""

from unittest import mock

from reports import services
from reports.choices import PackStatus
from reports.models import ReportPack
from tests.reports.conftest import quarter_review


def test_every_model_is_in_the_admin_with_its_history(client, manager, victor, world, platform):
    review = quarter_review(victor, platform)
    item = services.action_item_add(review=review, by=victor, title="Send the RCA",
                                    owner=victor, due_date=review.meeting_date)
    with mock.patch("reports.tasks.generate_pack.delay"):
        pack = services.pack_request(by=victor, vendor=platform, period="quarter",
                                     period_start=review.period_start, review=review)
    schedule = services.schedule_create(by=manager, name="Monthly packs")
    client.force_login(manager)
    pages = [f"/admin/reports/{model}/{pk}/{page}/" for model, pk in (
        ("vendorreview", review.pk), ("reviewactionitem", item.pk), ("reportpack", pack.pk),
        ("packschedule", schedule.pk)) for page in ("change", "history")]
    pages += [f"/admin/reports/{model}/" for model in (
        "vendorreview", "reviewactionitem", "reportpack", "packschedule", "packschedulerun")]
    assert [client.get(page).status_code for page in pages] == [200] * len(pages)


def test_a_failed_pack_is_retried_from_the_admin(client, victor, world, platform):
    review = quarter_review(victor, platform)
    with mock.patch("reports.tasks.generate_pack.delay"):
        pack = services.pack_request(by=victor, vendor=platform, period="quarter",
                                     period_start=review.period_start, review=review)
    services.pack_fail(pack.pk, "RuntimeError: boom")
    client.force_login(victor)
    with mock.patch("reports.tasks.generate_pack.delay"):
        client.post("/admin/reports/reportpack/", {"action": "retry",
                                                   "_selected_action": [pack.pk]})
    assert ReportPack.objects.get(pk=pack.pk).status == PackStatus.QUEUED
