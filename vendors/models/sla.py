"""SLA objectives (versioned), their credit schedules and bands, measurements, compliance
and reconciliation disputes (issue 15).

An objective is *versioned*: every row is one version of a ``series`` and applies from
its ``effective_from`` date until the next version's. A period is measured under the
version in force on its first day, and its measurement, compliance and credit point at
that version row, so a later change of terms never rewrites a past period.
"""

import uuid

from django.db import models
from django.urls import reverse

from core.audit import History
from core.fields import FreeCharField, FreeTextField

from ..choices import (
    BandKind,
    ClaimWindowFrom,
    Comparator,
    CreditPayment,
    ExclusionKind,
    MeasurementOrigin,
    MeasurementPeriod,
    MeasurementSource,
    MinimumRule,
    SlaMetric,
    UptimeFormula,
)
from .contracts import MONEY, USER, Contract, FeeLine

PERCENT = {"max_digits": 12, "decimal_places": 4}
FIGURE = {"max_digits": 16, "decimal_places": 4}


def _all_exclusion_kinds():
    return list(ExclusionKind.values)


class SlaObjective(models.Model):
    series = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True,
                              help_text="The versions of one objective share it.")
    version = models.PositiveSmallIntegerField(default=1, editable=False)
    effective_from = models.DateField(help_text="The first day these terms apply.")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT,
                                 related_name="objectives")
    name = FreeCharField(max_length=120, help_text="e.g. Monthly uptime, Service level 80/20")
    metric = models.CharField(max_length=20, choices=SlaMetric.choices)
    comparator = models.CharField(max_length=10, choices=Comparator.choices,
                                  default=Comparator.AT_LEAST)
    target = models.DecimalField(**FIGURE)
    period = models.CharField(max_length=8, choices=MeasurementPeriod.choices,
                              default=MeasurementPeriod.MONTH)
    queue_ids = models.JSONField(default=list, blank=True,
                                 help_text="The queues it covers (contact metrics).")
    # Metric options a measurement source reads: threshold_seconds, abandon_treatment,
    # short_abandon_seconds, min_presented_seconds, priority (vendor support times).
    options = models.JSONField(default=dict, blank=True)
    uptime_formula = models.CharField(max_length=20, choices=UptimeFormula.choices,
                                      default=UptimeFormula.EXCLUDED_ADDED_BACK)
    excluded_kinds = models.JSONField(
        default=_all_exclusion_kinds, blank=True,
        help_text="Which kinds of downtime exclusion count for this objective.")
    tolerance = models.DecimalField(
        **FIGURE, default=0,
        help_text="Vendor-reported and self-measured may differ by this much unflagged.")
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=1,
                                 help_text="Weight in the vendor scorecard.")
    active = models.BooleanField(default=True, help_text="Off: no longer measured.")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["contract", "name", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="objective_version_once"),
            models.UniqueConstraint(fields=["series", "effective_from"],
                                    name="objective_one_version_a_day"),
        ]

    def __str__(self):
        return f"{self.name} ({self.contract.reference}, v{self.version})"

    def get_absolute_url(self):
        return reverse("vendors:objective", args=[self.pk])

    @property
    def is_percent(self):
        from ..choices import PERCENT_METRICS

        return self.metric in PERCENT_METRICS

    @property
    def unit(self):
        if self.is_percent:
            return " %"
        if self.metric in (SlaMetric.AHT, SlaMetric.ASA):
            return " s"
        if self.metric in (SlaMetric.SUPPORT_RESPONSE, SlaMetric.SUPPORT_RESOLUTION):
            return " min"
        return ""

    def target_text(self):
        from ..credit_rules import fmt_number

        return f"{self.get_comparator_display()} {fmt_number(self.target)}{self.unit}"


class CreditSchedule(models.Model):
    """How a missed objective turns into money (``vendors/credit_rules.py``)."""

    objective = models.OneToOneField(SlaObjective, on_delete=models.CASCADE,
                                     related_name="schedule")
    fee_lines = models.ManyToManyField(
        FeeLine, blank=True, related_name="+",
        help_text="The fee base; none chosen: every recurring fee line. One-time fees "
                  "never count.")
    duration_per_outage = models.BooleanField(
        default=True, help_text="Duration bands per outage (added up); off: on the "
                                "period's total downtime.")
    minimum_amount = models.DecimalField(**MONEY, default=0)
    minimum_rule = models.CharField(max_length=10, choices=MinimumRule.choices,
                                    default=MinimumRule.AT_LEAST)
    cap_percent = models.DecimalField(**PERCENT, null=True, blank=True)
    cap_amount = models.DecimalField(**MONEY, null=True, blank=True)
    claim_window_days = models.PositiveSmallIntegerField(default=30)
    claim_window_from = models.CharField(max_length=12, choices=ClaimWindowFrom.choices,
                                         default=ClaimWindowFrom.PERIOD_END)
    payment = models.CharField(max_length=16, choices=CreditPayment.choices,
                               default=CreditPayment.FUTURE_INVOICES)
    earn_back_periods = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Earn-back: an unclaimed credit is forgiven if the next N periods are met.")

    history = History()

    def __str__(self):
        return f"Credit schedule of {self.objective}"


class CreditBand(models.Model):
    """``percent`` of the fee base when ``lower <= value < upper`` (empty: unbounded)."""

    schedule = models.ForeignKey(CreditSchedule, on_delete=models.CASCADE,
                                 related_name="bands")
    kind = models.CharField(max_length=10, choices=BandKind.choices, default=BandKind.VALUE)
    lower = models.DecimalField(**FIGURE, null=True, blank=True)
    upper = models.DecimalField(**FIGURE, null=True, blank=True)
    percent = models.DecimalField(**PERCENT)
    position = models.PositiveSmallIntegerField(default=0)

    history = History()

    class Meta:
        ordering = ["schedule", "kind", "position", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} [{self.lower}, {self.upper}) → {self.percent} %"


class Measurement(models.Model):
    """One figure of an objective for one period, from one source."""

    objective = models.ForeignKey(SlaObjective, on_delete=models.PROTECT,
                                  related_name="measurements")
    period_start = models.DateField()
    period_end = models.DateField(help_text="The day after the period's last day.")
    source = models.CharField(max_length=8, choices=MeasurementSource.choices)
    origin = models.CharField(max_length=10, choices=MeasurementOrigin.choices)
    value = models.DecimalField(**FIGURE)
    detail = FreeTextField(blank=True, help_text="How it was computed or where it came from.")
    basis = models.JSONField(default=dict, blank=True,
                             help_text="The raw figures behind it (evidence).")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    history = History()

    class Meta:
        ordering = ["-period_start", "objective", "source"]
        constraints = [models.UniqueConstraint(fields=["objective", "period_start", "source"],
                                               name="measurement_once_per_source")]
        indexes = [models.Index(fields=["objective", "period_start"],
                                name="measurement_period_idx")]

    def __str__(self):
        return f"{self.objective.name} {self.period_start}: {self.value} ({self.source})"


class Compliance(models.Model):
    """An objective's result for one period: the value used, met or missed, and the
    credit it earns with the explanation written out. Refreshed while data changes."""

    objective = models.ForeignKey(SlaObjective, on_delete=models.PROTECT,
                                  related_name="compliance")
    period_start = models.DateField()
    period_end = models.DateField()
    source = models.CharField(max_length=8, choices=MeasurementSource.choices)
    value = models.DecimalField(**FIGURE)
    met = models.BooleanField()
    shortfall = models.DecimalField(**FIGURE, default=0)
    band = FreeCharField(max_length=200, blank=True)
    percent = models.DecimalField(**PERCENT, default=0)
    fee_base = models.DecimalField(**MONEY, default=0)
    credit_amount = models.DecimalField(**MONEY, default=0)
    currency = models.CharField(max_length=3)
    explanation = FreeTextField(blank=True)
    self_value = models.DecimalField(**FIGURE, null=True, blank=True)
    vendor_value = models.DecimalField(**FIGURE, null=True, blank=True)
    flagged = models.BooleanField(default=False,
                                  help_text="Vendor-reported and self-measured differ "
                                            "beyond the objective's tolerance.")
    score = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    computed_at = models.DateTimeField()

    history = History()

    class Meta:
        ordering = ["-period_start", "objective"]
        constraints = [models.UniqueConstraint(fields=["objective", "period_start"],
                                               name="compliance_once_per_period")]
        indexes = [models.Index(fields=["period_start", "objective"],
                                name="compliance_period_idx")]

    def __str__(self):
        return f"{self.objective.name} {self.period_start}: {'met' if self.met else 'missed'}"

    @property
    def difference(self):
        if self.self_value is None or self.vendor_value is None:
            return None
        return self.vendor_value - self.self_value


class ReconciliationDispute(models.Model):
    """We dispute the vendor's reported figure, with the evidence behind ours."""

    compliance = models.ForeignKey(Compliance, on_delete=models.CASCADE,
                                   related_name="disputes")
    note = FreeTextField()
    evidence = FreeTextField(help_text="Our figure and what it rests on (Markdown).")
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = FreeTextField(blank=True)

    history = History()

    class Meta:
        ordering = ["-opened_at", "pk"]

    def __str__(self):
        return f"Dispute of {self.compliance}"


