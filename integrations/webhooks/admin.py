"""Outbound webhooks in the admin: managers only (a subscription's URL is often a
credential). Subscriptions change on the Webhooks pages, through the services; here
they are read, and the actions call the same services as the pages."""

from django.contrib import admin

from core.admin import AuditedAdmin, ReadOnlyAdminMixin, ReadOnlyInline, run_for_each

from . import services
from .models import (
    CustomerUpdateEmail,
    CustomerUpdateOptIn,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)


class ManagersOnly:
    """Every role may *view* the app's models by default grant; here only managers."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("webhooks.manage")

    def has_module_permission(self, request):
        return request.user.has_perm("webhooks.manage")


class AttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ("number", "at", "response_status", "response_ms", "succeeded", "error")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ManagersOnly, ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ("name", "preset", "url", "enabled", "owner", "consecutive_gave_up",
                    "failing_since")
    list_filter = ("enabled", "preset")
    search_fields = ("name", "url")
    exclude = ("secret", "previous_secret")
    actions = ["send_test"]

    @admin.action(description="Send a test event")
    def send_test(self, request, queryset):
        if not request.user.has_perm("webhooks.manage"):
            return
        run_for_each(request, queryset, lambda s: services.subscription_send_test(
            subscription=s, by=request.user), done="Test event queued")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ManagersOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("event_type", "subscription", "status", "attempts", "response_status",
                    "created_at", "next_attempt_at")
    list_filter = ("status", "event_type", "subscription")
    search_fields = ("event_id", "event_type")
    inlines = [AttemptInline]
    actions = ["replay"]

    @admin.action(description="Replay (same webhook-id, new attempts)")
    def replay(self, request, queryset):
        run_for_each(request, queryset, lambda d: services.delivery_replay(
            delivery=d, by=request.user), done="Replay queued")

    def has_change_permission(self, request, obj=None):
        # Actions need it; the form itself stays read-only (every field is).
        return request.user.has_perm("webhooks.manage")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(CustomerUpdateOptIn)
class CustomerUpdateOptInAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ("customer", "opted_in_at", "opted_in_by")


@admin.register(CustomerUpdateEmail)
class CustomerUpdateEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("customer", "status_update", "status", "attempts", "sent_at")
    list_filter = ("status",)
