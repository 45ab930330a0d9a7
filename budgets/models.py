"""Budgets, spend against them, initiatives and what they return, and incident cost.

* :class:`FiscalYear` — the year budgets are set for, starting in the configured month
  (``SWITCHBOARD_FISCAL_YEAR_START_MONTH``), named after the calendar year it ends in.
* :class:`Budget` — an amount per fiscal year × category × cost center, with an owner,
  an optional monthly phasing (even when not given) and the consumption thresholds
  that alert (default 80 % and 100 %, each once: :class:`BudgetAlert`).
* :class:`SpendEntry` — money spent against a budget: entered, imported, pushed by the
  API, or the negative entry a received service credit becomes (linked both ways).
* :class:`Initiative` — an optimisation with a lifecycle declared once here
  (``proposed → approved → in_progress → delivered → benefits_reviewed`` or
  ``cancelled``), its :class:`Baseline` taken from KPI data and its
  :class:`BenefitRecord` rows per period; ROI and payback are ``budgets/roi.py``.
* :class:`CostRate` and :class:`IncidentCost` — what an outage costs, kept per incident.

Money is ``Decimal`` in the one configured currency, stamped on each row.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMModelMixin, transition

from core.audit import History
from core.fields import FreeCharField, FreeTextField, StateField
from core.predicates import perm_checker
from core.transitions import guard

from .choices import (
    OPEN_INITIATIVE_STATES,
    RESPONDER_ROLES,
    AlertScope,
    BenefitKind,
    BenefitMethod,
    BudgetCategory,
    CostType,
    ImportOutcome,
    InitiativeState,
    RateKind,
    SpendOrigin,
)

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 12, "decimal_places": 4}  # EUR 0.7200 per agent-minute

can_approve_initiative = perm_checker("budgets.decide_initiative")
can_work_initiative = perm_checker("budgets.work_initiative")


def default_currency():
    return settings.SWITCHBOARD_CURRENCY


class FiscalYear(models.Model):
    name = models.CharField(max_length=20, unique=True, help_text="FY2027")
    first_day = models.DateField(unique=True)
    last_day = models.DateField()

    history = History()

    class Meta:
        ordering = ["first_day"]
        constraints = [models.CheckConstraint(condition=Q(last_day__gt=models.F("first_day")),
                                              name="fiscal_year_dates_in_order")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("budgets:year", args=[self.name])

    def contains(self, day) -> bool:
        return self.first_day <= day <= self.last_day


class CostCenter(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = FreeCharField(max_length=120)
    active = models.BooleanField(default=True)

    history = History()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


def _thresholds_default():
    return [80, 100]


class Budget(models.Model):
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="budgets")
    category = models.CharField(max_length=20, choices=BudgetCategory.choices)
    cost_center = models.ForeignKey(CostCenter, on_delete=models.PROTECT, related_name="budgets")
    name = FreeCharField(max_length=120, blank=True,
                         help_text="Optional; the category and cost center when empty.")
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="budgets_owned")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default=default_currency, editable=False)
    phasing = models.JSONField(
        default=list, blank=True,
        help_text="Twelve monthly amounts from the year's first month that add up to the "
                  "amount; empty: even.")
    alert_thresholds = models.JSONField(
        default=_thresholds_default, blank=True,
        help_text="Alert once when consumption reaches each of these percentages.")
    contracts = models.ManyToManyField(
        "vendors.Contract", blank=True, related_name="budgets",
        help_text="Contracts charged to it: their remaining fees this year are committed "
                  "spend (a contract joins when spend on it is booked here).")
    notes = FreeTextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = History(m2m_fields=[contracts])

    class Meta:
        ordering = ["fiscal_year", "category", "cost_center"]
        constraints = [models.UniqueConstraint(fields=["fiscal_year", "category", "cost_center"],
                                               name="budget_once_per_year_category_center")]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("budgets:budget", args=[self.pk])

    @property
    def label(self):
        return self.name or f"{self.get_category_display()} — {self.cost_center.name}"


class SpendImport(models.Model):
    """One spend file, whether it went in (all rows) or was refused (none)."""

    file_name = FreeCharField(max_length=255)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=ImportOutcome.choices)
    rows = models.PositiveIntegerField(default=0)
    total = models.DecimalField(**MONEY, default=0)
    errors = models.JSONField(default=list, blank=True,
                              help_text="[{row, column, message}] of a refused import.")

    history = History()

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_outcome_display()})"


class SpendEntry(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="spend")
    date = models.DateField()
    amount = models.DecimalField(**MONEY, help_text="Negative for a refund or a credit.")
    currency = models.CharField(max_length=3, default=default_currency, editable=False)
    cost_type = models.CharField(max_length=10, choices=CostType.choices,
                                 default=CostType.RECURRING)
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="spend")
    contract = models.ForeignKey("vendors.Contract", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="spend")
    initiative = models.ForeignKey("Initiative", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="spend")
    invoice_reference = FreeCharField(max_length=120, blank=True)
    description = FreeCharField(max_length=300, blank=True)
    origin = models.CharField(max_length=10, choices=SpendOrigin.choices,
                              default=SpendOrigin.ENTERED, editable=False)
    # The received credit this entry offsets (origin "credit"): one entry per credit.
    service_credit = models.OneToOneField(
        "vendors.ServiceCredit", on_delete=models.PROTECT, null=True, blank=True,
        related_name="spend_offset", editable=False)
    spend_import = models.ForeignKey(SpendImport, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="entries", editable=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    history = History()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "spend entries"
        indexes = [
            models.Index(fields=["budget", "date"], name="spend_budget_date_idx"),
            models.Index(fields=["vendor", "date"], name="spend_vendor_date_idx"),
            models.Index(fields=["date"], name="spend_date_idx"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.amount} {self.currency} ({self.budget})"

    def get_absolute_url(self):
        return reverse("budgets:spend_entry", args=[self.pk])


class BudgetAlert(models.Model):
    """A consumption threshold reached — recorded once (the constraints forbid a second)
    for a budget, or for a whole category of a fiscal year."""

    scope = models.CharField(max_length=10, choices=AlertScope.choices)
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=BudgetCategory.choices)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="alerts")
    threshold = models.PositiveSmallIntegerField()
    consumed = models.DecimalField(**MONEY)
    planned = models.DecimalField(**MONEY)
    fired_at = models.DateTimeField()

    history = History()

    class Meta:
        ordering = ["-fired_at"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "threshold"],
                                    condition=Q(scope=AlertScope.BUDGET),
                                    name="budget_alert_once"),
            models.UniqueConstraint(fields=["fiscal_year", "category", "threshold"],
                                    condition=Q(scope=AlertScope.CATEGORY),
                                    name="category_alert_once"),
        ]

    def __str__(self):
        what = self.budget if self.budget_id else self.get_category_display()
        return f"{what}: {self.threshold} % reached"


# --- Initiatives ----------------------------------------------------------------------------


@guard("approved_cost", "Give the approved cost.")
def has_approved_cost(initiative):
    return initiative.approved_cost is not None and initiative.approved_cost >= 0


@guard("expected_benefit", "State the expected yearly benefit before approval.")
def has_expected_benefit(initiative):
    return initiative.expected_benefit is not None


@guard("realised_benefit", "Record the realised benefit.")
def has_realised_benefit(initiative):
    return initiative.realised_benefit is not None


@guard("cancel_reason", "Say why the initiative is cancelled.")
def has_cancel_reason(initiative):
    return bool((initiative.cancel_reason or "").strip())


class Initiative(FSMModelMixin, models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = FreeCharField(max_length=200)
    description = FreeTextField(blank=True)
    state = StateField(default=InitiativeState.PROPOSED, choices=InitiativeState.choices,
                     protected=True)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="initiatives_owned")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="initiatives")
    vendor = models.ForeignKey("vendors.Vendor", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="initiatives")
    contract = models.ForeignKey("vendors.Contract", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="initiatives")
    queues = models.ManyToManyField("kpis.Queue", blank=True, related_name="initiatives",
                                    help_text="The queues it is meant to improve.")
    currency = models.CharField(max_length=3, default=default_currency, editable=False)
    estimated_cost = models.DecimalField(**MONEY, null=True, blank=True,
                                         validators=[MinValueValidator(0)])
    expected_benefit = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="Expected benefit per year, stated at approval.")
    approved_cost = models.DecimalField(**MONEY, null=True, blank=True,
                                        validators=[MinValueValidator(0)])
    approved_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    review_after_months = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="The benefits review is due this many months after delivery.")
    review_due_on = models.DateField(null=True, blank=True, editable=False)
    # The sweep's column: set at delivery, cleared once the owner has been told.
    review_notify_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    realised_benefit = models.DecimalField(
        **MONEY, null=True, blank=True,
        help_text="Benefits review: the realised benefit to date.")
    review_notes = FreeTextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = FreeTextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = History(m2m_fields=[queues])

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_initiative", "Can approve initiatives (with the cost)")]
        indexes = [models.Index(fields=["review_notify_at", "id"],
                                condition=Q(review_notify_at__isnull=False),
                                name="initiative_review_due_idx")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("budgets:initiative", args=[self.pk])

    @property
    def is_open(self):
        return self.state in OPEN_INITIATIVE_STATES

    # --- Transitions (fields only; services do the rest) ---

    @transition(field=state, source=InitiativeState.PROPOSED, target=InitiativeState.APPROVED,
                conditions=[has_approved_cost, has_expected_benefit],
                permission=can_approve_initiative)
    def approve(self, *, approved_by, at):
        self.approved_by = approved_by
        self.approved_at = at

    @transition(field=state, source=InitiativeState.APPROVED,
                target=InitiativeState.IN_PROGRESS, permission=can_work_initiative)
    def start(self, *, at):
        self.started_at = at

    @transition(field=state, source=InitiativeState.IN_PROGRESS,
                target=InitiativeState.DELIVERED, permission=can_work_initiative)
    def deliver(self, *, at, review_due_on, review_notify_at):
        self.delivered_at = at
        self.review_due_on = review_due_on
        self.review_notify_at = review_notify_at

    @transition(field=state, source=InitiativeState.DELIVERED,
                target=InitiativeState.BENEFITS_REVIEWED, conditions=[has_realised_benefit],
                permission=can_work_initiative)
    def review_benefits(self, *, at):
        self.reviewed_at = at
        self.review_notify_at = None

    @transition(field=state, source=[InitiativeState.PROPOSED, InitiativeState.APPROVED,
                                     InitiativeState.IN_PROGRESS],
                target=InitiativeState.CANCELLED, conditions=[has_cancel_reason],
                permission=can_work_initiative)
    def cancel(self, *, at):
        self.cancelled_at = at


class Baseline(models.Model):
    """The KPI figures before the initiative, taken from the queues' interval data over a
    period (or typed in where there is no data), that derived benefits compare against."""

    initiative = models.OneToOneField(Initiative, on_delete=models.CASCADE,
                                      related_name="baseline")
    method = models.CharField(max_length=20, choices=BenefitMethod.choices,
                              default=BenefitMethod.AHT_REDUCTION)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True,
                                  help_text="The day after the baseline period's last day.")
    aht_seconds = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                      verbose_name="AHT (seconds)")
    containment_percent = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True,
        help_text="Share of contacts handled without reaching an agent.")
    contacts_per_month = models.PositiveIntegerField(null=True, blank=True)
    cost_per_minute = models.DecimalField(**RATE, null=True, blank=True,
                                          help_text="Loaded agent cost per minute.")
    cost_per_contact = models.DecimalField(**RATE, null=True, blank=True,
                                           help_text="Cost of a contact handled by an agent.")
    from_kpi_data = models.BooleanField(default=False, editable=False)
    taken_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField()

    history = History()

    def __str__(self):
        return f"Baseline of {self.initiative.reference}"


class BenefitRecord(models.Model):
    """A measured benefit for one period (a month): entered, or derived from the KPI
    change against the baseline with the figures it rests on in ``basis``."""

    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="benefits")
    period_start = models.DateField()
    period_end = models.DateField(help_text="The day after the period's last day.")
    kind = models.CharField(max_length=14, choices=BenefitKind.choices,
                            default=BenefitKind.COST_SAVED)
    method = models.CharField(max_length=20, choices=BenefitMethod.choices,
                              default=BenefitMethod.ENTERED)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default=default_currency, editable=False)
    basis = models.JSONField(default=dict, blank=True,
                             help_text="The figures a derived benefit was computed from.")
    note = FreeTextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    history = History()

    class Meta:
        ordering = ["initiative", "period_start", "kind"]
        constraints = [models.UniqueConstraint(
            fields=["initiative", "period_start", "kind", "method"],
            name="benefit_once_per_period")]

    def __str__(self):
        return f"{self.initiative.reference} {self.period_start:%b %Y} {self.get_kind_display()}"


# --- Incident cost ----------------------------------------------------------------------------


class CostRate(models.Model):
    """A rate incident cost is computed with, in effect from a date: a responder's hourly
    cost by incident role, the loaded agent hour, or a lost contact's value for a channel
    (or one queue, which wins over its channel)."""

    kind = models.CharField(max_length=14, choices=RateKind.choices)
    role = models.CharField(max_length=20, choices=RESPONDER_ROLES, blank=True,
                            help_text="Responder rates: the incident role.")
    channel = models.CharField(max_length=12, blank=True,
                               help_text="Lost-contact rates: the queue channel.")
    queue = models.ForeignKey("kpis.Queue", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+", help_text="Lost-contact rates: one queue.")
    amount = models.DecimalField(**RATE, validators=[MinValueValidator(Decimal(0))])
    currency = models.CharField(max_length=3, default=default_currency, editable=False)
    effective_from = models.DateField()

    history = History()

    class Meta:
        ordering = ["kind", "role", "channel", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "role", "channel", "effective_from"],
                                    condition=Q(queue__isnull=True), name="cost_rate_once"),
            models.UniqueConstraint(fields=["queue", "effective_from"],
                                    condition=Q(queue__isnull=False),
                                    name="queue_cost_rate_once"),
        ]

    def __str__(self):
        what = self.get_role_display() or self.channel or (self.queue and str(self.queue)) or ""
        return f"{self.get_kind_display()} {what} from {self.effective_from}".strip()


class IncidentCost(models.Model):
    """What an incident cost, computed by ``budgets/incident_cost.py`` and kept so the
    dashboard can sum it by month, channel and vendor.

    Derived, never edited: no history of its own — every input it is computed from
    (the incident, the rates, the credits) keeps one, and a recomputation reproduces it.
    """

    incident = models.OneToOneField("incidents.Incident", on_delete=models.CASCADE,
                                    related_name="cost")
    month = models.DateField(help_text="The first day of the month it was declared in.")
    responders = models.DecimalField(**MONEY, default=0)
    agents_idle = models.DecimalField(**MONEY, default=0)
    lost_contacts = models.PositiveIntegerField(default=0)
    lost_contacts_value = models.DecimalField(**MONEY, default=0)
    credits = models.DecimalField(**MONEY, default=0, help_text="Vendor credits attributed.")
    total = models.DecimalField(**MONEY, default=0)
    currency = models.CharField(max_length=3, default=default_currency, editable=False)
    breakdown = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "-total"]
        indexes = [models.Index(fields=["month"], name="incident_cost_month_idx")]

    def __str__(self):
        return f"Cost of {self.incident_id}: {self.total} {self.currency}"
