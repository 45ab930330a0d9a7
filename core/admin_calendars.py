"""Admin for business calendars, their holidays and holiday feeds.

Managers configure calendars here. Every write goes through ``core.calendars``
(``calendar_save``, ``holiday_save``, ``holidays_generate``…), so the admin, the API
and the tasks share one set of rules and one audit trail.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.utils import timezone

from .admin import ACTION_FORM_TEMPLATE, AuditedAdmin, ReadOnlyInline
from .calendars import (
    MAX_ICS_BYTES,
    calendar_delete,
    calendar_save,
    feed_delete,
    feed_refresh,
    fetch_ics,
    holiday_delete,
    holiday_save,
    holidays_generate,
    holidays_import_ics,
    validate_closure,
    validate_working_ranges,
)
from .choices import HolidayFeedKind
from .forms import CalendarAdminForm, GenerateHolidaysForm
from .models import BusinessCalendar, Holiday, HolidayFeed, WorkingHours
from .views_calendars import closure_label, weekly_summary


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _reason(form, formsets, change):
    if not change:
        return "Created in admin"
    changed = list(form.changed_data)
    changed += [formset.model._meta.verbose_name_plural for formset in formsets
                if formset.has_changed()]
    return f"Changed in admin: {', '.join(map(str, changed)) or 'no field'}"


# --- Forms -------------------------------------------------------------------------------


class ImportIcsForm(forms.Form):
    file = forms.FileField(required=False, help_text="An .ics file, imported once.")
    url = forms.URLField(label="ICS address", required=False, assume_scheme="https",
                         help_text="Or an http(s) ICS address: read now, then every day.")
    name = forms.CharField(max_length=120, required=False, help_text="Optional label.")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and bool(cleaned.get("file")) == bool(cleaned.get("url")):
            raise forms.ValidationError("Give either an ICS file or an address, not both.")
        return cleaned


class WorkingHoursFormSet(BaseInlineFormSet):
    """Refuses an empty week and overlapping ranges with the service's own message."""

    def clean(self):
        super().clean()
        self.ranges = []
        if any(self.errors):
            return
        self.ranges = [
            (form.cleaned_data["weekday"], form.cleaned_data["start"], form.cleaned_data["end"])
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]
        try:
            validate_working_ranges(self.ranges)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


class HolidayAdminForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["calendar", "date", "name", "closed_from", "closed_until"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date"):
            # Dict-shaped: the message lands on the "closed until" field.
            validate_closure(day=cleaned["date"], closed_from=cleaned.get("closed_from"),
                             closed_until=cleaned.get("closed_until"))
        return cleaned


# --- Inlines -----------------------------------------------------------------------------


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    fields = ["weekday", "start", "end"]

    def get_extra(self, request, obj=None, **kwargs):
        return 7 if obj is None else 1


class HolidayInline(ReadOnlyInline):
    model = Holiday
    fields = ["date", "name", "closure", "source", "feed"]
    readonly_fields = fields
    verbose_name_plural = "holidays in the next 12 months (edit them under Holidays)"

    def get_queryset(self, request):
        # The next year only: a 30-year feed would otherwise make a page of hundreds of rows.
        today = timezone.localdate()
        return super().get_queryset(request).select_related("feed").filter(
            date__gte=today, date__lt=today + timedelta(days=366)
        )

    @admin.display(description="Closed")
    def closure(self, obj):
        return closure_label(obj)


class HolidayFeedInline(ReadOnlyInline):
    model = HolidayFeed
    fields = ["kind", "source", "holiday_count", "last_synced_at", "last_error"]
    readonly_fields = fields
    verbose_name_plural = "holiday sources (add them with the list's actions)"

    @admin.display(description="Source")
    def source(self, obj):
        return str(obj)


def _without_cascaded_perms(result):
    """Holidays and feeds go with their parent; their own admins refuse one-by-one deletes
    of generated holidays, which must not block deleting the parent."""
    deleted, counts, perms_needed, protected = result
    perms_needed -= {str(Holiday._meta.verbose_name), str(HolidayFeed._meta.verbose_name)}
    return deleted, counts, perms_needed, protected


# --- Business calendars --------------------------------------------------------------------


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedAdmin):
    form = CalendarAdminForm
    list_display = ["name", "time_zone", "weekly_hours", "holiday_count", "is_builtin",
                    "updated_at"]
    list_filter = ["time_zone", "is_builtin"]
    search_fields = ["name", "description", "time_zone"]
    fields = ["name", "time_zone", "description", "is_builtin", "created_at", "updated_at"]
    readonly_fields = ["is_builtin", "created_at", "updated_at"]
    inlines = [WorkingHoursInline, HolidayInline, HolidayFeedInline]
    actions = ["generate_holidays", "import_ics"]

    def get_queryset(self, request):
        return (super().get_queryset(request)
                .annotate(_holiday_count=Count("holidays")).prefetch_related("working_hours"))

    @admin.display(description="Weekly hours")
    def weekly_hours(self, obj):
        return weekly_summary(obj.working_hours.all())

    @admin.display(description="Holidays", ordering="_holiday_count")
    def holiday_count(self, obj):
        return obj._holiday_count

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_builtin:
            return False  # every plain-hours clock counts on the built-in 24×7 calendar
        return super().has_delete_permission(request, obj)

    # Saving: the calendar and its hours are written together by calendar_save (in
    # save_related, once the inline formsets are known), validated and audited as one.

    def save_model(self, request, obj, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        hours = None
        for formset in formsets:
            # commit=False writes nothing; it fills new/changed/deleted_objects, which
            # the admin's change message reads.
            formset.save(commit=False)
            if formset.model is WorkingHours:
                hours = formset
        calendar = form.instance
        if hours is not None:
            ranges = hours.ranges
        else:  # hours not editable by this user: keep them
            ranges = [(h.weekday, h.start, h.end) for h in calendar.working_hours.all()]
        calendar_save(calendar=calendar, ranges=ranges, by=request.user,
                      reason=_reason(form, formsets, change))
        form.save_m2m()

    def delete_model(self, request, obj):
        calendar_delete(calendar=obj, by=request.user, reason="Deleted in admin")

    def delete_queryset(self, request, queryset):
        for calendar in queryset:
            calendar_delete(calendar=calendar, by=request.user, reason="Deleted in admin")

    def get_deleted_objects(self, objs, request):
        return _without_cascaded_perms(super().get_deleted_objects(objs, request))

    # -- Actions ---------------------------------------------------------------------

    def _action_page(self, request, queryset, *, form, action, title, help, submit_label):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "title": title, "help": help, "form": form,
            "queryset": queryset, "action": action, "submit_label": submit_label,
            "action_checkbox_name": ACTION_CHECKBOX_NAME, "media": self.media + form.media,
        }
        return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)

    @admin.action(description="Generate public holidays…", permissions=["change"])
    def generate_holidays(self, request, queryset):
        """Add a country's public holidays to each selected calendar."""
        applying = "apply" in request.POST
        year = timezone.localdate().year
        form = GenerateHolidaysForm(
            request.POST if applying else None, initial={"year_from": year, "year_to": year + 1}
        )
        if applying and form.is_valid():
            failed = False
            for calendar in queryset:
                try:
                    feed = holidays_generate(calendar=calendar, by=request.user,
                                             **form.cleaned_data)
                except ValidationError as exc:
                    failed = True
                    messages.error(request, f"{calendar}: {_messages_of(exc)}")
                else:
                    messages.success(request, f"{calendar}: {feed.holiday_count} public holidays "
                                              f"from {feed}.")
            if not failed:
                return None  # back to the list, with the messages
        return self._action_page(
            request, queryset, form=form, action="generate_holidays",
            title="Generate public holidays",
            help="Re-running for the same country and subdivision replaces those holidays.",
            submit_label="Generate",
        )

    @admin.action(description="Import holidays from ICS…", permissions=["change"])
    def import_ics(self, request, queryset):
        """Import closures from an uploaded ICS file or an ICS address into each calendar."""
        applying = "apply" in request.POST
        form = ImportIcsForm(request.POST if applying else None,
                             request.FILES if applying else None)
        if applying and form.is_valid():
            url, upload = form.cleaned_data["url"], form.cleaned_data["file"]
            content = None
            try:
                # Read once, import into every selected calendar.
                content = fetch_ics(url) if url else upload.read(MAX_ICS_BYTES + 1)
            except (OSError, ValidationError) as exc:
                text = _messages_of(exc) if isinstance(exc, ValidationError) else str(exc)
                messages.error(request, f"Could not read {url}: {text}")
            failed = content is None
            for calendar in queryset if content is not None else []:
                try:
                    feed = holidays_import_ics(
                        calendar=calendar, content=content, by=request.user, url=url,
                        name=form.cleaned_data["name"] or (upload.name if upload else ""),
                    )
                except ValidationError as exc:
                    failed = True
                    messages.error(request, f"{calendar}: {_messages_of(exc)}")
                else:
                    messages.success(request, f"{calendar}: {feed.holiday_count} closures "
                                              f"imported from {feed}.")
            if not failed:
                return None
        return self._action_page(
            request, queryset, form=form, action="import_ics",
            title="Import holidays from ICS",
            help="All-day events close whole days; timed events close part of a day. "
                 "An address is re-read every day; importing it again replaces its holidays.",
            submit_label="Import",
        )


# --- Holidays --------------------------------------------------------------------------------


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    form = HolidayAdminForm
    list_display = ["date", "name", "calendar", "closure", "source", "feed"]
    list_filter = ["calendar", "source", "feed__kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    list_select_related = ["calendar", "feed"]
    readonly_fields = ["source", "feed"]

    @admin.display(description="Closed")
    def closure(self, obj):
        return closure_label(obj)

    # Generated and imported holidays belong to their feed and come back at each sync,
    # so they are read-only here (holiday_save and holiday_delete refuse them too).
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.feed_id is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.feed_id is not None:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        reason = (f"Changed in admin: {', '.join(form.changed_data) or 'no field'}" if change
                  else "Created in admin")
        holiday_save(holiday=obj, by=request.user, reason=reason)

    def delete_model(self, request, obj):
        holiday_delete(holiday=obj, by=request.user, reason="Deleted in admin")

    def delete_queryset(self, request, queryset):
        for holiday in queryset.select_related("calendar", "feed"):
            holiday_delete(holiday=holiday, by=request.user, reason="Deleted in admin")


# --- Holiday feeds -----------------------------------------------------------------------------


@admin.register(HolidayFeed)
class HolidayFeedAdmin(AuditedAdmin):
    list_display = ["__str__", "calendar", "kind", "holiday_count", "last_synced_at",
                    "short_error"]
    list_filter = ["calendar", "kind"]
    search_fields = ["name", "url", "country", "subdivision"]
    list_select_related = ["calendar"]
    actions = ["refresh_now"]

    # Feeds are made by the calendar actions and kept by the sync; here they are read
    # (and deleted, which takes their holidays with them).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_refresh_permission(self, request):
        return request.user.has_perm("core.change_holidayfeed")

    @admin.display(description="Last error")
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def delete_model(self, request, obj):
        feed_delete(feed=obj, by=request.user, reason="Deleted in admin")

    def delete_queryset(self, request, queryset):
        for feed in queryset.select_related("calendar"):
            feed_delete(feed=feed, by=request.user, reason="Deleted in admin")

    def get_deleted_objects(self, objs, request):
        return _without_cascaded_perms(super().get_deleted_objects(objs, request))

    @admin.action(description="Re-read ICS addresses now", permissions=["refresh"])
    def refresh_now(self, request, queryset):
        """Re-read the selected ICS address feeds; others are skipped with a note."""
        for feed in queryset.select_related("calendar"):
            if feed.kind != HolidayFeedKind.ICS_URL:
                messages.warning(request, f"{feed}: not an ICS address; nothing to re-read.")
            elif feed_refresh(feed=feed):
                messages.success(request, f"{feed}: refreshed.")
            else:
                feed.refresh_from_db()
                messages.error(request, f"{feed}: {feed.last_error}")
