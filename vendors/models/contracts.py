"""Vendors, their contacts and contracts, and what links them to incidents.

* :class:`Vendor` — who we depend on, with a status machine
  (onboarding → active → offboarding → exited) and a risk rating.
* :class:`Contract` — what we signed: dates, value and fee lines (money), renewal
  terms and the **notice date** derived from them (stored, indexed, filterable),
  and its lifecycle ``draft → active → (notice_given | renewed) → expired |
  terminated`` declared once here. Its deadlines are :class:`ContractDeadline`
  rows swept by ``core.due_rows.sweep_due`` (``vendors/deadlines.py``).
* :class:`VendorAttribution` — "this incident (or escalation) was the vendor's":
  the join no contract tool makes, from which downtime is derived
  (``vendors/selectors.py``), less the :class:`DowntimeExclusion` windows.

Incidents and escalations are not changed: attributions point at them.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMField, FSMModelMixin, transition

from core.audit import History
from core.fields import FreeCharField, FreeTextField
from core.predicates import perm_checker
from core.transitions import guard

from ..choices import (
    LIVE_CONTRACT_STATES,
    OPEN_CREDIT_STATES,
    RENEWABLE_STATES,
    BandKind,
    BillingPeriod,
    ClaimWindowFrom,
    Comparator,
    ContactRole,
    ContractState,
    CreditDeadlineOutcome,
    CreditPayment,
    CreditState,
    DeadlineKind,
    DeadlineOutcome,
    DocumentKind,
    DowntimeEnd,
    ExclusionKind,
    FeeKind,
    MeasurementOrigin,
    MeasurementPeriod,
    MeasurementSource,
    MinimumRule,
    NoticeUnit,
    RenewalDecision,
    RenewalType,
    RiskRating,
    SlaMetric,
    UptimeFormula,
    VendorCategory,
    VendorStatus,
)
from ..dates import notice_date

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 14, "decimal_places": 2}

can_manage_vendor = perm_checker("vendors.manage_vendor")
can_manage_contract = perm_checker("vendors.manage_contract")
can_work_credit = perm_checker("vendors.work_credit")
can_record_received = perm_checker("vendors.record_credit_received")


def default_currency():
    """The one currency money is kept in (``SWITCHBOARD_CURRENCY``), stamped on each
    contract so a later change of the setting cannot silently re-denominate it."""
    return settings.SWITCHBOARD_CURRENCY


# --- Vendors ------------------------------------------------------------------------------


def _live_contracts_message(vendor):
    references = ", ".join(vendor.contracts.filter(state__in=LIVE_CONTRACT_STATES)
                           .values_list("reference", flat=True))
    return f"End its running contracts first: {references}."


@guard("contracts", _live_contracts_message)
def no_live_contracts(vendor):
    return not vendor.contracts.filter(state__in=LIVE_CONTRACT_STATES).exists()


class Vendor(FSMModelMixin, models.Model):
    name = FreeCharField(max_length=120, unique=True)
    category = models.CharField(max_length=20, choices=VendorCategory.choices)
    status = FSMField(default=VendorStatus.ONBOARDING, choices=VendorStatus.choices,
                      protected=True)
    risk_rating = models.CharField(max_length=10, choices=RiskRating.choices,
                                   default=RiskRating.UNRATED)
    risk_reason = FreeTextField(blank=True, help_text="Why the vendor has this rating.")
    risk_reviewed_at = models.DateField(null=True, blank=True)
    risk_reviewed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="+")
    account_manager = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="vendors_managed",
        help_text="Ours: who keeps the relationship.")
    website = models.URLField(blank=True)
    support_portal = models.URLField(blank=True)
    status_page_url = models.URLField(blank=True, verbose_name="status page URL")
    notes = FreeTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["category", "name"], name="vendor_category_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("vendors:detail", args=[self.pk])

    @property
    def reference(self):
        """What messages call the vendor (``core.web_forms.submit``)."""
        return self.name

    @transition(field=status, source=VendorStatus.ONBOARDING, target=VendorStatus.ACTIVE,
                permission=can_manage_vendor)
    def activate(self):
        pass

    @transition(field=status, source=VendorStatus.ACTIVE, target=VendorStatus.OFFBOARDING,
                permission=can_manage_vendor)
    def offboard(self):
        pass

    @transition(field=status, source=VendorStatus.OFFBOARDING, target=VendorStatus.ACTIVE,
                permission=can_manage_vendor)
    def reactivate(self):
        pass

    @transition(field=status, source=VendorStatus.OFFBOARDING, target=VendorStatus.EXITED,
                conditions=[no_live_contracts], permission=can_manage_vendor)
    def exit(self):
        pass


class VendorContact(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="contacts")
    name = FreeCharField(max_length=120)
    role = models.CharField(max_length=20, choices=ContactRole.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    hours = FreeCharField(max_length=120, blank=True,
                          help_text="When they answer, e.g. 24×7 or Mon–Fri 08:00–18:00 UK.")
    escalation_order = models.PositiveSmallIntegerField(
        default=1, help_text="1 is called first; the next number if they do not answer.")
    notes = FreeTextField(blank=True)

    history = History()

    class Meta:
        ordering = ["escalation_order", "name", "pk"]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()}, {self.vendor})"


# --- Contracts ----------------------------------------------------------------------------


@guard("owner", "Choose who owns the contract.")
def has_owner(contract):
    return contract.owner_id is not None


@guard("end_date", "The end date must be on or after the start date.")
def dates_in_order(contract):
    return contract.start_date <= contract.end_date


@guard("renewal_term_months", "An automatic renewal needs its term in months.")
def automatic_has_term(contract):
    return contract.renewal_type != RenewalType.AUTOMATIC or bool(contract.renewal_term_months)


@guard("notice_given_on", "Say on which day notice was given.")
def notice_day_known(contract):
    return contract.notice_given_on is not None


@guard("termination_reason", "Say why the contract is terminated.")
def has_termination_reason(contract):
    return bool(contract.termination_reason.strip())


@guard("terminated_on", "Say on which day the contract ends.")
def termination_day_known(contract):
    return contract.terminated_on is not None


class Contract(FSMModelMixin, models.Model):
    reference = models.CharField(max_length=40, unique=True, blank=True,
                                 help_text="Empty: the next CTR-<year>-NNNN.")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contracts")
    title = FreeCharField(max_length=200)
    services = FreeTextField(blank=True, help_text="The services the contract covers.")
    start_date = models.DateField()
    end_date = models.DateField(help_text="The last day of the current term.")
    value = models.DecimalField(**MONEY, null=True, blank=True,
                                help_text="Per billing period (money).")
    billing_period = models.CharField(max_length=10, choices=BillingPeriod.choices,
                                      default=BillingPeriod.MONTHLY)
    currency = models.CharField(max_length=3, default=default_currency, editable=False)
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="contracts_owned")
    predecessor = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="successors",
                                    help_text="The contract this one renews or replaces.")

    renewal_type = models.CharField(max_length=10, choices=RenewalType.choices,
                                    default=RenewalType.EXPLICIT)
    renewal_term_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How long each automatic renewal runs.")
    notice_period = models.PositiveSmallIntegerField(
        default=0, help_text="How long before the end date notice must be given.")
    notice_unit = models.CharField(max_length=6, choices=NoticeUnit.choices,
                                   default=NoticeUnit.DAYS)
    # Derived from the end date and the notice period (``refresh_notice_date``);
    # stored so lists filter and sort on it through an index.
    notice_date = models.DateField(editable=False)

    downtime_counts_until = models.CharField(
        max_length=10, choices=DowntimeEnd.choices, default=DowntimeEnd.RESOLVED,
        help_text="Which incident stage ends the vendor's downtime under this contract.")
    maintenance_notice_days = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Days of notice the vendor must give for maintenance to be excluded.")

    state = FSMField(default=ContractState.DRAFT, choices=ContractState.choices,
                     protected=True)
    decision = models.CharField(max_length=12, choices=RenewalDecision.choices, blank=True)
    decision_reason = FreeTextField(blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    notice_given_on = models.DateField(null=True, blank=True)
    notice_note = FreeTextField(blank=True)
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = FreeTextField(blank=True)
    # Renewal bookkeeping (``vendors.dates``): terms count from a fixed anchor.
    renewal_anchor = models.DateField(null=True, blank=True, editable=False)
    renewal_months_total = models.PositiveIntegerField(default=0, editable=False)
    # When the deadline sweep next has work here (``vendors/deadlines.py``); NULL: none.
    next_deadline_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["notice_date", "reference"]
        indexes = [
            models.Index(fields=["state", "notice_date"], name="contract_state_notice_idx"),
            models.Index(fields=["vendor", "state"], name="contract_vendor_state_idx"),
            models.Index(fields=["end_date"], name="contract_end_idx"),
            models.Index(fields=["next_deadline_at", "id"],
                         condition=Q(next_deadline_at__isnull=False),
                         name="contract_next_deadline_idx"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs):
        # Derived, never typed: kept in step with the dates on every save.
        if self.end_date:
            self.refresh_notice_date()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("vendors:contract", args=[self.pk])

    def refresh_notice_date(self):
        self.notice_date = notice_date(self.end_date, self.notice_period, self.notice_unit)

    @property
    def is_live(self):
        return self.state in LIVE_CONTRACT_STATES

    @property
    def awaits_decision(self):
        """Running, open to renewal, and nobody has decided yet."""
        return self.state in RENEWABLE_STATES and not self.decision

    def next_date_on(self, today: date) -> date:
        """The next date that matters: the notice date while it is ahead and the
        contract is open to renewal, else the end date. (Lists annotate the same as
        ``next_date``: ``vendors.selectors.next_date_expression``.)"""
        if self.state in RENEWABLE_STATES and self.notice_date >= today:
            return self.notice_date
        return self.end_date

    # --- Transitions (fields only; services do the rest) ---

    @transition(field=state, source=ContractState.DRAFT, target=ContractState.ACTIVE,
                conditions=[has_owner, dates_in_order, automatic_has_term],
                permission=can_manage_contract)
    def activate(self):
        pass

    @transition(field=state, source=list(RENEWABLE_STATES), target=ContractState.NOTICE_GIVEN,
                conditions=[notice_day_known], permission=can_manage_contract)
    def give_notice(self):
        pass

    @transition(field=state, source=list(RENEWABLE_STATES), target=ContractState.RENEWED,
                permission=can_manage_contract)
    def renew(self, *, new_end_date, anchor, months_total):
        self.end_date = new_end_date
        self.renewal_anchor = anchor
        self.renewal_months_total = months_total
        self.refresh_notice_date()
        # A new term owes a new decision before its own notice date.
        self.decision, self.decision_reason = "", ""
        self.decided_by, self.decided_at = None, None

    @transition(field=state, source=list(LIVE_CONTRACT_STATES), target=ContractState.EXPIRED,
                permission=can_manage_contract)
    def expire(self):
        pass

    @transition(field=state, source=list(LIVE_CONTRACT_STATES),
                target=ContractState.TERMINATED,
                conditions=[has_termination_reason, termination_day_known],
                permission=can_manage_contract)
    def terminate(self):
        pass


class FeeLine(models.Model):
    """A named fee basis of a contract (money): service credits are computed on them."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="fee_lines")
    name = FreeCharField(max_length=120, help_text="e.g. AgentSeat subscription")
    kind = models.CharField(max_length=12, choices=FeeKind.choices, default=FeeKind.SUBSCRIPTION)
    amount = models.DecimalField(**MONEY, help_text="Per billing period (one-time: once).")
    notes = FreeCharField(max_length=300, blank=True)

    history = History()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "name"],
                                               name="fee_line_name_unique")]

    def __str__(self):
        return f"{self.name} ({self.contract.reference})"


def document_path(document, filename):
    # Never under a public URL: served by a view that checks who asks. A random folder
    # keeps two uploads of "contract.pdf" apart and the path unguessable.
    return f"vendors/contracts/{document.contract_id}/{uuid.uuid4().hex}/{filename}"


class ContractDocument(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="documents")
    title = FreeCharField(max_length=200)
    kind = models.CharField(max_length=12, choices=DocumentKind.choices,
                            default=DocumentKind.CONTRACT)
    file = models.FileField(upload_to=document_path, max_length=300)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    history = History()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.contract.reference})"

    def get_absolute_url(self):
        return reverse("vendors:document", args=[self.contract_id, self.pk])

    @property
    def file_name(self):
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class ContractRenewal(models.Model):
    """One renewal of a contract: when, by whom (the system for an automatic one),
    from which end date to which, and what had been decided."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="renewals")
    renewed_at = models.DateTimeField()
    renewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    automatic = models.BooleanField(default=False)
    previous_end_date = models.DateField()
    new_end_date = models.DateField()
    decision = models.CharField(max_length=12, choices=RenewalDecision.choices, blank=True)
    note = FreeTextField(blank=True)

    history = History()

    class Meta:
        ordering = ["renewed_at", "pk"]
        constraints = [
            # One renewal per term: a sweep running twice cannot renew twice.
            models.UniqueConstraint(fields=["contract", "previous_end_date"],
                                    name="contract_renewal_once_per_term"),
        ]

    def __str__(self):
        return f"{self.contract.reference}: {self.previous_end_date} → {self.new_end_date}"


class ContractDeadline(models.Model):
    """A date of a contract that must not be missed, as a row the sweep finds.

    ``warning`` rows (one per lead time, e.g. 90/60/30/7 days before the notice date),
    one ``notice`` row (the notice date has passed: breach if undecided) and one
    ``end`` row (renew automatically or expire). ``due_at`` is NULL once fired; the
    unique constraint makes a second firing for the same date impossible. The sweep
    finds them through their contract's ``next_deadline_at``.
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=10, choices=DeadlineKind.choices)
    lead_days = models.PositiveSmallIntegerField(default=0)
    for_date = models.DateField(help_text="The notice date or end date it belongs to.")
    due_at = models.DateTimeField(null=True, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=DeadlineOutcome.choices, blank=True)

    history = History()

    class Meta:
        ordering = ["for_date", "-lead_days", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind", "lead_days", "for_date"],
                                    name="contract_deadline_once"),
        ]

    def __str__(self):
        return f"{self.contract.reference} {self.get_kind_display()} ({self.for_date})"


# --- Attribution and downtime ---------------------------------------------------------------


class VendorAttribution(models.Model):
    """An incident or an escalation the vendor caused or is part of."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="attributions")
    contract = models.ForeignKey(Contract, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="attributions",
                                 help_text="Which contract, where the vendor has several.")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="vendor_attributions")
    escalation = models.ForeignKey("escalations.Escalation", on_delete=models.CASCADE,
                                   null=True, blank=True, related_name="vendor_attributions")
    reason = FreeTextField(blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    history = History()

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(incident__isnull=False, escalation__isnull=True)
                           | Q(incident__isnull=True, escalation__isnull=False)),
                name="attribution_one_target"),
            models.UniqueConstraint(fields=["vendor", "incident"],
                                    condition=Q(incident__isnull=False),
                                    name="attribution_incident_once"),
            models.UniqueConstraint(fields=["vendor", "escalation"],
                                    condition=Q(escalation__isnull=False),
                                    name="attribution_escalation_once"),
        ]

    def __str__(self):
        target = self.incident if self.incident_id else self.escalation
        return f"{self.vendor} — {getattr(target, 'reference', target)}"


class DowntimeExclusion(models.Model):
    """A window that does not count against the vendor: maintenance announced in time,
    force majeure, our own doing, a third party. With an incident it cuts only that
    incident's window; without one it cuts every incident of the vendor."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="exclusions")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="+")
    kind = models.CharField(max_length=14, choices=ExclusionKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = FreeTextField()
    notice_given_at = models.DateTimeField(
        null=True, blank=True, help_text="Maintenance: when the vendor announced it.")
    tagged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    tagged_at = models.DateTimeField()

    history = History()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="exclusion_ends_after_start")]
        indexes = [models.Index(fields=["vendor", "starts_at"], name="exclusion_vendor_idx")]

    def __str__(self):
        return f"{self.vendor}: {self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"


# --- SLA objectives, measurements, compliance and service credits (issue 15) ---------------
#
# An objective is *versioned*: every row is one version of a ``series`` and applies from
# its ``effective_from`` date until the next version's. A period is measured under the
# version in force on its first day, and its measurement, compliance and credit point at
# that version row, so a later change of terms never rewrites a past period.

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


@guard("waive_reason", "Say why the credit is waived.")
def has_waive_reason(credit):
    return bool((credit.waive_reason or "").strip())


@guard("dispute_reason", "Say what the vendor disputes.")
def has_dispute_reason(credit):
    return bool((credit.dispute_reason or "").strip())


@guard("agreed_amount", "Give the amount the vendor agreed (no more than claimed).")
def agreed_amount_valid(credit):
    return credit.agreed_amount is not None and 0 <= credit.agreed_amount <= \
        (credit.claimed_amount if credit.claimed_amount is not None else credit.amount)


@guard("claimed_amount", "Give the counter-figure you claim.")
def counter_figure_given(credit):
    return credit.claimed_amount is not None and credit.claimed_amount > 0


@guard("received_amount", "Give the amount received.")
def received_amount_given(credit):
    return credit.received_amount is not None and credit.received_amount >= 0


class ServiceCredit(FSMModelMixin, models.Model):
    """What a vendor owes for one missed objective in one period (at most one each),
    tracked to the money: ``accrued → claimed → accepted | disputed → received``, or
    ``waived`` with a reason; a disputed claim goes back to ``claimed`` with a
    counter-figure."""

    compliance = models.OneToOneField(Compliance, on_delete=models.PROTECT,
                                      related_name="credit")
    objective = models.ForeignKey(SlaObjective, on_delete=models.PROTECT,
                                  related_name="credits")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="credits")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="credits")
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY, help_text="Due by the schedule (money).")
    explanation = FreeTextField(blank=True)
    state = FSMField(default=CreditState.ACCRUED, choices=CreditState.choices, protected=True)
    claim_deadline = models.DateField(help_text="The last day to claim it.")
    claim_window_start = models.DateField(help_text="When the claim window opened.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_amount = models.DecimalField(**MONEY, null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    agreed_amount = models.DecimalField(**MONEY, null=True, blank=True)
    disputed_at = models.DateTimeField(null=True, blank=True)
    dispute_reason = FreeTextField(blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_amount = models.DecimalField(**MONEY, null=True, blank=True)
    received_reference = FreeCharField(max_length=120, blank=True,
                                       help_text="Credit note or invoice reference.")
    waived_at = models.DateTimeField(null=True, blank=True)
    waive_reason = FreeTextField(blank=True)
    # Claim window bookkeeping (``vendors/credit_deadlines.py``).
    window_missed_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_deadline_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField()

    history = History()

    class Meta:
        ordering = ["claim_deadline", "pk"]
        # Finance records the money arriving without working the claim itself.
        permissions = [("record_received_servicecredit", "Can record a credit received")]
        indexes = [
            models.Index(fields=["state", "claim_deadline"], name="credit_state_deadline_idx"),
            models.Index(fields=["vendor", "period_start"], name="credit_vendor_period_idx"),
            models.Index(fields=["next_deadline_at", "id"],
                         condition=Q(next_deadline_at__isnull=False),
                         name="credit_next_deadline_idx"),
        ]

    def __str__(self):
        return f"Credit {self.objective.name} {self.period_start:%b %Y} ({self.contract.reference})"

    def get_absolute_url(self):
        return reverse("vendors:credit", args=[self.pk])

    @property
    def reference(self):
        return f"Credit {self.contract.reference} {self.objective.name} {self.period_start:%b %Y}"

    @property
    def is_open(self):
        return self.state in OPEN_CREDIT_STATES

    @property
    def expected_amount(self):
        """What we still expect: received, else agreed, else claimed, else due."""
        for value in (self.received_amount, self.agreed_amount, self.claimed_amount):
            if value is not None:
                return value
        return self.amount

    # --- Transitions (fields only; services do the rest) ---

    @transition(field=state, source=CreditState.ACCRUED, target=CreditState.CLAIMED,
                permission=can_work_credit)
    def claim(self, *, at, amount=None):
        self.claimed_at = at
        self.claimed_amount = self.amount if amount is None else amount

    @transition(field=state, source=[CreditState.CLAIMED, CreditState.DISPUTED],
                target=CreditState.ACCEPTED, conditions=[agreed_amount_valid],
                permission=can_work_credit)
    def accept(self, *, at):
        self.accepted_at = at

    @transition(field=state, source=CreditState.CLAIMED, target=CreditState.DISPUTED,
                conditions=[has_dispute_reason], permission=can_work_credit)
    def dispute(self, *, at):
        self.disputed_at = at

    @transition(field=state, source=CreditState.DISPUTED, target=CreditState.CLAIMED,
                conditions=[counter_figure_given], permission=can_work_credit)
    def reclaim(self, *, at):
        self.claimed_at = at

    @transition(field=state, source=CreditState.ACCEPTED, target=CreditState.RECEIVED,
                conditions=[received_amount_given], permission=can_record_received)
    def receive(self, *, at):
        self.received_at = at

    @transition(field=state, source=list(OPEN_CREDIT_STATES), target=CreditState.WAIVED,
                conditions=[has_waive_reason], permission=can_work_credit)
    def waive(self, *, at):
        self.waived_at = at


class CreditDeadline(models.Model):
    """A moment of a credit's claim window the sweep acts on: a warning at a share of
    the window (default 50 % and 75 %) or the window's end (unclaimed: money lost).
    ``due_at`` is NULL once fired; the unique constraint forbids a second firing."""

    credit = models.ForeignKey(ServiceCredit, on_delete=models.CASCADE,
                               related_name="deadlines")
    percent = models.PositiveSmallIntegerField(help_text="Share of the window; 100: its end.")
    due_at = models.DateTimeField(null=True, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=CreditDeadlineOutcome.choices,
                               blank=True)

    history = History()

    class Meta:
        ordering = ["credit", "percent"]
        constraints = [models.UniqueConstraint(fields=["credit", "percent"],
                                               name="credit_deadline_once")]

    def __str__(self):
        return f"{self.credit}: {self.percent} % of the claim window"
