"""Queues, saved import mappings and the import records in the admin.

Queue and mapping saves go through the services (``ServiceSaveAdmin``: a refusal
shows on the form). Interval rows and import records are written by imports and
pushes only: read-only here, with their history.
"""

from django.contrib import admin

from core.admin import AuditedAdmin, ReadOnlyAdminMixin, ServiceSaveAdmin

from . import services
from .models import ImportSource, IntervalImport, IntervalStat, Queue


@admin.register(Queue)
class QueueAdmin(ServiceSaveAdmin):
    list_display = ["name", "channel", "site", "vendor", "threshold_seconds", "target_percent",
                    "abandon_treatment", "active"]
    list_filter = ["channel", "abandon_treatment", "active", "vendor"]
    search_fields = ["name", "import_name", "site"]
    list_select_related = ["vendor"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name in services.QUEUE_FIELDS}
        reason = f"Changed in admin: {', '.join(sorted(fields)) or 'no field'}"
        if change:
            saved = services.queue_update(queue=obj, by=request.user, reason=reason, **fields)
        else:
            saved = services.queue_create(by=request.user, reason="Created in admin",
                                          **{n: form.cleaned_data[n] for n in form.cleaned_data
                                             if n in services.QUEUE_FIELDS})
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.queue_delete(queue=obj, by=request.user)


@admin.register(ImportSource)
class ImportSourceAdmin(ServiceSaveAdmin):
    list_display = ["name", "format", "interval_minutes", "time_zone"]
    list_filter = ["format"]

    def save_model(self, request, obj, form, change):
        saved = services.source_save(by=request.user, source=obj if change else None,
                                     **form.cleaned_data)
        obj.pk = saved.pk


@admin.register(IntervalStat)
class IntervalStatAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["queue", "start", "length_minutes", "offered", "answered", "abandoned"]
    list_filter = ["queue", "length_minutes"]
    date_hierarchy = "start"
    list_select_related = ["queue"]
    show_full_result_count = False  # a year of intervals: no COUNT(*) per page


@admin.register(IntervalImport)
class IntervalImportAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["at", "file_name", "format", "by", "outcome", "rows", "created", "replaced"]
    list_filter = ["outcome", "format"]
    list_select_related = ["by"]
