"""Service credits: what a missed SLA earns, claimed, agreed, received or waived, with
its lifecycle declared once here, and the claim-window deadlines swept by
``core.due_rows.sweep_due`` (``vendors/credit_deadlines.py``).
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMModelMixin, transition

from core.audit import History
from core.fields import FreeCharField, FreeTextField, StateField
from core.predicates import perm_checker
from core.transitions import guard

from ..choices import OPEN_CREDIT_STATES, CreditDeadlineOutcome, CreditState
from .contracts import MONEY, Contract, Vendor
from .sla import Compliance, SlaObjective

can_work_credit = perm_checker("vendors.work_credit")
can_record_received = perm_checker("vendors.record_credit_received")

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
    state = StateField(default=CreditState.ACCRUED, choices=CreditState.choices, protected=True)
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
