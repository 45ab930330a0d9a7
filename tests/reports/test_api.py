"""The reviews and packs API."""

from datetime import date
from unittest import mock

import pytest

from core.choices import Role
from reports import tasks
from reports.models import ReportPack
from tests.factories import ANONYMOUS


def test_plan_generate_hold_and_publish_through_the_api(api_as, victor, world, platform,
                                                        django_capture_on_commit_callbacks):
    api = api_as(victor)
    answer = api.post("/api/vendor-reviews/", {
        "vendor": platform.pk, "period": "quarter", "period_start": "2026-04-01",
        "meeting_date": "2026-04-20"}, format="json")
    assert answer.status_code == 201, answer.json()
    review = answer.json()["id"]
    with mock.patch("reports.tasks.generate_pack.delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"/api/vendor-reviews/{review}/generate/", {}, format="json")
    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    pack = answer.json()["id"]
    delay.assert_called_once_with(pack)
    tasks.generate_pack(pack)
    status = api.get(f"/api/report-packs/{pack}/").json()
    assert status["status"] == "done" and set(status["files"]) == {"html", "pdf", "xlsx", "csv"}
    assert api.post(f"/api/vendor-reviews/{review}/publish-minutes/").status_code == 409
    assert api.post(f"/api/vendor-reviews/{review}/hold/").status_code == 200
    bad = api.post(f"/api/vendor-reviews/{review}/publish-minutes/")
    assert bad.status_code == 400 and "decisions" in bad.json()["errors"]
    api.post(f"/api/vendor-reviews/{review}/decisions/", {"decisions": "Renew"}, format="json")
    item = api.post(f"/api/vendor-reviews/{review}/action-items/", {
        "title": "Send the RCA", "owner": victor.pk, "due_date": "2026-05-20"}, format="json")
    assert item.status_code == 201
    assert api.post(f"/api/vendor-reviews/{review}/publish-minutes/").json()["state"] == \
        "minutes_published"
    following = api.post("/api/vendor-reviews/", {
        "vendor": platform.pk, "period": "quarter", "period_start": "2026-07-01",
        "meeting_date": "2026-07-20"}, format="json").json()
    assert [i["title"] for i in following["carried_over"]] == ["Send the RCA"]


def test_bad_input_names_the_field(api_as, victor, world, platform):
    answer = api_as(victor).post("/api/report-packs/", {
        "vendor": platform.pk, "period": "decade", "period_start": "soon"}, format="json")
    assert answer.status_code == 400
    assert {"period", "period_start"} <= set(answer.json()["errors"])


@pytest.mark.parametrize(("role", "lists", "creates"), [
    (Role.MANAGER, 200, 202), (Role.VENDOR_MANAGER, 200, 202), (Role.FINANCE, 200, 403),
    (Role.INCIDENT_RESPONDER, 200, 403), (Role.ESCALATION_LEAD, 200, 403),
    (Role.VIEWER, 200, 403), (ANONYMOUS, 403, 403)])
def test_pack_permissions_per_role(role, lists, creates, as_role, world, platform):
    api = as_role(role)
    assert api.get(f"/api/report-packs/?vendor={platform.pk}").status_code in (lists, 401)
    with mock.patch("reports.tasks.generate_pack.delay"):
        answer = api.post("/api/report-packs/", {"vendor": platform.pk, "period": "month",
                                                 "period_start": "2026-04-01"}, format="json")
    assert answer.status_code in (creates, 401) if role == ANONYMOUS else \
        answer.status_code == creates
    assert ReportPack.objects.exists() == (creates == 202)


@pytest.mark.parametrize("endpoint", ["/api/vendor-reviews/", "/api/report-packs/",
                                      "/api/review-action-items/"])
def test_lists_take_a_constant_number_of_queries(endpoint, api_as, victor, world, platform,
                                                 django_assert_num_queries):
    from reports import services

    api = api_as(victor)

    def add(month):
        review = services.review_create(by=victor, vendor=platform, period="month",
                                        period_start=date(2026, month, 1),
                                        meeting_date=date(2026, month, 20))
        services.action_item_add(review=review, by=victor, title="Act", owner=victor,
                                 due_date=date(2026, month, 25))
        with mock.patch("reports.tasks.generate_pack.delay"):
            services.pack_request(by=victor, vendor=platform, period="month",
                                  period_start=date(2026, month, 1), review=review)

    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        api.get(endpoint)
    for month in (2, 3, 4):
        add(month)
    with django_assert_num_queries(len(one)):
        assert api.get(endpoint).status_code == 200
