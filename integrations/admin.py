"""Integrations and their alerts in the admin, with history.

Managers configure integrations here or on the Integrations pages; a new integration's
token is made on those pages (it is shown once), so the admin adds none. Alerts,
groups and stored payloads are read-only: they are what sources said. The admin's
actions call the same services as the pages.
"""

from django.contrib import admin

from core.admin import AuditedAdmin, ReadOnlyAdminMixin, run_for_each

from . import services
from .models import Alert, AlertGroup, InboundEvent, Integration


@admin.register(Integration)
class IntegrationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "enabled", "channel", "team", "vendor", "auto_resolve",
                    "last_error_at")
    list_filter = ("kind", "enabled", "auto_resolve")
    search_fields = ("name",)
    readonly_fields = ("kind", "token_hint", "poll_next_at", "last_error", "last_error_at",
                       "created_by", "created_at")
    exclude = ("token_hash",)
    actions = ["send_test_alert", "disable"]

    def has_add_permission(self, request):
        return False  # made on the Integrations page, which shows the token once

    @admin.action(description="Send a test alert")
    def send_test_alert(self, request, queryset):
        run_for_each(request, queryset,
                     lambda integration: services.send_test_alert(integration=integration,
                                                                  by=request.user),
                     done="Test alert sent")

    @admin.action(description="Disable (senders get 410)")
    def disable(self, request, queryset):
        run_for_each(request, queryset,
                     lambda integration: services.integration_set_enabled(
                         integration=integration, by=request.user, enabled=False),
                     done="Disabled")


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ("title", "integration", "status", "severity", "occurrences",
                    "last_seen_at")
    list_filter = ("status", "severity", "integration")
    search_fields = ("title", "dedup_key", "source")


@admin.register(AlertGroup)
class AlertGroupAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ("group_key", "integration", "status", "incident", "last_fired_at",
                    "source_started_at", "source_ended_at")
    list_filter = ("status", "integration")
    search_fields = ("group_key", "title")


@admin.register(InboundEvent)
class InboundEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("integration", "received_at", "status", "attempts", "is_test")
    list_filter = ("status", "integration", "is_test")
    search_fields = ("error",)
