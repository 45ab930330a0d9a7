"""Demo vendor reviews: the carrier's last quarter reviewed on a generated pack, with
decisions and two action items (one done, one open); the next quarterly review planned
with the open item carried over; the monthly vendor and executive pack schedules."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import services
from .choices import ActionItemState, ReviewPeriod
from .models import PackSchedule, VendorReview

CARRIER = "Northwind Telecom"


def seed_reports(demo=None, today=None) -> int:
    """Returns the number of reviews created (0 when already there or nothing to review)."""
    from vendors.models import Vendor

    if VendorReview.objects.exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["vendor", "manager"])}
    carrier = Vendor.objects.filter(name=CARRIER).first()
    if "vendor" not in users or carrier is None:
        return 0
    victor = users["vendor"]
    today = today or timezone.localdate()
    this_quarter, _ = services.period_bounds(ReviewPeriod.QUARTER, today)
    last_start, last_end = services.period_bounds(ReviewPeriod.QUARTER,
                                                  this_quarter - timedelta(days=1))
    contacts = list(carrier.contacts.order_by("escalation_order", "pk")[:2])
    held = services.review_create(
        by=victor, vendor=carrier, period=ReviewPeriod.QUARTER, period_start=last_start,
        meeting_date=min(today, last_end + timedelta(days=10)), attendees=[victor],
        vendor_attendees=contacts,
        agenda="SLA scorecard and credits\nThe SIP outages and their root causes\n"
               "Renewal position")
    # Built here, in the seeder (no worker needed for the demo): the task's own code.
    pack = services.pack_request(by=victor, vendor=carrier, period=held.period,
                                 period_start=held.period_start, review=held)
    services.pack_build(pack.pk)
    held.refresh_from_db()
    held = services.review_hold(review=held, by=victor)
    services.review_record(review=held, by=victor, decisions=(
        "Northwind to add a second SIP route by the end of next quarter.\n"
        "We claim the uptime credits of both outage months."))
    done = services.action_item_add(review=held, by=victor, title="Claim the uptime credits",
                                    owner=victor, due_date=held.meeting_date + timedelta(days=14))
    services.action_item_add(review=held, by=victor,
                             title="Northwind to send the RCA of the second SIP outage",
                             owner=victor, due_date=held.meeting_date + timedelta(days=30))
    services.action_item_close(item=done, by=victor, state=ActionItemState.DONE, review=held)
    services.review_publish_minutes(review=held, by=victor)
    services.review_create(
        by=victor, vendor=carrier, period=ReviewPeriod.QUARTER, period_start=this_quarter,
        meeting_date=services.period_bounds(ReviewPeriod.QUARTER, this_quarter)[1]
        + timedelta(days=10), attendees=[victor], vendor_attendees=contacts,
        agenda="SLA scorecard\nSecond SIP route: progress\nOpen actions")
    if not PackSchedule.objects.exists():
        from core.models import BusinessCalendar

        manager = users.get("manager", victor)
        services.schedule_create(by=manager, name="Monthly vendor packs")
        # The executive pack on the UK office's first working day (its bank holidays
        # respected), as the manager sees it.
        uk = BusinessCalendar.objects.filter(name__icontains="UK").first()
        services.schedule_create(by=manager, name="Monthly executive pack",
                                 kind="executive", calendar=uk, owner=manager)
    return 2
