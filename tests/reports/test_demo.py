from datetime import date

from reports.choices import ActionItemState, PackStatus, ReviewState
from reports.demo import seed_reports
from reports.models import PackSchedule, VendorReview
from reports.services import carried_over_items
from vendors.demo import seed_vendors


def test_the_demo_reviews_the_carrier_and_carries_the_open_item(make_user, django_user_model):
    from core.choices import Role

    make_user(Role.VENDOR_MANAGER, username="vendor")
    make_user(Role.MANAGER, username="manager")
    seed_vendors(today=date(2026, 5, 3))
    assert seed_reports(today=date(2026, 5, 3)) == 2
    held, planned = VendorReview.objects.order_by("meeting_date")
    assert held.state == ReviewState.MINUTES_PUBLISHED
    assert held.pack.status == PackStatus.DONE and held.pack.pdf
    assert sorted(held.action_items.values_list("state", flat=True)) == [
        ActionItemState.DONE, ActionItemState.OPEN]
    assert planned.state == ReviewState.PLANNED
    assert [i.state for i in carried_over_items(planned)] == [ActionItemState.OPEN]
    assert sorted(PackSchedule.objects.values_list("kind", flat=True)) == [
        "executive", "vendor"]
    assert seed_reports(today=date(2026, 5, 3)) == 0
