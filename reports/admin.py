"""Vendor reviews, packs and schedules in the admin, with their history.

States, status, progress and files are read-only: they move only through the services
(the admin's actions call the same ones as the pages). A failed pack or schedule shows
its error here; the "retry" action queues a failed pack again.
"""

from django.contrib import admin

from core.admin import AuditedAdmin, ReadOnlyInline, run_for_each

from . import services
from .models import PackSchedule, PackScheduleRun, ReportPack, ReviewActionItem, VendorReview


class ActionItemInline(ReadOnlyInline):
    model = ReviewActionItem
    fk_name = "review"
    fields = ("title", "owner", "due_date", "state", "done_at")


@admin.register(VendorReview)
class VendorReviewAdmin(AuditedAdmin):
    list_display = ("vendor", "period", "period_start", "meeting_date", "state")
    list_filter = ("state", "period", "vendor")
    search_fields = ("vendor__name", "agenda", "decisions")
    readonly_fields = ("state", "pack", "held_at", "published_at", "created_by", "created_at")
    filter_horizontal = ("attendees", "vendor_attendees")
    inlines = [ActionItemInline]
    actions = ["publish_minutes"]

    def has_add_permission(self, request):
        return False  # planned on the reports page (the service checks the period)

    @admin.action(description="Publish the minutes")
    def publish_minutes(self, request, queryset):
        run_for_each(request, queryset,
                     lambda review: services.review_publish_minutes(review=review,
                                                                    by=request.user),
                     done="Minutes published")


@admin.register(ReviewActionItem)
class ReviewActionItemAdmin(AuditedAdmin):
    list_display = ("title", "review", "owner", "due_date", "state")
    list_filter = ("state",)
    search_fields = ("title", "review__vendor__name")
    readonly_fields = ("review", "state", "done_at", "closed_in", "created_by", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(ReportPack)
class ReportPackAdmin(AuditedAdmin):
    list_display = ("subject", "period_start", "period_end", "version", "status", "progress",
                    "created_at", "finished_at")
    list_filter = ("kind", "status", "vendor")
    search_fields = ("vendor__name", "error")
    readonly_fields = [f.name for f in ReportPack._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry failed packs")
    def retry(self, request, queryset):
        run_for_each(request, queryset,
                     lambda pack: services.pack_retry(pack=pack, by=request.user),
                     done="Queued again")


class ScheduleRunInline(ReadOnlyInline):
    model = PackScheduleRun
    fields = ("period_start", "status", "error", "started_at", "finished_at")


@admin.register(PackSchedule)
class PackScheduleAdmin(AuditedAdmin):
    list_display = ("name", "kind", "active", "calendar", "owner", "next_run_at", "last_error")
    list_filter = ("kind", "active")
    autocomplete_fields = ("calendar",)
    search_fields = ("name",)
    readonly_fields = ("last_error", "created_by", "created_at")
    inlines = [ScheduleRunInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            if obj.kind == "executive" and obj.owner is None:
                obj.owner = request.user
        if obj.active and (not change or {"calendar", "active"} & set(form.changed_data)):
            # The first working day follows the calendar: recomputed when it changes.
            from django.utils import timezone

            obj.next_run_at = services.next_run_after(timezone.now(), obj.calendar)
        super().save_model(request, obj, form, change)


@admin.register(PackScheduleRun)
class PackScheduleRunAdmin(AuditedAdmin):
    list_display = ("schedule", "period_start", "status", "started_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = ("schedule", "period_start", "status", "packs", "error", "started_at",
                       "finished_at")

    def has_add_permission(self, request):
        return False
