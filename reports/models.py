"""Vendor review meetings and the packs they are held on.

* :class:`VendorReview` — a meeting with a vendor about a month or a quarter; its
  lifecycle is declared once here: ``planned → pack_ready → held → minutes_published``.
  It is held on one frozen :class:`ReportPack` version.
* :class:`ReviewActionItem` — what was agreed, with an owner and a due date; an open
  item **carries over** to every later review of the same vendor until done or dropped.
* :class:`ReportPack` — one generated pack (HTML, PDF, XLSX, a zip of CSVs) for a vendor
  and period. A regeneration is a new version, never an overwrite. The row is the
  truth about the generation: ``queued → running → done | failed`` with progress; a
  sweep re-queues rows whose lease passed (a killed worker).
* :class:`PackSchedule` and :class:`PackScheduleRun` — "first working day of each
  month (on the schedule's business calendar: holidays respected), last month's pack
  for every active vendor" — or last month's executive pack for its owner; a run is
  unique per period.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMModelMixin, transition

from core.audit import History
from core.fields import FreeCharField, FreeTextField, StateField
from core.predicates import perm_checker
from core.transitions import guard

from .choices import (
    ActionItemState,
    PackKind,
    PackStatus,
    ReviewPeriod,
    ReviewState,
    ScheduleRunStatus,
)

USER = settings.AUTH_USER_MODEL

can_plan_review = perm_checker("reports.plan_review")


@guard("pack", "Generate the pack first: a review is held on a pack that is done.")
def has_done_pack(review):
    return review.pack_id is not None and review.pack.status == PackStatus.DONE


@guard("decisions", "Record the decisions taken before publishing the minutes.")
def has_decisions(review):
    return bool((review.decisions or "").strip())


class VendorReview(FSMModelMixin, models.Model):
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT,
                               related_name="reviews")
    period = models.CharField(max_length=8, choices=ReviewPeriod.choices,
                              default=ReviewPeriod.QUARTER)
    period_start = models.DateField()
    period_end = models.DateField(help_text="The period's last day.")
    meeting_date = models.DateField()
    attendees = models.ManyToManyField(USER, blank=True, related_name="vendor_reviews",
                                       help_text="Our people at the meeting.")
    vendor_attendees = models.ManyToManyField("vendors.VendorContact", blank=True,
                                              related_name="reviews",
                                              help_text="The vendor's people.")
    agenda = FreeTextField(blank=True)
    decisions = FreeTextField(blank=True)
    state = StateField(default=ReviewState.PLANNED, choices=ReviewState.choices, protected=True)
    # The frozen pack version the meeting is held on (a later regeneration is another row).
    pack = models.ForeignKey("ReportPack", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    held_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = History(m2m_fields=[attendees, vendor_attendees])

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                              name="review_period_in_order")]

    def __str__(self):
        return f"{self.vendor} review {self.period_label}"

    def get_absolute_url(self):
        return reverse("reports:review", args=[self.pk])

    @property
    def period_label(self):
        if self.period == ReviewPeriod.QUARTER:
            return f"Q{(self.period_start.month - 1) // 3 + 1} {self.period_start.year}"
        return f"{self.period_start:%B %Y}"

    # --- Transitions (fields only; services do the rest) ---

    @transition(field=state, source=ReviewState.PLANNED, target=ReviewState.PACK_READY,
                conditions=[has_done_pack], permission=can_plan_review)
    def mark_pack_ready(self):
        pass

    @transition(field=state, source=ReviewState.PACK_READY, target=ReviewState.HELD,
                conditions=[has_done_pack], permission=can_plan_review)
    def hold(self, *, at):
        self.held_at = at

    @transition(field=state, source=ReviewState.HELD, target=ReviewState.MINUTES_PUBLISHED,
                conditions=[has_decisions], permission=can_plan_review)
    def publish_minutes(self, *, at):
        self.published_at = at


class ReviewActionItem(models.Model):
    review = models.ForeignKey(VendorReview, on_delete=models.CASCADE,
                               related_name="action_items")
    title = FreeCharField(max_length=200)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    state = models.CharField(max_length=8, choices=ActionItemState.choices,
                             default=ActionItemState.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    closed_in = models.ForeignKey(VendorReview, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+",
                                  help_text="The review in which it was closed.")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["state", "due_date"], name="action_item_open_idx",
                                condition=Q(state="open"))]

    def __str__(self):
        return self.title


def pack_path(pack, filename):
    folder = pack.vendor_id or "executive"
    return f"reports/packs/{folder}/{pack.pk}-v{pack.version}/{filename}"


class ReportPack(models.Model):
    kind = models.CharField(max_length=10, choices=PackKind.choices, default=PackKind.VENDOR,
                            help_text="A vendor's pack, or the executive pack (no vendor).")
    review = models.ForeignKey(VendorReview, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="packs")
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="report_packs")
    period = models.CharField(max_length=8, choices=ReviewPeriod.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="The period's last day.")
    formats = models.JSONField(default=list)
    version = models.PositiveIntegerField(editable=False)
    status = models.CharField(max_length=8, choices=PackStatus.choices,
                              default=PackStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = FreeCharField(max_length=80, blank=True)
    error = FreeTextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The sweep's column: while queued or running, when to re-queue if nobody finished.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    parameters = models.JSONField(default=dict, blank=True)
    data_version = models.CharField(max_length=64, blank=True,
                                    help_text="Fingerprint of the data the pack was built from.")
    html = models.FileField(upload_to=pack_path, blank=True, max_length=300)
    pdf = models.FileField(upload_to=pack_path, blank=True, max_length=300)
    xlsx = models.FileField(upload_to=pack_path, blank=True, max_length=300)
    csv_zip = models.FileField(upload_to=pack_path, blank=True, max_length=300)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    history = History()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "period_start", "period_end", "version"],
                                    name="pack_version_once"),
            models.UniqueConstraint(fields=["period_start", "period_end", "version"],
                                    condition=Q(kind=PackKind.EXECUTIVE),
                                    name="executive_pack_version_once"),
            # A vendor pack names its vendor; the executive pack names none.
            models.CheckConstraint(condition=Q(kind=PackKind.VENDOR, vendor__isnull=False)
                                   | Q(kind=PackKind.EXECUTIVE, vendor__isnull=True),
                                   name="pack_vendor_matches_kind"),
        ]
        indexes = [models.Index(fields=["lease_until", "id"],
                                condition=Q(lease_until__isnull=False),
                                name="pack_lease_idx")]

    def __str__(self):
        return (f"{self.subject} pack {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d} "
                f"v{self.version}")

    def get_absolute_url(self):
        return reverse("reports:pack", args=[self.pk])

    @property
    def subject(self) -> str:
        """What the pack is about, for titles and file names."""
        return str(self.vendor) if self.vendor_id else "Executive"

    @property
    def is_open(self):
        return self.status in (PackStatus.QUEUED, PackStatus.RUNNING)

    def file_for(self, fmt):
        return {"html": self.html, "pdf": self.pdf, "xlsx": self.xlsx,
                "csv": self.csv_zip}.get(fmt)


class PackSchedule(models.Model):
    name = FreeCharField(max_length=120)
    kind = models.CharField(max_length=10, choices=PackKind.choices, default=PackKind.VENDOR,
                            help_text="Every active vendor's pack, or the executive pack.")
    active = models.BooleanField(default=True)
    calendar = models.ForeignKey(
        "core.BusinessCalendar", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
        help_text="Its working days (holidays respected) decide the first working day; "
                  "Monday to Friday when empty.")
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Executive pack: who receives the link; the pack shows what this person "
                  "may see (money only to money roles).")
    period = models.CharField(max_length=8, choices=ReviewPeriod.choices,
                              default=ReviewPeriod.MONTH)
    formats = models.JSONField(default=list)
    email_owners = models.BooleanField(
        default=True, help_text="Email a link: vendor packs to the contract owners, the "
                                "executive pack to the schedule's owner.")
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_error = FreeTextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["next_run_at", "id"],
                                condition=Q(next_run_at__isnull=False),
                                name="pack_schedule_due_idx")]
        constraints = [models.CheckConstraint(
            condition=~Q(kind=PackKind.EXECUTIVE) | Q(owner__isnull=False),
            name="executive_schedule_has_owner")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reports:schedule", args=[self.pk])


class PackScheduleRun(models.Model):
    schedule = models.ForeignKey(PackSchedule, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateField()
    status = models.CharField(max_length=8, choices=ScheduleRunStatus.choices,
                              default=ScheduleRunStatus.RUNNING)
    packs = models.ManyToManyField(ReportPack, blank=True, related_name="schedule_runs")
    error = FreeTextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    history = History()

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [models.UniqueConstraint(fields=["schedule", "period_start"],
                                               name="schedule_run_once_per_period")]

    def __str__(self):
        return f"{self.schedule} {self.period_start:%b %Y}"
