"""The reports app's objects for the bad-input fuzz (tests/nasty_input.py)."""

from datetime import timedelta

from django.utils import timezone


def extend(world):
    from reports import services
    from reports.models import ReportPack
    from vendors import services as vendor_services

    user = world.user
    today = timezone.localdate()
    # Its own vendor: the vendors app's world may be built after this one.
    vendor = vendor_services.vendor_create(by=user, name="Fuzz Review Vendor",
                                           category="carrier")
    review = services.review_create(by=user, vendor=vendor, period="month",
                                    period_start=today, meeting_date=today)
    item = services.action_item_add(review=review, by=user, title="Send the RCA", owner=user,
                                    due_date=today + timedelta(days=14))
    pack = ReportPack.objects.create(vendor=vendor, period="month", period_start=today,
                                     period_end=today, version=1, created_by=user,
                                     status="failed", error="fuzz")
    schedule = services.schedule_create(by=user, name="Fuzz executive pack",
                                        kind="executive")
    world.ids.update({"vendor-reviews": review.pk, "review-action-items": item.pk,
                      "report-packs": pack.pk, "pack-schedules": schedule.pk})
    world.bodies.update({
        "POST /api/vendor-reviews/": {"vendor": vendor.pk, "period": "quarter",
                                      "period_start": today.isoformat(),
                                      "meeting_date": today.isoformat()},
        "PATCH /api/vendor-reviews/{id}/": {"agenda": "Scorecard"},
        "POST /api/vendor-reviews/{id}/action-items/": {
            "title": "Fix", "owner": user.pk, "due_date": today.isoformat()},
        "POST /api/review-action-items/{id}/close/": {"outcome": "done"},
        "POST /api/report-packs/": {"vendor": vendor.pk, "period": "month",
                                    "period_start": today.isoformat(), "formats": ["csv"]},
        "POST /api/vendor-reviews/{id}/generate/": {"formats": ["csv"]},
        "POST /api/pack-schedules/": {"name": "Monthly executive pack", "kind": "executive",
                                      "formats": ["pdf"], "email_owners": True},
    })
    world.forms.update({
        "/reports/reviews/new/": {"vendor": vendor.pk, "period": "month",
                                  "period_start": today.isoformat(),
                                  "meeting_date": today.isoformat()},
        "/reports/schedules/new/": {"name": "Monthly executive pack", "kind": "executive",
                                    "email_owners": "on"},
    })
