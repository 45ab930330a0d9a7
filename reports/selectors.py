"""Reads of the reports pages."""

from django.db.models import Prefetch
from django.utils import timezone

from .choices import ReviewState
from .models import PackSchedule, ReportPack, VendorReview


def reviews_upcoming(limit=20):
    return list(VendorReview.objects.filter(
        state__in=(ReviewState.PLANNED, ReviewState.PACK_READY),
        meeting_date__gte=timezone.localdate()).select_related("vendor")
        .order_by("meeting_date", "pk")[:limit])


def reviews_recent(limit=20):
    return list(VendorReview.objects.exclude(
        state__in=(ReviewState.PLANNED, ReviewState.PACK_READY),
        meeting_date__gte=timezone.localdate()).select_related("vendor")
        .order_by("-meeting_date", "-pk")[:limit])


def packs_by_vendor(limit=100):
    """The latest packs grouped by vendor name."""
    grouped = {}
    for pack in ReportPack.objects.select_related("vendor").order_by(
            "vendor__name", "-period_start", "-version")[:limit]:
        grouped.setdefault(pack.vendor, []).append(pack)
    return grouped


def schedules():
    return list(PackSchedule.objects.prefetch_related(
        Prefetch("runs", to_attr="recent_runs")).order_by("name"))


def review_packs(review):
    return list(review.packs.order_by("-version", "-pk"))


def vendor_reviews(vendor, limit=10):
    return list(VendorReview.objects.filter(vendor=vendor).order_by("-meeting_date")[:limit])


def vendor_packs(vendor, limit=10):
    return list(ReportPack.objects.filter(vendor=vendor).order_by("-created_at", "-pk")[:limit])
