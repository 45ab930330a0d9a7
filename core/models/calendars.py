"""Business calendars: a time zone, weekly working hours and holidays.

The arithmetic lives in ``core/business_time.py`` (pure functions); these rows are
what managers edit, and ``core.calendars.calendar_engine`` turns them into the
arithmetic's calendar.
"""

from django.db import models

from core.choices import HolidayFeedKind, HolidaySource, Weekday
from core.validation import validate_time_zone as _validate_time_zone

from ..audit import History
from ..fields import FreeCharField, FreeTextField


def validate_time_zone(value):
    """Refuse a time zone name the IANA database does not know (e.g. 'Europe/Londn',
    or 'Europe', a folder of the database). Named here because migrations refer to it;
    the rule is ``core.validation``'s."""
    _validate_time_zone(value)


class BusinessCalendar(models.Model):
    name = FreeCharField(max_length=120, unique=True)
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone],
        help_text="IANA name: working hours and holidays are in this zone's local time.",
    )
    description = FreeTextField(blank=True)
    is_builtin = models.BooleanField(
        default=False, editable=False, help_text="Built-in calendars cannot be deleted."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = History()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkingHours(models.Model):
    """One open range on a weekday, in the calendar's local time.

    An end at or before the start crosses midnight (22:00–06:00 runs into the next
    day); 00:00–00:00 is the whole day.
    """

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    history = History()

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name_plural = "working hours"

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class HolidayFeed(models.Model):
    """Where generated or imported holidays come from, so they can be refreshed."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="feeds")
    kind = models.CharField(max_length=16, choices=HolidayFeedKind.choices)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 code, e.g. GB.")
    subdivision = models.CharField(
        max_length=10, blank=True, help_text="e.g. ENG, SCT, NIR for GB; NY for US."
    )
    year_from = models.PositiveSmallIntegerField(null=True, blank=True)
    year_to = models.PositiveSmallIntegerField(null=True, blank=True)
    url = models.URLField(blank=True, help_text="An ICS address re-read every day.")
    name = FreeCharField(max_length=120, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = FreeTextField(blank=True)
    holiday_count = models.PositiveIntegerField(default=0)

    history = History()

    class Meta:
        ordering = ["calendar", "kind", "pk"]

    def __str__(self):
        if self.kind == HolidayFeedKind.COUNTRY:
            region = f"-{self.subdivision}" if self.subdivision else ""
            return f"{self.country}{region} {self.year_from}–{self.year_to}"
        return self.name or self.url or f"ICS feed {self.pk}"


class Holiday(models.Model):
    """A closure: the whole local day, or part of it (closing at 13:00 on 24 December)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = FreeCharField(max_length=200)
    closed_from = models.TimeField(
        null=True, blank=True, help_text="Partial closure: closed from this time to day end."
    )
    closed_until = models.TimeField(
        null=True, blank=True, help_text="Partial closure: closed from day start to this time."
    )
    source = models.CharField(
        max_length=16, choices=HolidaySource.choices, default=HolidaySource.MANUAL
    )
    feed = models.ForeignKey(
        HolidayFeed, on_delete=models.CASCADE, null=True, blank=True, related_name="holidays"
    )

    history = History()

    class Meta:
        ordering = ["calendar", "date", "closed_from"]
        indexes = [models.Index(fields=["calendar", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"

    @property
    def is_partial(self):
        return self.closed_from is not None or self.closed_until is not None
