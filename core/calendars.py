"""Business calendars: validation, holiday sources, and the bridge to the arithmetic.

The rules about what a valid calendar is live here once; the admin, the API and
the services all call :func:`validate_working_ranges` and :func:`calendar_save`.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import business_time
from .audit import audited, save_with_audit, system_user
from .choices import HolidayFeedKind, HolidaySource, Weekday
from .models import BusinessCalendar, Holiday, HolidayFeed, WorkingHours
from .safe_http import FetchRefused, safe_fetch
from .validation import PLAUSIBLE_FROM, plausible_until

MAX_ICS_BYTES = 2 * 1024 * 1024
# One ICS event closes at most this many days, one file this many: a 2 MB file of
# year-long events would otherwise be millions of rows.
MAX_ICS_EVENT_DAYS = 366
MAX_ICS_CLOSURES = 20_000
BUILTIN_CALENDAR_NAME = "24×7"


def ensure_builtin_calendar(calendar_model=BusinessCalendar, hours_model=WorkingHours):
    """The built-in 24×7 calendar, created if missing (migration and post_migrate)."""
    calendar, created = calendar_model.objects.get_or_create(
        name=BUILTIN_CALENDAR_NAME,
        defaults={"time_zone": "UTC", "is_builtin": True,
                  "description": "Always open: counts every hour of every day."},
    )
    if created:
        hours_model.objects.bulk_create(
            hours_model(calendar=calendar, weekday=day, start=time(0), end=time(0))
            for day in range(7)
        )
    return calendar


# --- Validation ---------------------------------------------------------------


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _weekly_spans(weekday: int, start: time, end: time):
    """The range as minute spans within a 7-day week (wrapping Sunday → Monday)."""
    week = 7 * 24 * 60
    begin = weekday * 24 * 60 + _minutes(start)
    length = (_minutes(end) - _minutes(start)) % (24 * 60) or 24 * 60
    finish = begin + length
    if finish <= week:
        return [(begin, finish)]
    return [(begin, week), (0, finish - week)]


def validate_working_ranges(ranges: Iterable[tuple[int, time, time]]):
    """Refuse an empty week and overlapping ranges, naming the ranges at fault.

    ``ranges`` are ``(weekday, start, end)``; an end at or before the start
    crosses midnight, and 00:00–00:00 is the whole day.
    """
    ranges = list(ranges)
    if not ranges:
        raise ValidationError(
            "A calendar needs working hours on at least one day; for round-the-clock "
            "work use 00:00–00:00 on every day (or the built-in 24×7 calendar).",
            code="no_working_hours",
        )
    spans = []
    for weekday, start, end in ranges:
        if weekday not in Weekday.values:
            raise ValidationError(f"Unknown weekday {weekday!r}: use 0 (Monday) to 6 (Sunday).",
                                  code="bad_weekday")
        if start == end and start != time(0):
            raise ValidationError(
                f"{Weekday(weekday).label} {start:%H:%M}–{end:%H:%M} is empty: a range that "
                "starts and ends at the same time is only allowed as 00:00–00:00 (all day).",
                code="empty_range",
            )
        label = f"{Weekday(weekday).label} {start:%H:%M}–{end:%H:%M}"
        spans.extend((a, b, label) for a, b in _weekly_spans(weekday, start, end))
    spans.sort()
    for (_, end_a, label_a), (start_b, _, label_b) in zip(spans, spans[1:], strict=False):
        if start_b < end_a:
            raise ValidationError(
                f"Working hours overlap: {label_a} and {label_b}.", code="overlapping_ranges"
            )


# --- The arithmetic's calendar ---------------------------------------------------


def calendar_engine(calendar: BusinessCalendar) -> business_time.BusinessCalendar:
    """Build the arithmetic's calendar from the rows (2 queries)."""
    ranges = [
        business_time.WorkingRange(weekday=h.weekday, start=h.start, end=h.end)
        for h in calendar.working_hours.all()
    ]
    closures = [
        business_time.Closure(day=h.date, start=h.closed_from, end=h.closed_until)
        for h in calendar.holidays.all()
    ]
    return business_time.BusinessCalendar(calendar.time_zone, ranges, closures)


class EngineCache:
    """Calendars built once per unit of work (a sweep batch, a request)."""

    def __init__(self):
        self._built = {}

    def get(self, calendar: BusinessCalendar) -> business_time.BusinessCalendar:
        key = (calendar.pk, calendar.updated_at)
        if key not in self._built:
            self._built[key] = calendar_engine(calendar)
        return self._built[key]


def calendar_preview(*, calendar: BusinessCalendar, start: datetime, duration: timedelta,
                     now: datetime | None = None):
    """Where a clock started at ``start`` for ``duration`` of business time falls due.

    Returns the due instant, the next open instant, and the business time elapsed
    from ``start`` to now (zero for a future start) — what a manager checks before
    using the calendar in a policy, or when asking "how much of the SLA is used?".
    """
    engine = calendar_engine(calendar)
    now = now or timezone.now()
    try:
        due = business_time.add_business_time(engine, start, duration)
        opens = business_time.next_open_instant(engine, start)
        elapsed = business_time.business_time_between(engine, start, now)
    except ValueError as exc:
        raise ValidationError(str(exc), code="no_working_time") from exc
    known_until = holidays_known_until(calendar)
    return {
        "start": start,
        "duration": duration,
        "due_at": due,
        # A due date past the generated holidays may land on one we do not know of.
        "holidays_known_until": known_until,
        "beyond_holiday_coverage": bool(
            known_until and due.astimezone(engine.tz).date() > known_until),
        "next_open_at": opens,
        "calendar_time_zone": calendar.time_zone,
        "wall_clock_span": due - start,
        "business_elapsed_to_now": elapsed,
    }


def open_hours_by_day(calendar: BusinessCalendar, first_day: date, days: int = 14):
    """Each local day's open intervals (local times) and its holidays, for the calendar page."""
    engine = calendar_engine(calendar)
    tz = engine.tz
    holidays_by_day = {}
    for holiday in calendar.holidays.filter(
        date__gte=first_day, date__lt=first_day + timedelta(days=days)
    ):
        holidays_by_day.setdefault(holiday.date, []).append(holiday)
    result = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        day_start = datetime.combine(day, time(0), tzinfo=tz)
        day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        intervals = [
            (start.astimezone(tz), end.astimezone(tz))
            for start, end in engine.open_intervals(day_start, day_end)
        ]
        open_time = sum((end - start for start, end in intervals), timedelta())
        result.append(
            {"day": day, "intervals": intervals, "open_time": open_time,
             "holidays": holidays_by_day.get(day, [])}
        )
    return result


# --- Services ----------------------------------------------------------------------


@transaction.atomic
def calendar_save(*, calendar: BusinessCalendar, ranges, by, reason):
    """Create or update a calendar with exactly these working ``ranges``.

    ``ranges`` are ``(weekday, start, end)``. Refused as a whole (nothing written)
    when the time zone is unknown, the week is empty or ranges overlap.
    """
    ranges = [(int(w), s, e) for w, s, e in ranges]
    if calendar.pk:
        # Serialise concurrent edits: two saves must not interleave their hours.
        stored = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        if stored.is_builtin:
            raise ValidationError(
                f"'{stored.name}' is built in and always open; create your own calendar "
                "for other hours.", code="builtin_calendar",
            )
    calendar.full_clean(exclude=["is_builtin"])
    validate_working_ranges(ranges)
    save_with_audit(calendar, by=by, reason=reason)
    existing = {(h.weekday, h.start, h.end): h for h in calendar.working_hours.all()}
    wanted = set(ranges)
    for key, hours in existing.items():
        if key not in wanted:
            hours._history_user = by
            hours._change_reason = reason
            hours.delete()
    for weekday, start, end in wanted - set(existing):
        save_with_audit(
            WorkingHours(calendar=calendar, weekday=weekday, start=start, end=end),
            by=by, reason=reason,
        )
    return calendar


def calendar_delete(*, calendar: BusinessCalendar, by, reason="Deleted"):
    """Delete a calendar unless it is built in or clocks still count on it."""
    from .models import SlaClock

    if calendar.is_builtin:
        raise ValidationError(f"'{calendar.name}' is built in and cannot be deleted.",
                              code="builtin_calendar")
    if SlaClock.objects.filter(calendar=calendar).exists():
        raise ValidationError(
            f"'{calendar.name}' is used by SLA clocks; point them elsewhere first.",
            code="calendar_in_use",
        )
    calendar._history_user = by
    calendar._change_reason = reason
    calendar.delete()


def _touch(calendar):
    # Bumps updated_at so cached engines are rebuilt; bookkeeping, not a domain change.
    BusinessCalendar.objects.filter(pk=calendar.pk).update(updated_at=timezone.now())


@transaction.atomic
def holidays_generate(*, calendar, country, subdivision="", year_from, year_to, by):
    """Add a country's public holidays (``holidays`` package) for a span of years.

    Re-running for the same country replaces that feed's holidays, so nothing is
    listed twice.
    """
    country = country.upper().strip()
    subdivision = subdivision.upper().strip()
    if year_to < year_from or year_to - year_from > 30:
        raise ValidationError(
            {"year_to": "Give a span of at most 30 years, ending no earlier than it starts."}
        )
    # Imported here, not at the top: ~0.2 s that most processes never need.
    import holidays as holidays_package

    # The package also accepts alpha-3 codes, which the two-letter column cannot hold.
    supported = holidays_package.list_supported_countries()
    if len(country) != 2 or country not in supported:
        raise ValidationError(
            {"country": f"'{country}' is not a two-letter country code the holidays "
                        "package knows (e.g. GB, US, DE)."}
        )
    if subdivision and subdivision not in supported[country]:
        known = ", ".join(supported[country]) or "none"
        raise ValidationError(
            {"subdivision": f"{country} has no subdivision '{subdivision}'. Known: {known}."}
        )
    try:
        generated = holidays_package.country_holidays(
            country, subdiv=subdivision or None, years=range(year_from, year_to + 1)
        )
    except Exception as exc:  # noqa: BLE001 - the package raises several kinds; name it.
        raise ValidationError({"subdivision": str(exc)}) from exc

    feed, _ = HolidayFeed.objects.get_or_create(
        calendar=calendar, kind=HolidayFeedKind.COUNTRY, country=country, subdivision=subdivision,
        defaults={"year_from": year_from, "year_to": year_to},
    )
    feed.year_from, feed.year_to = year_from, year_to
    rows = [
        Holiday(calendar=calendar, date=day, name=name, source=HolidaySource.COUNTRY, feed=feed)
        for day, name in sorted(generated.items())
    ]
    _replace_feed_holidays(feed, rows, by=by, reason=f"Generated {feed}")
    return feed


# Country holidays are kept generated at least this many years past the current one.
HOLIDAY_HORIZON_YEARS = 2


def holidays_known_until(calendar) -> date | None:
    """The last day the calendar's generated public holidays cover (the earliest end of
    its country feeds), or None when it takes none (typed or ICS closures only)."""
    ends = [feed.year_to for feed in calendar.feeds.all()
            if feed.kind == HolidayFeedKind.COUNTRY and feed.year_to]
    return date(min(ends), 12, 31) if ends else None


def country_holidays_roll(*, today: date | None = None) -> int:
    """Extend every country feed that ends before ``HOLIDAY_HORIZON_YEARS`` past this
    year (the daily task), so a due date in two years still skips its holidays.
    Returns the number of feeds extended."""
    today = today or timezone.localdate()
    horizon = today.year + HOLIDAY_HORIZON_YEARS
    extended = 0
    for feed in HolidayFeed.objects.filter(kind=HolidayFeedKind.COUNTRY, year_to__lt=horizon) \
            .select_related("calendar"):
        holidays_generate(calendar=feed.calendar, country=feed.country,
                          subdivision=feed.subdivision,
                          year_from=max(feed.year_from or today.year, horizon - 30),
                          year_to=horizon, by=system_user())
        extended += 1
    return extended


def parse_ics(content: bytes | str, *, tz=None, fetched=False):
    """Closures from an ICS file, as unsaved ``Holiday`` rows (calendar not set).

    All-day events close their whole days (DTEND is exclusive, as ICS defines it);
    timed events close that part of the day. Events wholly outside the plausible dates
    (``core/validation.py``) are left out: a feed's holidays of 1995 or 9999 cannot
    move a deadline, and the last day a date can have cannot be stepped past. Raises
    ``ValidationError`` naming the problem when the file is not a readable calendar,
    or an event closes for more than a year (thousands of rows from one line). The
    parser's own message is never shown (it quotes the offending line), and for
    ``fetched`` content (read from a URL) events are named by position, not summary:
    an error must not let someone read what an address answered.
    """
    if isinstance(content, str):
        content = content.encode()
    if len(content) > MAX_ICS_BYTES:
        raise ValidationError({"ics": "The ICS file is larger than 2 MB."})
    import icalendar  # imported here: only ICS imports need it

    try:
        parsed = icalendar.Calendar.from_ical(content)
    except (ValueError, IndexError, KeyError, OverflowError) as exc:
        raise ValidationError({"ics": "This is not a readable ICS calendar (RFC 5545): it "
                                      "must be BEGIN:VCALENDAR … END:VCALENDAR with one "
                                      "NAME:value property per line."}) from exc
    except OSError as exc:  # a TZID naming a folder of the zone database ("Europe")
        raise ValidationError({"ics": "This is not a readable ICS calendar: a TZID is not "
                                      "a known IANA time zone."}) from exc
    if parsed.name != "VCALENDAR":
        raise ValidationError({"ics": "The file does not contain a VCALENDAR."})
    rows = []
    for number, event in enumerate(parsed.walk("VEVENT"), start=1):
        summary = str(event.get("SUMMARY", "Closed")).strip() or "Closed"
        named = f"number {number}" if fetched else f"'{summary}'"
        if event.get("DTSTART") is None:
            raise ValidationError({"ics": f"The event {named} has no DTSTART."})
        try:
            start = event.decoded("DTSTART")
            end = event.decoded("DTEND") if event.get("DTEND") is not None else None
        # OSError: a TZID naming a folder of the zone database ("Europe").
        except (ValueError, KeyError, TypeError, OverflowError, OSError) as exc:
            raise ValidationError({"ics": f"The event {named} has unreadable dates."}) from exc
        # date and datetime must not be mixed (datetime is a subclass of date).
        timed = isinstance(start, datetime)
        if not isinstance(start, date) or (
            end is not None and (not isinstance(end, date) or isinstance(end, datetime) != timed)
        ):
            raise ValidationError(
                {"ics": f"The event {named} has a start or end that is not a date or time."}
            )
        first, last = _days_of(start, end, timed)
        if last < PLAUSIBLE_FROM or first > plausible_until():
            continue
        if (last - first).days >= MAX_ICS_EVENT_DAYS:
            raise ValidationError({"ics": f"The event {named} lasts more than "
                                          f"{MAX_ICS_EVENT_DAYS} days: not a closure."})
        if timed:
            rows.extend(_timed_closure(summary, start, end, tz))
        else:
            day = first
            while day <= last:
                rows.append(Holiday(date=day, name=summary[:200]))
                day += timedelta(days=1)
        if len(rows) > MAX_ICS_CLOSURES:
            raise ValidationError({"ics": f"The calendar closes more than {MAX_ICS_CLOSURES} "
                                          "days; import it in parts."})
    return rows


def _days_of(start, end, timed):
    """The first and last day an event touches, as written (no zone conversion, which
    could overflow at either end of the calendar)."""
    if timed:
        return start.date(), (end or start).date()
    if end is None or end <= start:  # some producers repeat DTSTART for a one-day event
        return start, start
    return start, end - timedelta(days=1)  # DTEND is exclusive, as ICS defines it


def _timed_closure(summary, start, end, tz):
    """A timed ICS event → partial-day closures in the calendar's local time.

    Floating (zone-less) times are read as the calendar's wall time, which is what
    they mean; times with a zone are converted to the calendar's zone.
    """
    end = end or start
    if tz is not None:
        start = start.astimezone(tz) if start.tzinfo else start
        end = end.astimezone(tz) if end.tzinfo else end
    rows = []
    day = start.date()
    while day <= end.date():
        from_time = start.time() if day == start.date() else None
        until_time = end.time() if day == end.date() else None
        if from_time == time(0):
            from_time = None
        if day == end.date() and until_time == time(0):
            break  # ends at midnight: nothing closed on this last day
        if from_time is not None and until_time is not None and from_time >= until_time:
            break  # zero-length (or reversed) event: closes nothing
        rows.append(Holiday(date=day, name=summary[:200], closed_from=from_time,
                            closed_until=until_time))
        day += timedelta(days=1)
    return rows


@transaction.atomic
def holidays_import_ics(*, calendar, content, by, name="", url=""):
    """Import closures from ICS content into a feed (a file, or a URL's body)."""
    rows = parse_ics(content, tz=calendar_engine(calendar).tz, fetched=bool(url))
    kind = HolidayFeedKind.ICS_URL if url else HolidayFeedKind.ICS_FILE
    if url:
        feed, _ = HolidayFeed.objects.get_or_create(calendar=calendar, kind=kind, url=url,
                                                   defaults={"name": name})
    else:
        # Uploading the same file (by name) again replaces its holidays, not doubles them.
        feed, _ = HolidayFeed.objects.get_or_create(calendar=calendar, kind=kind,
                                                   name=name or "ICS upload")
    for row in rows:
        row.calendar = calendar
        row.source = HolidaySource.ICS
        row.feed = feed
    _replace_feed_holidays(feed, rows, by=by, reason=f"Imported ICS {feed}")
    return feed


def _replace_feed_holidays(feed, rows, *, by, reason):
    Holiday.objects.filter(feed=feed).delete()
    for row in rows:
        row._history_user = by or system_user()
        row._change_reason = reason
    # bulk_create skips save(), so history rows are written explicitly.
    created = Holiday.objects.bulk_create(rows)
    Holiday.history.bulk_history_create(
        created, default_user=by or system_user(), default_change_reason=reason
    )
    feed.holiday_count = len(created)
    feed.last_synced_at = timezone.now()
    feed.last_error = ""
    save_with_audit(feed, by=by, reason=reason)
    _touch(feed.calendar)


def fetch_ics(url, *, timeout=20):
    """Read an ICS URL through the SSRF guard (``core.safe_http``).

    Public addresses only, unless ``ICS_ALLOW_PRIVATE_NETWORKS`` allows them (all, or
    a list of networks); every redirect hop is checked the same way; at most 2 MB
    within ``timeout`` seconds. A refused address is a ``ValidationError`` on
    ``url``; a network failure stays an ``OSError`` (``FetchFailed``) whose message
    never repeats what the server sent.
    """
    if not url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": "Only http:// and https:// ICS addresses are read."})
    try:
        return safe_fetch(
            url, max_bytes=MAX_ICS_BYTES, timeout=timeout,
            allow_private=settings.ICS_ALLOW_PRIVATE_NETWORKS,
            headers={"User-Agent": "Switchboard calendar sync",
                     "Accept": "text/calendar, */*;q=0.1"},
        ).body
    except FetchRefused as exc:
        hint = ("; set ICS_ALLOW_PRIVATE_NETWORKS to allow it"
                if exc.code == "private_address" else "")
        raise ValidationError({"url": f"Cannot read {url}: {exc}{hint}"}) from exc


def feed_refresh(*, feed: HolidayFeed):
    """Re-read an ICS URL feed; on failure keep the old holidays and record the error."""
    try:
        content = fetch_ics(feed.url)
        holidays_import_ics(calendar=feed.calendar, content=content, by=system_user(),
                            url=feed.url, name=feed.name)
    except (OSError, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        feed.last_error = message[:1000]
        save_with_audit(feed, by=system_user(), reason="ICS refresh failed")
        return False
    return True


# --- Manual holidays and feeds (admin, API) -----------------------------------------


def validate_closure(*, day, closed_from, closed_until):
    """Refuse a partial closure the arithmetic cannot represent (from at or after until).

    One bad row would otherwise make every computation on its calendar fail, so it is
    refused at the door with the arithmetic's own rule.
    """
    try:
        business_time.Closure(day=day, start=closed_from, end=closed_until)
    except (TypeError, ValueError) as exc:
        if closed_from is not None and closed_until is not None:
            message = (f"Closed until {closed_until:%H:%M} must be later than closed from "
                       f"{closed_from:%H:%M}; leave it empty to close to the end of the day.")
        else:
            message = (f"Closed until {closed_until:%H:%M} closes nothing; leave both times "
                       "empty to close the whole day.")
        raise ValidationError({"closed_until": message}) from exc


def _refuse_feed_holiday(holiday, verb):
    if holiday.feed_id is not None:
        raise ValidationError(
            f"'{holiday.name}' on {holiday.date:%Y-%m-%d} comes from the feed "
            f"'{holiday.feed}' and is replaced at each sync; it cannot be {verb} by hand.",
            code="feed_holiday",
        )


@transaction.atomic
def holiday_save(*, holiday: Holiday, by, reason):
    """Create or change a manual holiday (feed holidays belong to their feed)."""
    previous_calendar_id = None
    if holiday.pk:
        stored = Holiday.objects.select_related("feed").get(pk=holiday.pk)
        _refuse_feed_holiday(stored, "changed")
        previous_calendar_id = stored.calendar_id
    holiday.source = HolidaySource.MANUAL
    holiday.feed = None
    holiday.full_clean()
    validate_closure(day=holiday.date, closed_from=holiday.closed_from,
                     closed_until=holiday.closed_until)
    save_with_audit(holiday, by=by, reason=reason)
    # Cached engines are keyed on the calendar's updated_at: bump every calendar touched.
    _touch(holiday.calendar)
    if previous_calendar_id not in (None, holiday.calendar_id):
        _touch(BusinessCalendar(pk=previous_calendar_id))
    return holiday


@transaction.atomic
def holiday_delete(*, holiday: Holiday, by, reason="Deleted"):
    """Delete a manual holiday; feed holidays go away with (or by re-syncing) their feed."""
    _refuse_feed_holiday(holiday, "deleted")
    calendar = holiday.calendar
    holiday._history_user = by
    holiday._change_reason = reason
    holiday.delete()
    _touch(calendar)


@transaction.atomic
def feed_delete(*, feed: HolidayFeed, by, reason="Deleted"):
    """Delete a feed and the holidays it brought."""
    calendar = feed.calendar
    with audited(feed, by=by, reason=reason):
        for holiday in feed.holidays.all():
            holiday._history_user = by
            holiday._change_reason = reason
            holiday.delete()
        feed.delete()
    _touch(calendar)
