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
from django_fsm import FSMModelMixin, transition

from core.audit import History
from core.fields import FreeCharField, FreeTextField, StateField
from core.predicates import perm_checker
from core.transitions import guard

from ..choices import (
    LIVE_CONTRACT_STATES,
    RENEWABLE_STATES,
    BillingPeriod,
    ContactRole,
    ContractState,
    DeadlineKind,
    DeadlineOutcome,
    DocumentKind,
    DowntimeEnd,
    ExclusionKind,
    FeeKind,
    NoticeUnit,
    RenewalDecision,
    RenewalType,
    RiskRating,
    VendorCategory,
    VendorStatus,
)
from ..dates import notice_date

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 14, "decimal_places": 2}

can_manage_vendor = perm_checker("vendors.manage_vendor")
can_manage_contract = perm_checker("vendors.manage_contract")


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
    status = StateField(default=VendorStatus.ONBOARDING, choices=VendorStatus.choices,
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

    state = StateField(default=ContractState.DRAFT, choices=ContractState.choices,
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
