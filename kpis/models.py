"""Contact-center queues and the interval data every ACD/CCaaS platform exports.

* :class:`Queue` — a queue of contacts on one channel, with its service-level
  settings (threshold, target, short-abandon timer, treatment of abandons) and the
  vendor that staffs or runs it.
* :class:`IntervalStat` — one queue's raw counts and second sums for one 15- or
  30-minute interval. Never a percentage: every figure is computed from sums
  (``kpis/formulas.py``), so it aggregates correctly over any period.
* :class:`ImportSource` — a saved column mapping for one export shape.
* :class:`IntervalImport` — one import or API push: who, what, how many rows were
  created or replaced, and every refused row (the audit of bulk loads).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.audit import History
from core.fields import FreeCharField, FreeTextField
from core.validation import validate_time_zone

from .choices import (
    OPEN_IMPORT_OUTCOMES,
    AbandonTreatment,
    ImportFormat,
    ImportOutcome,
    QueueChannel,
)

USER = settings.AUTH_USER_MODEL
INTERVAL_LENGTHS = (15, 30)

# The integer counts and second sums of an interval, in the order exports list them.
# Aggregation sums exactly these columns (``kpis/selectors.py``).
COUNT_FIELDS = (
    "offered",  # contacts that entered the queue, short abandons and callbacks included
    "answered",
    "answered_within_threshold",
    "abandoned",  # disconnected by the customer in queue, short abandons included
    "abandoned_within_threshold",  # short abandons included
    "short_abandons",  # abandoned before the short-abandon timer
    "callbacks_queued",  # left the queue for a callback: not abandoned
    "handled",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "answer_wait_seconds",
    "transfers",
    "fcr_contacts",  # contacts the first-contact-resolution measure covers
    "fcr_resolved",
    "fcr_not_resolvable",  # cannot be resolved at first level (net FCR)
    "csat_responses",
    "csat_satisfied",  # top two boxes (4–5 of 5)
    "nps_responses",
    "nps_promoters",  # 9–10
    "nps_detractors",  # 0–6
)


class Queue(models.Model):
    name = FreeCharField(max_length=120, unique=True)
    import_name = FreeCharField(
        max_length=200, blank=True,
        help_text="The queue's name in the platform's exports, when it differs.")
    channel = models.CharField(max_length=12, choices=QueueChannel.choices,
                               default=QueueChannel.VOICE)
    site = FreeCharField(max_length=120, blank=True)
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="queues",
                               help_text="The BPO that staffs it or the platform that runs it.")
    calendar = models.ForeignKey("core.BusinessCalendar", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+",
                                 help_text="Opening hours: days and intervals of day are in "
                                           "this calendar's time zone.")
    threshold_seconds = models.PositiveIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(86_400)],
        help_text="Service level: answered within this many seconds (the Y of 80/20).")
    target_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Service-level target (the X of 80/20).")
    short_abandon_seconds = models.PositiveIntegerField(
        default=5, validators=[MaxValueValidator(86_400)],
        help_text="Contacts abandoned sooner are not counted at all (the data's short "
                  "abandons were counted with this timer).")
    abandon_treatment = models.CharField(
        max_length=10, choices=AbandonTreatment.choices, default=AbandonTreatment.NEGATIVE,
        help_text="How abandons within the threshold count in service level.")
    callbacks_in_offered = models.BooleanField(
        default=True, help_text="Abandon rate: contacts queued for a callback stay in the "
                                "denominator (they are never abandoned).")
    short_abandons_in_abandon_rate = models.BooleanField(
        default=False, help_text="Abandon rate: count short abandons as abandoned.")
    active = models.BooleanField(default=True)
    notes = FreeTextField(blank=True)

    history = History()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("kpis:queue", args=[self.pk])

    def settings(self) -> dict:
        """The formula options this queue's data is counted and judged with."""
        return {"threshold_seconds": self.threshold_seconds,
                "short_abandon_seconds": self.short_abandon_seconds,
                "abandon_treatment": self.abandon_treatment,
                "callbacks_in_offered": self.callbacks_in_offered,
                "short_abandons_in_abandon_rate": self.short_abandons_in_abandon_rate}


def _count(help_text=""):
    return models.PositiveIntegerField(default=0, help_text=help_text)


class IntervalStat(models.Model):
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="intervals")
    start = models.DateTimeField(help_text="Aware UTC start of the interval.")
    length_minutes = models.PositiveSmallIntegerField(
        default=30, choices=[(n, f"{n} minutes") for n in INTERVAL_LENGTHS])
    offered = _count("Entered the queue, short abandons and callbacks included.")
    answered = _count()
    answered_within_threshold = _count()
    abandoned = _count("Disconnected by the customer in queue, short abandons included.")
    abandoned_within_threshold = _count("Short abandons included.")
    short_abandons = _count("Abandoned before the short-abandon timer.")
    callbacks_queued = _count("Left the queue for a callback (not abandoned).")
    handled = _count()
    talk_seconds = _count()
    hold_seconds = _count()
    acw_seconds = _count("After-contact work.")
    answer_wait_seconds = _count("Total wait of the answered contacts.")
    transfers = _count()
    fcr_contacts = _count("Contacts the first-contact-resolution measure covers.")
    fcr_resolved = _count()
    fcr_not_resolvable = _count("Could not be resolved at first level (net FCR).")
    csat_responses = _count()
    csat_satisfied = _count("Top two boxes (4 or 5 of 5).")
    nps_responses = _count()
    nps_promoters = _count("Scores 9–10.")
    nps_detractors = _count("Scores 0–6.")
    imported_by = models.ForeignKey("IntervalImport", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")

    history = History()

    class Meta:
        ordering = ["queue", "start"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "start"], name="kpis_interval_unique"),
        ]
        # (queue, start) is indexed by the constraint; all queues over a range use this.
        indexes = [models.Index(fields=["start"], name="kpis_interval_start")]

    def __str__(self):
        return f"{self.queue} {self.start:%Y-%m-%d %H:%M}"


class ImportSource(models.Model):
    """A saved column mapping: which export shape, its interval length and time zone,
    and any columns named differently from the shape's defaults."""

    name = FreeCharField(max_length=120, unique=True)
    format = models.CharField(max_length=20, choices=ImportFormat.choices,
                              default=ImportFormat.GENERIC)
    interval_minutes = models.PositiveSmallIntegerField(
        default=30, choices=[(n, f"{n} minutes") for n in INTERVAL_LENGTHS])
    time_zone = FreeCharField(max_length=64, default="UTC", validators=[validate_time_zone],
                                 help_text="Zone of the export's times when they carry no offset.")
    date_format = FreeCharField(
        max_length=40, blank=True,
        help_text="How the export writes an interval's start, e.g. %d/%m/%Y %H:%M "
                  "(Python strftime codes). Blank: ISO 8601 and the common forms.")
    columns = models.JSONField(default=dict, blank=True,
                               help_text='Overrides: {"offered": "Their column header", …}; '
                                         '"" for a preset column the file does not have.')
    notes = FreeTextField(blank=True)

    history = History()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def import_path(record, filename):
    return f"kpis/imports/{timezone.now():%Y/%m}/{filename}"


class IntervalImport(models.Model):
    """One file import or API push, whether it went in or was refused."""

    source = models.ForeignKey(ImportSource, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="imports")
    format = models.CharField(max_length=20, choices=ImportFormat.choices)
    file_name = FreeCharField(max_length=255, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=ImportOutcome.choices)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    replaced = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True,
                              help_text="[{row, column, message}] of a refused import.")
    # A large file is stored and imported by a task (kpis/import_jobs.py); these
    # columns are its bookkeeping, moved with compare-and-set updates.
    upload = models.FileField(upload_to=import_path, blank=True, max_length=300)
    parameters = models.JSONField(
        default=dict, blank=True,
        help_text="The mapping it was queued with: format, interval, zone, date format, "
                  "columns (a later change to the saved mapping does not change it).")
    rows_validated = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    failure = FreeTextField(blank=True, help_text="Why a queued import failed.")
    # The sweep's column: while queued or running, when to queue it again if no worker
    # finished it (the worker died). Progress updates push it forward.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    history = History()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["lease_until", "id"],
                                condition=models.Q(lease_until__isnull=False),
                                name="kpis_import_lease_idx")]

    def __str__(self):
        return f"{self.file_name or 'API push'} ({self.get_outcome_display()})"

    def get_absolute_url(self):
        return reverse("kpis:import-progress", args=[self.pk])

    @property
    def is_open(self):
        return self.outcome in OPEN_IMPORT_OUTCOMES

    def percent(self, done) -> int:
        return min(100, round(100 * done / self.rows)) if self.rows else 0

    @property
    def validated_percent(self):
        return self.percent(self.rows_validated)

    @property
    def written_percent(self):
        return self.percent(self.rows_written)


class QueueDay(models.Model):
    """A queue's interval sums for one day in one time zone: the rollup the KPI page
    and the metrics endpoint read for whole days (``kpis/rollup.py``). Always rebuilt
    from :class:`IntervalStat` — never edited — so it has no history of its own."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="+")
    zone = models.CharField(max_length=64, help_text="The IANA zone the day is counted in.")
    day = models.DateField()
    offered = models.BigIntegerField(default=0)
    answered = models.BigIntegerField(default=0)
    answered_within_threshold = models.BigIntegerField(default=0)
    abandoned = models.BigIntegerField(default=0)
    abandoned_within_threshold = models.BigIntegerField(default=0)
    short_abandons = models.BigIntegerField(default=0)
    callbacks_queued = models.BigIntegerField(default=0)
    handled = models.BigIntegerField(default=0)
    talk_seconds = models.BigIntegerField(default=0)
    hold_seconds = models.BigIntegerField(default=0)
    acw_seconds = models.BigIntegerField(default=0)
    answer_wait_seconds = models.BigIntegerField(default=0)
    transfers = models.BigIntegerField(default=0)
    fcr_contacts = models.BigIntegerField(default=0)
    fcr_resolved = models.BigIntegerField(default=0)
    fcr_not_resolvable = models.BigIntegerField(default=0)
    csat_responses = models.BigIntegerField(default=0)
    csat_satisfied = models.BigIntegerField(default=0)
    nps_responses = models.BigIntegerField(default=0)
    nps_promoters = models.BigIntegerField(default=0)
    nps_detractors = models.BigIntegerField(default=0)
    # The lowest service level (answered within ÷ events) of the day's intervals: the
    # KPI page's worst intervals are looked for only in the days that could hold them.
    worst_ratio = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["zone", "day", "queue"],
                                               name="kpis_queue_day_once")]

    def __str__(self):
        return f"{self.queue_id} {self.day} ({self.zone})"
