"""Use cases of vendor reviews and packs: plan a review, generate a pack (queued
here, built by ``reports.tasks.generate_pack``), hold the meeting on a frozen pack
version, record decisions and action items, publish the minutes; schedules.

The pack row is the truth about its generation. Status and progress are bookkeeping
columns moved with compare-and-set updates (Healthchecks' "update where status is
still X"): a worker claims a queued row, a second worker finds nothing to claim.
"""

import logging
from datetime import UTC, date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from core.audit import save_with_audit, system_user
from core.events import emit
from core.exceptions import DomainError, RequirementMissing
from core.transitions import lock, perform_transition
from core.validation import check_plausible
from core.why_not import require_perm

from . import events
from .choices import (
    ALL_FORMATS,
    EXECUTIVE_FORMATS,
    ActionItemState,
    PackKind,
    PackStatus,
    ReviewPeriod,
    ReviewState,
    ScheduleRunStatus,
)
from .models import PackSchedule, PackScheduleRun, ReportPack, ReviewActionItem, VendorReview

logger = logging.getLogger(__name__)

# A pack that has been queued or running this long without finishing is re-queued by
# the sweep (its worker died): generation takes seconds, the lease minutes.
PACK_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The month or quarter containing ``day``: its first and last days."""
    from vendors import sla

    start = sla.period_start(day, kind)
    return start, sla.period_end(start, kind) - timedelta(days=1)


REFUSED = "You may not do this with vendor reviews."


# --- Reviews ----------------------------------------------------------------------------------


@transaction.atomic
def review_create(*, by, vendor, period: str, period_start: date, meeting_date: date,
                  attendees=(), vendor_attendees=(), agenda: str = "") -> VendorReview:
    """Plan a review of ``vendor`` for the month or quarter starting ``period_start``."""
    require_perm(by, "reports.plan_review", message=REFUSED)
    check_plausible(period_start=period_start, meeting_date=meeting_date)
    if period not in ReviewPeriod.values:
        raise RequirementMissing("Choose a month or a quarter.",
                                 errors={"period": ["Choose a month or a quarter."]})
    start, end = period_bounds(period, period_start)
    strangers = [c for c in vendor_attendees if c.vendor_id != vendor.pk]
    if strangers:
        raise RequirementMissing("Those contacts are not the vendor's.", errors={
            "vendor_attendees": [f"{c} is not a contact of {vendor}."for c in strangers]})
    review = VendorReview(vendor=vendor, period=period, period_start=start, period_end=end,
                          meeting_date=meeting_date, agenda=agenda, created_by=by)
    save_with_audit(review, by=by, reason="Planned")
    review.attendees.set(attendees)
    review.vendor_attendees.set(vendor_attendees)
    return review


@transaction.atomic
def review_update(*, review: VendorReview, by, **fields) -> VendorReview:
    """Change the meeting date or the agenda (until the minutes are published)."""
    review = lock(VendorReview, review.pk)
    require_perm(by, "reports.plan_review", review, REFUSED)
    if review.state == ReviewState.MINUTES_PUBLISHED:
        raise RequirementMissing("The minutes are published.",
                                 errors={"non_field_errors": ["The minutes are published."]})
    check_plausible(**{k: v for k, v in fields.items() if k == "meeting_date"})
    for name in ("meeting_date", "agenda"):
        if name in fields:
            setattr(review, name, fields[name])
    save_with_audit(review, by=by, reason="Changed")
    return review


def carried_over_items(review: VendorReview):
    """Every open action item of earlier reviews of the same vendor: they carry over
    until done or dropped."""
    return (ReviewActionItem.objects.filter(review__vendor_id=review.vendor_id,
                                            state=ActionItemState.OPEN)
            .filter(Q(review__meeting_date__lt=review.meeting_date)
                    | Q(review__meeting_date=review.meeting_date, review_id__lt=review.pk))
            .select_related("owner", "review").order_by("due_date", "pk"))


@transaction.atomic
def review_hold(*, review: VendorReview, by, pack: ReportPack | None = None) -> VendorReview:
    """The meeting took place, on ``pack`` (default: the review's latest done pack)."""
    review = lock(VendorReview, review.pk)
    if pack is not None:
        if pack.review_id != review.pk or pack.status != PackStatus.DONE:
            raise RequirementMissing("Hold the review on one of its finished packs.",
                                     errors={"pack": ["Choose a finished pack of this review."]})
        review.pack = pack
    perform_transition(review, "hold", by=by, at=timezone.now(),
                       reason=f"Held on pack v{review.pack.version}" if review.pack else "Held")
    return review


@transaction.atomic
def review_record(*, review: VendorReview, by, decisions: str) -> VendorReview:
    """Write the decisions taken (until the minutes are published)."""
    review = lock(VendorReview, review.pk)
    require_perm(by, "reports.plan_review", review, REFUSED)
    if review.state != ReviewState.HELD:
        raise RequirementMissing("Decisions are recorded once the review is held and "
                                 "until the minutes are published.",
                                 errors={"decisions": ["Hold the review first."]})
    review.decisions = decisions
    save_with_audit(review, by=by, reason="Decisions recorded")
    return review


@transaction.atomic
def review_publish_minutes(*, review: VendorReview, by) -> VendorReview:
    """Publish the minutes: decisions and action items, to everyone who reads reviews."""
    from core.notifications import notify

    review = lock(VendorReview, review.pk)
    perform_transition(review, "publish_minutes", by=by, at=timezone.now(),
                       reason="Minutes published")
    notify(list(review.attendees.all()), title=f"Minutes published: {review}",
           url=review.get_absolute_url(), email=False)
    return review


@transaction.atomic
def action_item_add(*, review: VendorReview, by, title: str, owner, due_date: date
                    ) -> ReviewActionItem:
    require_perm(by, "reports.plan_review", review, REFUSED)
    if review.state not in (ReviewState.HELD, ReviewState.PACK_READY, ReviewState.PLANNED):
        raise RequirementMissing("The minutes are published: no more action items.",
                                 errors={"title": ["The minutes are published."]})
    check_plausible(due_date=due_date)
    if not (title or "").strip():
        raise RequirementMissing("Say what is to be done.", errors={"title": ["Required."]})
    item = ReviewActionItem(review=review, title=title.strip(), owner=owner,
                            due_date=due_date, created_by=by)
    save_with_audit(item, by=by, reason="Agreed")
    return item


@transaction.atomic
def action_item_close(*, item: ReviewActionItem, by, state: str,
                      review: VendorReview | None = None) -> ReviewActionItem:
    """Mark an open item done or dropped (in ``review``, the one where it came up)."""
    item = lock(ReviewActionItem, item.pk)
    require_perm(by, "reports.plan_review", item.review, REFUSED)
    if state not in (ActionItemState.DONE, ActionItemState.DROPPED):
        raise RequirementMissing("Done or dropped.", errors={"state": ["Done or dropped."]})
    if item.state != ActionItemState.OPEN:
        raise RequirementMissing("This action item is already closed.",
                                 errors={"state": ["Already closed."]})
    item.state = state
    item.done_at = timezone.now()
    item.closed_in = review
    save_with_audit(item, by=by, reason=f"Marked {state}")
    return item


# --- Packs ------------------------------------------------------------------------------------


def _next_version(vendor_id, start, end) -> int:
    """The next version of a vendor's pack (``vendor_id``) or of the executive pack
    (``None``) for the period."""
    latest = ReportPack.objects.filter(vendor_id=vendor_id, period_start=start,
                                       period_end=end).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


@transaction.atomic
def pack_request(*, by, vendor, period: str, period_start: date, period_end: date | None = None,
                 review: VendorReview | None = None, formats=None,
                 check_permission: bool = True) -> ReportPack:
    """Queue a new pack version; the task builds it after commit (never in the request)."""
    from .tasks import generate_pack

    if check_permission:
        require_perm(by, "reports.generate_pack", review, REFUSED)
    formats = list(formats or ALL_FORMATS)
    unknown = [f for f in formats if f not in ALL_FORMATS]
    if unknown:
        raise RequirementMissing("Unknown format.", errors={"formats": [
            f"Choose among {', '.join(ALL_FORMATS)}."]})
    check_plausible(period_start=period_start, period_end=period_end)
    if review is not None:
        vendor, period, period_start, period_end = (review.vendor, review.period,
                                                    review.period_start, review.period_end)
    if period_end is None:
        period_start, period_end = period_bounds(period, period_start)
    # Lock the vendor row so two requests do not pick the same version number.
    type(vendor).objects.select_for_update().filter(pk=vendor.pk).first()
    pack = ReportPack(review=review, vendor=vendor, period=period, period_start=period_start,
                      period_end=period_end, formats=formats, created_by=by,
                      version=_next_version(vendor.pk, period_start, period_end),
                      lease_until=timezone.now() + PACK_LEASE,
                      parameters={"vendor": vendor.pk, "period": period,
                                  "period_start": period_start.isoformat(),
                                  "period_end": period_end.isoformat(), "formats": formats,
                                  "review": review.pk if review else None})
    save_with_audit(pack, by=by, reason=f"Requested v{pack.version}")
    transaction.on_commit(lambda: generate_pack.delay(pack.pk))
    return pack


@transaction.atomic
def executive_pack_request(*, by, period_start: date, period_end: date,
                           formats=None) -> ReportPack:
    """Queue the executive pack for ``[period_start, period_end]``, built as ``by``
    sees the executive page (money only for money roles); HTML and PDF."""
    from .tasks import generate_pack

    formats = list(formats or EXECUTIVE_FORMATS)
    if any(f not in EXECUTIVE_FORMATS for f in formats):
        raise RequirementMissing("Unknown format.", errors={"formats": [
            f"Choose among {', '.join(EXECUTIVE_FORMATS)}."]})
    check_plausible(period_start=period_start, period_end=period_end)
    pack = ReportPack(kind=PackKind.EXECUTIVE, vendor=None, period=ReviewPeriod.MONTH,
                      period_start=period_start, period_end=period_end, formats=formats,
                      created_by=by, version=_next_version(None, period_start, period_end),
                      lease_until=timezone.now() + PACK_LEASE,
                      parameters={"kind": PackKind.EXECUTIVE,
                                  "period_start": period_start.isoformat(),
                                  "period_end": period_end.isoformat(), "formats": formats,
                                  "as_user": by.pk})
    save_with_audit(pack, by=by, reason=f"Requested executive pack v{pack.version}")
    transaction.on_commit(lambda: generate_pack.delay(pack.pk))
    return pack


def _progress(pack_id, progress, step):
    ReportPack.objects.filter(pk=pack_id, status=PackStatus.RUNNING).update(
        progress=progress, step=step)


def pack_claim(pack_id: int) -> bool:
    """Take a queued pack (compare-and-set): False when another worker has it or it
    is finished."""
    now = timezone.now()
    return bool(ReportPack.objects.filter(pk=pack_id, status=PackStatus.QUEUED).update(
        status=PackStatus.RUNNING, started_at=now, progress=1, step="Starting",
        attempts=F("attempts") + 1, lease_until=now + PACK_LEASE, error=""))


def pack_build(pack_id: int) -> ReportPack | None:
    """Build a claimed pack: gather, render each format, store the files, mark done.
    A failure marks it failed with the error (and the traceback in the log)."""
    from . import packs

    if not pack_claim(pack_id):
        return None
    pack = ReportPack.objects.select_related("vendor", "review", "created_by").get(pk=pack_id)
    data = None
    try:
        _progress(pack_id, 10, "Gathering the data")
        if pack.kind == PackKind.EXECUTIVE:
            from .executive import executive_pack_html

            html, pack.data_version = executive_pack_html(
                user=pack.created_by, first=pack.period_start, last=pack.period_end)
        else:
            data = packs.pack_data(pack.vendor, period_start=pack.period_start,
                                   period_end=pack.period_end, exclude_review=pack.review)
            pack.data_version = data.fingerprint()
            _progress(pack_id, 40, "Rendering HTML")
            html = packs.render_html(data, pack=pack)
        files = {}
        if "html" in pack.formats:
            files["html"] = ("pack.html", html.encode())
        if "pdf" in pack.formats:
            _progress(pack_id, 55, "Rendering PDF")
            files["pdf"] = ("pack.pdf", packs.render_pdf(html))
        if "xlsx" in pack.formats and data is not None:
            _progress(pack_id, 80, "Writing XLSX")
            files["xlsx"] = ("pack.xlsx", packs.render_xlsx(data))
        if "csv" in pack.formats and data is not None:
            _progress(pack_id, 90, "Writing CSV")
            files["csv_zip"] = ("pack-csv.zip", packs.render_csv_zip(data))
        stem = f"{pack.subject}-{pack.period_start:%Y-%m}-v{pack.version}"
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem)
        for name, (filename, content) in files.items():
            getattr(pack, name).save(f"{stem}-{filename}", ContentFile(content), save=False)
    except Exception as exc:  # noqa: BLE001 — any failure is recorded on the row
        logger.exception("Pack %s failed", pack_id)
        pack_fail(pack_id, f"{type(exc).__name__}: {exc}")
        return ReportPack.objects.get(pk=pack_id)
    with transaction.atomic():
        current = lock(ReportPack, pack_id)
        if current.status != PackStatus.RUNNING:
            return current  # re-queued meanwhile (lease passed): the next run wins
        for name in ("html", "pdf", "xlsx", "csv_zip"):
            setattr(current, name, getattr(pack, name))
        current.data_version = pack.data_version
        current.status, current.progress, current.step = PackStatus.DONE, 100, "Done"
        current.finished_at = timezone.now()
        current.lease_until = None
        save_with_audit(current, by=current.created_by, reason="Generated")
        emit(events.PACK_READY, current, by=current.created_by)
        if current.review_id:
            _review_pack_ready(current)
    return current


def pack_fail(pack_id: int, error: str) -> None:
    with transaction.atomic():
        pack = lock(ReportPack, pack_id)
        pack.status, pack.error, pack.step = PackStatus.FAILED, error[:2000], "Failed"
        pack.finished_at, pack.lease_until = timezone.now(), None
        save_with_audit(pack, by=pack.created_by, reason="Failed")


def _review_pack_ready(pack: ReportPack) -> None:
    """The first finished pack of a planned review makes it ready to be held; until
    the meeting, the newest finished pack is the one it will be held on."""
    review = lock(VendorReview, pack.review_id)
    if review.state not in (ReviewState.PLANNED, ReviewState.PACK_READY):
        return  # held: frozen on its pack
    review.pack = pack
    if review.state == ReviewState.PLANNED:
        perform_transition(review, "mark_pack_ready", by=None, reason=f"Pack v{pack.version} ready")
    else:
        save_with_audit(review, by=pack.created_by, reason=f"Pack v{pack.version} ready")


@transaction.atomic
def pack_retry(*, pack: ReportPack, by) -> ReportPack:
    """Queue a failed pack again (same version: it produced nothing)."""
    from .tasks import generate_pack

    pack = lock(ReportPack, pack.pk)
    require_perm(by, "reports.generate_pack", pack.review, REFUSED)
    if pack.status != PackStatus.FAILED:
        raise DomainError("Only a failed pack is retried.", errors={"status": [
            "Only a failed pack is retried."]})
    pack.status, pack.progress, pack.step = PackStatus.QUEUED, 0, "Queued again"
    pack.lease_until = timezone.now() + PACK_LEASE
    save_with_audit(pack, by=by, reason="Retried")
    transaction.on_commit(lambda: generate_pack.delay(pack.pk))
    return pack


def pack_requeue_stale(pack: ReportPack, now: datetime) -> str:
    """Sweep handler: a pack whose lease passed (its worker died, or the broker lost
    the message) is queued again, or failed after ``MAX_ATTEMPTS``."""
    from .tasks import generate_pack

    if pack.status not in (PackStatus.QUEUED, PackStatus.RUNNING):
        pack.lease_until = None
        pack.save(update_fields=["lease_until"])
        return "cleared"
    if pack.attempts >= MAX_ATTEMPTS:
        pack.status, pack.error = PackStatus.FAILED, (
            f"Gave up after {pack.attempts} attempts (the worker stopped each time).")
        pack.lease_until, pack.finished_at = None, now
        save_with_audit(pack, by=system_user(), reason="Gave up")
        return "failed"
    pack.status, pack.step, pack.progress = PackStatus.QUEUED, "Queued again", 0
    pack.lease_until = now + PACK_LEASE
    save_with_audit(pack, by=system_user(), reason="Re-queued after its lease passed")
    transaction.on_commit(lambda: generate_pack.delay(pack.pk))
    return "requeued"


# --- Schedules --------------------------------------------------------------------------------


def first_working_day(year: int, month: int, calendar=None) -> date:
    """The month's first working day: on ``calendar`` (a ``core`` business calendar) the
    first local day with working hours that no holiday closes; without one, the first
    weekday (Monday to Friday)."""
    day = date(year, month, 1)
    if calendar is None:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day
    from core.calendars import calendar_engine

    engine = calendar_engine(calendar)
    for _ in range(62):
        opens = datetime.combine(day, time(0), tzinfo=engine.tz)
        closes = datetime.combine(day + timedelta(days=1), time(0), tzinfo=engine.tz)
        if next(iter(engine.open_intervals(opens, closes)), None) is not None:
            return day
        day += timedelta(days=1)
    raise RequirementMissing(f"{calendar} has no working day in {date(year, month, 1):%B %Y}.",
                             errors={"calendar": ["This calendar has no working day "
                                                  "for weeks: choose another."]})


def _run_moment(day: date, calendar=None) -> datetime:
    """06:00 on ``day`` in the calendar's time zone (UTC without one), as UTC."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(calendar.time_zone) if calendar is not None else UTC
    return datetime.combine(day, time(6), tzinfo=zone).astimezone(UTC)


def next_run_after(now: datetime, calendar=None) -> datetime:
    """06:00 (the calendar's local time) on the next first working day of a month
    after ``now``."""
    day = now.astimezone(UTC).date()
    year, month = day.year, day.month
    if month == 1:
        year, month = year - 1, 12
    else:
        month -= 1  # a late first working day of last month may still be ahead (far zones)
    for _ in range(4):
        moment = _run_moment(first_working_day(year, month, calendar), calendar)
        if moment > now:
            return moment
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("unreachable")


@transaction.atomic
def schedule_create(*, by, name: str, kind: str = PackKind.VENDOR, formats=None,
                    email_owners: bool = True, calendar=None, owner=None,
                    now: datetime | None = None) -> PackSchedule:
    """A monthly schedule: every active vendor's pack, or the executive pack for
    ``owner`` (the creator when not named), on the first working day of ``calendar``."""
    require_perm(by, "reports.manage_schedules", message=REFUSED)
    if kind not in PackKind.values:
        raise RequirementMissing("Choose what the schedule builds.",
                                 errors={"kind": ["Vendor packs or the executive pack."]})
    default_formats = EXECUTIVE_FORMATS if kind == PackKind.EXECUTIVE else ALL_FORMATS
    allowed = EXECUTIVE_FORMATS if kind == PackKind.EXECUTIVE else ALL_FORMATS
    formats = list(formats or default_formats)
    if any(f not in allowed for f in formats):
        raise RequirementMissing("Unknown format.", errors={"formats": [
            f"Choose among {', '.join(allowed)}."]})
    if kind == PackKind.EXECUTIVE:
        owner = owner or by
    schedule = PackSchedule(name=name, kind=kind, formats=formats, email_owners=email_owners,
                            calendar=calendar, owner=owner, created_by=by,
                            next_run_at=next_run_after(now or timezone.now(), calendar))
    save_with_audit(schedule, by=by, reason="Created")
    return schedule


def _not_yet(schedule: PackSchedule, now: datetime) -> datetime | None:
    """When a holiday was added after the run was set, the run moves to the month's
    actual first working day: that moment, or None when it is due now."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(schedule.calendar.time_zone) if schedule.calendar else UTC
    local = now.astimezone(zone).date()
    first = first_working_day(local.year, local.month, schedule.calendar)
    moment = _run_moment(first, schedule.calendar)
    return moment if now < moment else None


def schedule_fire(schedule: PackSchedule, now: datetime) -> str:
    """Sweep handler (inside its savepoint): last month's pack for every active vendor
    (or the executive pack), once per period — the run's unique (schedule, period)
    refuses a second firing — and the owners told with a link. A failure leaves the
    schedule due (the sweep retries it) with the error on ``last_error``."""
    if not schedule.active:
        schedule.next_run_at = None
        schedule.save(update_fields=["next_run_at"])
        return "inactive"
    later = _not_yet(schedule, now)
    if later is not None:
        schedule.next_run_at = later
        schedule.save(update_fields=["next_run_at"])
        return "moved_to_working_day"
    today = now.astimezone(UTC).date()
    start, end = period_bounds(ReviewPeriod.MONTH, today.replace(day=1) - timedelta(days=1))
    if PackScheduleRun.objects.filter(schedule=schedule, period_start=start).exists():
        # Already built for this period (the due time was moved back by hand): move on.
        schedule.next_run_at = next_run_after(now, schedule.calendar)
        schedule.save(update_fields=["next_run_at"])
        return "already_run"
    if schedule.kind == PackKind.EXECUTIVE and not schedule.owner.is_active:
        # Nobody to build it for (the pack shows what its owner may see) or to tell:
        # the schedule stays due with this error until someone names an active owner.
        raise DomainError(f"The owner {schedule.owner} is deactivated: name another owner.",
                          errors={"owner": ["This person is deactivated."]})
    # The unique (schedule, period) refuses a concurrent second firing.
    run = PackScheduleRun.objects.create(schedule=schedule, period_start=start, started_at=now)
    if schedule.kind == PackKind.EXECUTIVE:
        packs = [executive_pack_request(by=schedule.owner, period_start=start, period_end=end,
                                        formats=schedule.formats)]
        if schedule.email_owners:
            _tell([schedule.owner], packs[0], f"Executive pack for {start:%B %Y}",
                  "The monthly executive pack is being generated; the link shows it when "
                  "ready.")
    else:
        packs = _vendor_packs(schedule, start, end)
    run.packs.set(packs)
    run.status, run.finished_at = ScheduleRunStatus.DONE, now
    run.save(update_fields=["status", "finished_at"])
    schedule.next_run_at = next_run_after(now, schedule.calendar)
    schedule.last_error = ""
    schedule.save(update_fields=["next_run_at", "last_error"])
    return "fired"


def _tell(recipients, pack, title, body):
    from core.notifications import notify

    notify(list(recipients), title=title, url=pack.get_absolute_url(), body=body)


def _vendor_packs(schedule, start, end) -> list:
    from vendors.choices import LIVE_CONTRACT_STATES, VendorStatus
    from vendors.models import Contract, Vendor

    actor = system_user()
    vendors = list(Vendor.objects.filter(status=VendorStatus.ACTIVE).order_by("name"))
    packs = [pack_request(by=actor, vendor=v, period=ReviewPeriod.MONTH, period_start=start,
                          period_end=end, formats=schedule.formats, check_permission=False)
             for v in vendors]
    if schedule.email_owners:
        owners = {}
        for contract in Contract.objects.filter(vendor__in=vendors,
                                                state__in=LIVE_CONTRACT_STATES,
                                                owner__isnull=False).select_related("owner"):
            owners.setdefault(contract.vendor_id, set()).add(contract.owner)
        for pack in packs:
            recipients = owners.get(pack.vendor_id)
            if recipients:
                _tell(recipients, pack, f"{pack.vendor} pack for {start:%B %Y}",
                      "The monthly vendor pack is being generated; the link shows it when "
                      "ready.")
    return packs


def schedule_record_failure(schedule: PackSchedule, exc: Exception) -> None:
    logger.error("Pack schedule %s failed: %s", schedule.pk, exc)
    schedule.last_error = f"{timezone.now():%Y-%m-%d %H:%M} UTC: {type(exc).__name__}: {exc}"[:2000]
    schedule.save(update_fields=["last_error"])
