"""SLA clocks in the admin: read-only, filterable. Clocks change only through services."""

from django.contrib import admin
from django.utils import timezone

from .admin import ReadOnlyAdminMixin
from .clocks import clock_status, format_duration
from .models import Notification, SlaClock, SlaClockEvent


class BreachedFilter(admin.SimpleListFilter):
    title = "breached"
    parameter_name = "breached"

    def lookups(self, request, model_admin):
        return [("yes", "Breached"), ("no", "Not breached")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(breached_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(breached_at__isnull=True)
        return queryset


class SlaClockEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SlaClockEvent
    fields = ["at", "kind", "threshold", "by", "detail"]
    readonly_fields = fields
    extra = 0


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "kind", "cycle", "state", "status", "target_display", "due_at",
                    "breached_at", "calendar"]
    list_filter = ["kind", "state", "outcome", BreachedFilter, "calendar"]
    search_fields = ["kind", "object_id"]
    date_hierarchy = "started_at"
    list_select_related = ["calendar", "content_type"]
    inlines = [SlaClockEventInline]

    @admin.display(description="Status")
    def status(self, obj):
        return clock_status(obj, timezone.now()).label

    @admin.display(description="Target", ordering="target")
    def target_display(self, obj):
        return format_duration(obj.target)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Notifications are also the email outbox: what went out, what is waiting, what
    failed and why."""

    list_display = ["title", "recipient", "created_at", "read_at", "email_status",
                    "email_attempts", "emailed_at", "email_last_error"]
    list_filter = ["email_status", "created_at", "read_at"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]
    actions = ["send_again"]

    @admin.action(description="Send the email again (failed or waiting)",
                  permissions=["change"])
    def send_again(self, request, queryset):
        from .notifications import email_retry

        count = email_retry(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} email(s) queued to be sent again.")

    def has_change_permission(self, request, obj=None):
        # Rows stay read-only on their page; the permission only gates the action.
        return obj is None and request.user.has_perm("core.change_notification")
