"""Business calendars on the web: the list, and one calendar's next two weeks.

Read-only pages: managers edit calendars in the admin. The "preview a due date" form
is a plain GET form so it works without JavaScript and its result can be linked.
"""

from datetime import time, timedelta
from decimal import Decimal
from itertools import groupby
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .calendars import (
    HOLIDAY_HORIZON_YEARS,
    calendar_preview,
    holidays_generate,
    holidays_known_until,
    open_hours_by_day,
)
from .choices import Weekday
from .forms import GenerateHolidaysForm
from .models import BusinessCalendar
from .validation import PlausibleDateTimeField

DAY_ABBREVIATIONS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MAX_PREVIEW_HOURS = 10_000


# --- Presentation helpers (labels only; no rules) ------------------------------------


def range_label(start: time, end: time) -> str:
    """'09:00–17:00', 'all day', '22:00–06:00 (next day)', '18:00–24:00'."""
    if start == end == time(0):
        return "all day"
    if end == time(0):
        return f"{start:%H:%M}–24:00"
    suffix = " (next day)" if end <= start else ""
    return f"{start:%H:%M}–{end:%H:%M}{suffix}"


def weekly_summary(hours) -> str:
    """Consecutive days with the same hours grouped: 'Mon–Fri 09:00–17:00 · Sat 10:00–14:00'."""
    by_day = {day: [] for day in range(7)}
    for row in sorted(hours, key=lambda h: (h.weekday, h.start)):
        by_day[row.weekday].append(range_label(row.start, row.end))
    parts = []
    days = [(day, ", ".join(labels)) for day, labels in by_day.items()]
    # groupby only merges neighbours, which is what "Mon–Fri" means.
    for labels, group in groupby(days, key=lambda item: item[1]):
        group = [day for day, _ in group]
        if not labels:
            continue
        first, last = DAY_ABBREVIATIONS[group[0]], DAY_ABBREVIATIONS[group[-1]]
        span = first if first == last else f"{first}–{last}"
        parts.append(f"{span} {labels}")
    return " · ".join(parts) or "no working hours"


def closure_label(holiday) -> str:
    if holiday.closed_from and holiday.closed_until:
        return f"closed {holiday.closed_from:%H:%M}–{holiday.closed_until:%H:%M}"
    if holiday.closed_from:
        return f"closed from {holiday.closed_from:%H:%M}"
    if holiday.closed_until:
        return f"closed until {holiday.closed_until:%H:%M}"
    return "closed all day"


def duration_label(value: timedelta, zero: str = "closed") -> str:
    minutes = int(value.total_seconds() // 60)
    if not minutes:
        return zero
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"


# --- Forms ---------------------------------------------------------------------------


class PreviewForm(forms.Form):
    start = PlausibleDateTimeField(
        label="Start (calendar time)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    hours = forms.DecimalField(
        label="Business hours", min_value=Decimal("0"), max_value=MAX_PREVIEW_HOURS,
        decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.25"}),
    )


# --- Views ---------------------------------------------------------------------------


@login_required
@permission_required("core.view_businesscalendar", raise_exception=True)
def calendar_list(request):
    """Every calendar with its zone, weekly hours and holiday count."""
    calendars = (
        BusinessCalendar.objects.annotate(holiday_count=Count("holidays"))
        .prefetch_related("working_hours")
        .order_by("name")
    )
    rows = [{"calendar": c, "summary": weekly_summary(c.working_hours.all())} for c in calendars]
    return render(request, "core/calendar_list.html", {"rows": rows})


@login_required
@permission_required("core.view_businesscalendar", raise_exception=True)
def calendar_detail(request, pk, generate_form=None, status=200):
    """The next 14 local days, the weekly hours, holiday feeds and a due-date preview."""
    calendar = get_object_or_404(
        BusinessCalendar.objects.prefetch_related("working_hours", "holidays", "feeds"), pk=pk
    )
    tz = ZoneInfo(calendar.time_zone)
    now_local = timezone.now().astimezone(tz)

    days = []
    for entry in open_hours_by_day(calendar, now_local.date(), days=14):
        day = entry["day"]
        days.append({
            "day": day,
            "is_today": day == now_local.date(),
            # An interval clipped at the next midnight ends at "24:00" of this day.
            "intervals": [
                f"{start:%H:%M}–{'24:00' if end.date() > day else format(end, '%H:%M')}"
                for start, end in entry["intervals"]
            ],
            "open_time": duration_label(entry["open_time"]),
            "holidays": [{"name": h.name, "closure": closure_label(h), "partial": h.is_partial}
                         for h in entry["holidays"]],
        })

    weekly = []
    hours = list(calendar.working_hours.all())
    for weekday in Weekday:
        ranges = [range_label(h.start, h.end) for h in hours if h.weekday == weekday]
        weekly.append({"day": weekday.label, "ranges": ranges})

    upcoming = [h for h in calendar.holidays.all() if h.date >= now_local.date()][:10]

    preview, form = None, None
    if "start" in request.GET or "hours" in request.GET:
        form = PreviewForm(request.GET)
        # A naive datetime-local value is the calendar's wall clock, not the server's.
        with timezone.override(tz):
            valid = form.is_valid()
        if valid:
            duration = timedelta(hours=float(form.cleaned_data["hours"]))
            try:
                preview = calendar_preview(calendar=calendar, start=form.cleaned_data["start"],
                                           duration=duration)
            except ValidationError as exc:
                form.add_error(None, exc)
    else:
        form = PreviewForm(initial={"start": now_local.strftime("%Y-%m-%dT%H:%M"), "hours": 4})

    known_until = holidays_known_until(calendar)
    return render(request, "core/calendar_detail.html", {
        "calendar": calendar,
        "holidays_known_until": known_until,
        # Fewer than the horizon's years left: the nightly extension has not run.
        "holidays_running_out": bool(
            known_until and known_until.year < now_local.year + HOLIDAY_HORIZON_YEARS),
        "days": days,
        "weekly": weekly,
        "summary": weekly_summary(hours),
        "feeds": calendar.feeds.all(),
        "upcoming": [{"holiday": h, "closure": closure_label(h)} for h in upcoming],
        "form": form,
        "preview": preview,
        "wall_clock": preview and duration_label(preview["wall_clock_span"], zero="no time"),
        "now_local": now_local,
        "generate_form": generate_form or GenerateHolidaysForm(initial={
            "year_from": now_local.year, "year_to": now_local.year + HOLIDAY_HORIZON_YEARS}),
    }, status=status)


@require_POST
@login_required
@permission_required("core.change_businesscalendar", raise_exception=True)
def calendar_generate_holidays(request, pk):
    """Generate a country's public holidays from the calendar page (the admin action's
    service, ``holidays_generate``); re-running replaces that country's holidays."""
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    form = GenerateHolidaysForm(request.POST)
    if form.is_valid():
        try:
            feed = holidays_generate(calendar=calendar, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"{feed.holiday_count} public holidays from {feed}.")
            return redirect(reverse("calendar-detail", args=[calendar.pk]) + "#feeds")
    return calendar_detail(request, pk, generate_form=form, status=400)
