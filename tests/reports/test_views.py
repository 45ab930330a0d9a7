"""The reports pages through the HTTP client, and who may do what."""

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from core.choices import Role
from reports import services, tasks
from reports.choices import ReviewState
from reports.models import ReportPack, VendorReview
from tests.reports.conftest import quarter_review

ANONYMOUS = "anonymous"
ROLES = [Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE, Role.INCIDENT_RESPONDER,
         Role.ESCALATION_LEAD, Role.VIEWER, ANONYMOUS]


@pytest.fixture
def ready_pack(world, victor, platform, django_capture_on_commit_callbacks):
    review = quarter_review(victor, platform)
    with mock.patch("reports.tasks.generate_pack.delay"), \
            django_capture_on_commit_callbacks(execute=True):
        pack = services.pack_request(by=victor, vendor=platform, period="quarter",
                                     period_start=review.period_start, review=review)
    tasks.generate_pack(pack.pk)
    return ReportPack.objects.get(pk=pack.pk)


@pytest.fixture
def sign_in(client, make_user):
    def sign(role):
        if role != ANONYMOUS:
            client.force_login(make_user(role, username=f"u-{role}".replace(" ", "")))
        return client

    return sign


# role → (reads the review, downloads the PDF, plans a review, generates a pack)
MATRIX = {
    Role.MANAGER: (200, 200, True, True),
    Role.VENDOR_MANAGER: (200, 200, True, True),
    Role.FINANCE: (200, 200, False, False),
    Role.INCIDENT_RESPONDER: (200, 403, False, False),
    Role.ESCALATION_LEAD: (200, 403, False, False),
    Role.VIEWER: (200, 403, False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_permissions_per_role(role, sign_in, ready_pack):
    client = sign_in(role)
    review_url = ready_pack.review.get_absolute_url()
    pdf_url = reverse("reports:pack-file", args=[ready_pack.pk, "pdf"])
    if role == ANONYMOUS:
        assert client.get(review_url).status_code == 302
        assert client.get(pdf_url).status_code == 302
        return
    reads, downloads, plans, generates = MATRIX[role]
    page = client.get(review_url)
    assert page.status_code == reads
    download = client.get(pdf_url)
    assert download.status_code == downloads
    download.close()
    assert (b'data-testid="generate"' in page.content) == generates
    before = ReportPack.objects.count()
    with mock.patch("reports.tasks.generate_pack.delay"):
        answer = client.post(reverse("reports:review-action",
                                     args=[ready_pack.review.pk, "generate"]))
    assert (ReportPack.objects.count() > before) == generates
    assert answer.status_code == (302 if generates else 403)
    form = client.get(reverse("reports:review-new"))
    assert (b'data-testid="plan-review"' in client.get(reverse("reports:index")).content) \
        == plans
    assert form.status_code == 200


def test_the_journey_plan_generate_hold_decide_and_carry_over(
        client, victor, world, platform, django_capture_on_commit_callbacks):
    client.force_login(victor)
    answer = client.post(reverse("reports:review-new"), {
        "vendor": platform.pk, "period": "quarter", "period_start": "2026-04-01",
        "meeting_date": "2026-04-20", "attendees": [victor.pk],
        "vendor_attendees": [platform.contacts.get().pk], "agenda": "Uptime in April"})
    review = VendorReview.objects.get()
    assert answer.status_code == 302 and answer.url == review.get_absolute_url()
    with mock.patch("reports.tasks.generate_pack.delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:review-action", args=[review.pk, "generate"]))
    pack = ReportPack.objects.get()
    delay.assert_called_once_with(pack.pk)
    polling = client.get(reverse("reports:pack-status", args=[pack.pk]))
    assert b'hx-trigger="every 2s"' in polling.content  # queued: the page polls
    tasks.generate_pack(pack.pk)
    done = client.get(reverse("reports:pack-status", args=[pack.pk]))
    assert b"every 2s" not in done.content and b"PDF" in done.content
    html = client.get(reverse("reports:pack", args=[pack.pk]))
    assert b"Skyline CCaaS" in html.content and b"Uptime 1" in html.content
    xlsx = client.get(reverse("reports:pack-file", args=[pack.pk, "xlsx"]))
    assert xlsx.status_code == 200
    xlsx.close()
    client.post(reverse("reports:review-action", args=[review.pk, "hold"]))
    client.post(reverse("reports:review-action", args=[review.pk, "decisions"]),
                {"decisions": "Renegotiate the credit bands."})
    client.post(reverse("reports:review-action", args=[review.pk, "item"]),
                {"title": "Send the RCA", "owner": victor.pk, "due_date": "2026-05-15"})
    client.post(reverse("reports:review-action", args=[review.pk, "publish"]))
    review.refresh_from_db()
    assert review.state == ReviewState.MINUTES_PUBLISHED
    assert review.decisions == "Renegotiate the credit bands."
    following = services.review_create(by=victor, vendor=platform, period="quarter",
                                       period_start=date(2026, 7, 1),
                                       meeting_date=date(2026, 7, 20))
    page = client.get(following.get_absolute_url())
    assert b"Send the RCA" in page.content


def test_bad_input_is_a_400_naming_the_field(client, victor, world):
    client.force_login(victor)
    answer = client.post(reverse("reports:review-new"), {"vendor": "x", "period": "decade"})
    assert answer.status_code == 400
    assert set(answer.context["form"].errors) >= {"vendor", "period", "meeting_date"}


def test_the_vendor_page_lists_its_reviews(client, victor, world, platform, ready_pack):
    client.force_login(victor)
    page = client.get(platform.get_absolute_url())
    assert b'data-testid="vendor-reviews"' in page.content
    assert ready_pack.review.period_label.encode() in page.content


def test_the_index_lists_reviews_packs_and_schedules(client, manager, ready_pack):
    services.schedule_create(by=manager, name="Monthly packs")
    client.force_login(manager)
    page = client.get(reverse("reports:index"))
    assert b"Monthly packs" in page.content and b"Skyline CCaaS" in page.content


def test_a_failed_schedule_shows_its_error_on_its_page(client, manager, world):
    schedule = services.schedule_create(by=manager, name="Monthly packs")
    services.schedule_record_failure(schedule, RuntimeError("disk full"))
    client.force_login(manager)
    page = client.get(reverse("reports:schedule", args=[schedule.pk]))
    assert b'data-testid="schedule-error"' in page.content and b"disk full" in page.content


def test_a_pack_in_the_browser_needs_money(client, viewer, ready_pack):
    client.force_login(viewer)
    assert client.get(reverse("reports:pack", args=[ready_pack.pk])).status_code == 403
