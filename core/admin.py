import copy

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.constants import LOOKUP_SEP
from django.template.response import TemplateResponse
from django.utils.dateparse import parse_date, parse_datetime
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .exceptions import DomainError, RequirementMissing
from .models import AccessChange, Team, WorkerHeartbeat
from .validation import PLAUSIBLE_FROM, parse_id, plausible_until, validate_plausible_date

DATE_PARTS = {"year", "iso_year", "month", "day", "week", "week_day", "iso_week_day",
              "quarter"}


def implausible_date_lookup(model, name, value) -> str | None:
    """Why ``?name=value`` on an admin list is no date a person meant, or None.

    The admin passes date filters (``?created_at__gte=…``, the date hierarchy's
    ``?created_at__year=…``) straight to the database: a +23:00 offset failed inside
    PostgreSQL, a 30-digit year overflowed, year 9999 overflowed the hierarchy's
    "next year". They must follow ``core/validation.py`` like any other date.
    """
    field, lookup = _field_and_lookup(model, name)
    if not isinstance(field, models.DateField) or lookup == "isnull":
        return None
    if lookup in DATE_PARTS:
        number = parse_id(value)
        low, high = ((PLAUSIBLE_FROM.year, plausible_until().year) if "year" in lookup
                     else (1, 53))
        if number is None or not low <= number <= high:
            return f"{name}: not a plausible {lookup.replace('_', ' ')}."
        return None
    try:
        parsed = parse_datetime(value) or parse_date(value)
    except ValueError:
        return None  # unreadable: the admin's own validation says so
    try:
        validate_plausible_date(parsed)
    except ValidationError as exc:
        return f"{name}: {exc.messages[0]}"
    return None


def _field_and_lookup(model, name):
    """``created_at__gte`` → (the created_at field, "gte"); (None, None) if no field."""
    parts = name.split(LOOKUP_SEP)
    for path, lookup in ((parts, "exact"), (parts[:-1], parts[-1])):
        if not path:
            continue
        try:
            return get_fields_from_path(model, LOOKUP_SEP.join(path))[-1], lookup
        except (FieldDoesNotExist, NotRelationField):
            continue
    return None, None


class PlausibleLookupsChangeList(ChangeList):
    """An admin list whose date filters follow core/validation.py: an implausible one
    is an invalid lookup (the admin's "?e=1" page), not a database error."""

    def get_queryset(self, request, exclude_parameters=None):
        for name, values in self.filter_params.items():
            for value in values:
                problem = implausible_date_lookup(self.model, name, value)
                if problem:
                    raise IncorrectLookupParameters(problem)
        return super().get_queryset(request, exclude_parameters)


class PlausibleLookupsMixin:
    def get_changelist(self, request, **kwargs):
        return PlausibleLookupsChangeList


class _HistoryValues(HistoricalRecordContextHelper):
    """The admin history's old → new values read as on the object pages
    (``core.history.display_value``): an empty person is "—", not simple-history's
    "Deleted user (pk=None)", and times are to the minute in the viewer's zone."""

    def prepare_delta_change_value(self, change, value):
        from simple_history.models import DeletedObject

        from .history import display_value

        field = self.model._meta.get_field(change.field)
        if field.many_to_many:
            return super().prepare_delta_change_value(change, value)
        if isinstance(value, DeletedObject):
            return "—" if value.pk is None else f"#{value.pk} (deleted)"
        return display_value(field, value)


class AuditedAdmin(PlausibleLookupsMixin, SimpleHistoryAdmin):
    """Base admin for every domain model: read-only history, a reason on each save.

    The request middleware records who; this records why, from what the form changed.
    """

    def get_historical_record_context_helper(self, request, historical_record):
        return _HistoryValues(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # SIMPLE_HISTORY_REVERT_DISABLED only hides the button; a crafted POST would
        # still revert, bypassing the services and the state machine. Refuse it.
        if request.method == "POST":
            raise PermissionDenied("History is read-only. Change the object itself instead.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            fields = ", ".join(form.changed_data) or "no field"
            obj._change_reason = f"Changed in admin: {fields}"
        else:
            obj._change_reason = "Created in admin"
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        obj._change_reason = "Deleted in admin"
        super().delete_model(request, obj)


class _DryRun(Exception):
    """Rolls back a trial save (see ServiceSaveAdmin)."""


class ServiceSaveAdmin(AuditedAdmin):
    """An admin whose ``save_model`` calls a service.

    The service is where a rule lives, so its refusal (a ``ValidationError`` naming a
    field, a ``PermissionDenied``) must show on the form like any validation error —
    not reach the admin's save, where it would be a 500. The form's validation runs
    the save once inside a savepoint that is always rolled back (notifications and
    on-commit tasks registered inside it are discarded with it); only a clean trial
    lets the admin save for real.
    """

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceCheckedForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                # A copy: services may change the object they are given (a version
                # number, an id), and a rollback does not undo that in memory.
                trial = copy.copy(self.instance)
                try:
                    with transaction.atomic():
                        model_admin.save_model(request, trial, self, obj is not None)
                        raise _DryRun
                except _DryRun:
                    pass
                except ValidationError as exc:
                    errors = exc.message_dict if hasattr(exc, "error_dict") else {
                        None: exc.messages}
                    for field, messages_ in errors.items():
                        self.add_error(field if field in self.fields else None, messages_)
                except DomainError as exc:
                    for field, messages_ in (getattr(exc, "errors", None)
                                             or {None: [str(exc)]}).items():
                        self.add_error(field if field in self.fields else None, messages_)
                except PermissionDenied as exc:
                    self.add_error(None, str(exc) or "Your role does not allow this.")

        return ServiceCheckedForm


class ReadOnlyAdminMixin(PlausibleLookupsMixin):
    """For records that change only through services or the sweep (clocks, events)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Related rows shown for context; edited elsewhere."""

    extra = 0
    can_delete = False
    show_change_link = True


ACTION_FORM_TEMPLATE = "admin/action_form.html"


# --- Admin actions that call services -------------------------------------------------


def refusal_text(exc) -> str:
    """A service's refusal as one sentence a person can act on."""
    if isinstance(exc, RequirementMissing) and exc.errors:
        return " ".join(message for messages_ in exc.errors.values() for message in messages_)
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "Not allowed."


def run_for_each(request, objects, call, *, done):
    """Run ``call(obj)`` (a service) for each object; report refusals one by one."""
    succeeded = 0
    for obj in objects:
        try:
            call(obj)
        except (DomainError, PermissionDenied, ValidationError) as exc:
            messages.error(request, f"{obj}: {refusal_text(exc)}")
        else:
            succeeded += 1
    if succeeded:
        messages.success(request, f"{done}: {succeeded}.")


def can_transition(request, name):
    """``why_not`` for :func:`action_with_form`: is transition ``name`` possible now for
    this person (its state and permission), before anyone types its input?"""
    from .why_not import why_not_transition

    return lambda obj: why_not_transition(request.user, obj, name, guards=False)


def action_with_form(model_admin, request, queryset, *, form_class, action, title, call, done,
                     help="", why_not=None):
    """An admin action that asks for input first (a reason, a summary…), then calls
    ``call(obj, cleaned_data)`` — a service — for each selected object.

    ``why_not(obj)`` (a ``core.why_not`` check, e.g. ``why_not_transition``) is asked
    *before* the form: an object that cannot be changed now whatever is typed is
    reported with its reason and left out, and when none is left nobody is asked to
    type a summary only to be refused."""
    if why_not is not None:
        allowed = []
        for obj in queryset:
            if (refusal := why_not(obj)) is not None:
                messages.error(request, f"{obj}: {refusal}")
            else:
                allowed.append(obj.pk)
        if not allowed:
            return None  # back to the change list, with the reasons
        queryset = queryset.filter(pk__in=allowed)
    applying = "apply" in request.POST
    form = form_class(request.POST if applying else None)
    if applying and form.is_valid():
        run_for_each(request, queryset, lambda obj: call(obj, form.cleaned_data), done=done)
        return None  # back to the change list, with the messages
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta, "title": title, "form": form, "queryset": queryset,
        "action": action, "action_checkbox_name": ACTION_CHECKBOX_NAME, "help": help,
    }
    return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "lead", "email", "member_count", "created_at"]
    search_fields = ["name", "description", "email"]
    list_filter = ["created_at"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["lead"]
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).select_related("lead").annotate(
            _members=Count("members")
        )

    @admin.display(description="Members", ordering="_members")
    def member_count(self, obj):
        return obj._members


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "beat_at", "hostname"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessChange)
class AccessChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail of people's access; written only by ``core.users``."""

    list_display = ["at", "user", "action", "detail", "by", "reason"]
    list_filter = ["action", "at"]
    search_fields = ["user__username", "by__username", "detail", "reason"]
    list_select_related = ["user", "by"]


# Calendars and clocks have their own admin modules; importing registers them.
from . import admin_calendars, admin_clocks  # noqa: E402, F401
