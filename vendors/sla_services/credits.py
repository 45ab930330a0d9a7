"""Service credits from accrual to the money: the credit transitions (claim, accept,
dispute, reclaim, receive, waive), reconciliation disputes with their evidence, and the
claim letter.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import save_with_audit
from core.hooks import announce_change
from core.transitions import lock, perform_transition
from core.why_not import require_perm

from .. import sla
from ..choices import MeasurementSource
from ..credit_rules import fmt_money, fmt_number
from ..models import Compliance, Measurement, ReconciliationDispute, ServiceCredit
from .base import _decimal

# --- Credit transitions ---------------------------------------------------------------------


def _money(value, field):
    errors = {}
    number = _decimal(value, field, minimum=Decimal(0), errors=errors)
    if not errors and number != number.quantize(Decimal("0.01")):
        errors[field] = "An amount in cents (two decimals at most)."
    if errors:
        raise ValidationError(errors)
    return number


def _credit_step(credit, name, *, by, reason, prepare=None):
    from ..credit_deadlines import schedule_credit_deadlines

    credit = lock(ServiceCredit, credit.pk)
    if prepare:
        prepare(credit)
    perform_transition(credit, name, by=by, reason=reason, at=timezone.now())
    schedule_credit_deadlines(credit)
    # Other apps follow the money (budgets books a received credit against spend).
    announce_change(credit, by=by)
    return credit


@transaction.atomic
def credit_claim(*, credit: ServiceCredit, by, amount=None, note: str = "") -> ServiceCredit:
    """Claim the credit from the vendor (the amount due, or another figure)."""
    figure = None if amount in (None, "") else _money(amount, "claimed_amount")
    late = timezone.localdate() > credit.claim_deadline
    credit = lock(ServiceCredit, credit.pk)
    from ..credit_deadlines import schedule_credit_deadlines

    perform_transition(credit, "claim", by=by, at=timezone.now(), amount=figure,
                       reason="Claimed" + (" after the claim window" if late else "")
                       + (f": {note.strip()}" if note and note.strip() else ""))
    schedule_credit_deadlines(credit)
    return credit


@transaction.atomic
def credit_accept(*, credit: ServiceCredit, by, agreed_amount=None) -> ServiceCredit:
    """The vendor accepted the claim, in full or in part (the agreed amount)."""
    figure = None if agreed_amount in (None, "") else _money(agreed_amount, "agreed_amount")

    def prepare(row):
        row.agreed_amount = row.claimed_amount if figure is None else figure

    return _credit_step(credit, "accept", by=by, prepare=prepare,
                        reason="Accepted" if figure is None else
                        f"Accepted in part: {fmt_money(figure, credit.currency)}")


@transaction.atomic
def credit_dispute(*, credit: ServiceCredit, by, reason: str) -> ServiceCredit:
    """The vendor disputes the claim: record what they say."""
    def prepare(row):
        row.dispute_reason = (reason or "").strip()

    return _credit_step(credit, "dispute", by=by, prepare=prepare,
                        reason=f"Disputed by the vendor: {(reason or '').strip()}")


@transaction.atomic
def credit_reclaim(*, credit: ServiceCredit, by, counter_amount, note: str = "") -> ServiceCredit:
    """Answer a dispute with a counter-figure: the credit is claimed again."""
    figure = _money(counter_amount, "claimed_amount")

    def prepare(row):
        row.claimed_amount = figure

    return _credit_step(credit, "reclaim", by=by, prepare=prepare,
                        reason=f"Claimed again with {fmt_money(figure, credit.currency)}"
                        + (f": {note.strip()}" if note and note.strip() else ""))


@transaction.atomic
def credit_receive(*, credit: ServiceCredit, by, amount=None, reference: str = "",
                   ) -> ServiceCredit:
    """The money arrived (a credit note or a refund): the amount and its reference."""
    figure = None if amount in (None, "") else _money(amount, "received_amount")

    def prepare(row):
        row.received_amount = row.agreed_amount if figure is None else figure
        row.received_reference = (reference or "").strip()[:120]

    return _credit_step(credit, "receive", by=by, prepare=prepare, reason="Received")


@transaction.atomic
def credit_waive(*, credit: ServiceCredit, by, reason: str) -> ServiceCredit:
    """Give the credit up, with why (relationship, goodwill, claim window missed)."""
    def prepare(row):
        row.waive_reason = (reason or "").strip()

    return _credit_step(credit, "waive", by=by, prepare=prepare,
                        reason=f"Waived: {(reason or '').strip()}")


CREDIT_ACTIONS = {"claim": credit_claim, "accept": credit_accept, "dispute": credit_dispute,
                  "reclaim": credit_reclaim, "receive": credit_receive, "waive": credit_waive}


# --- Reconciliation ---------------------------------------------------------------------------


def evidence_markdown(compliance: Compliance) -> str:
    """Our figure and what it rests on, for a dispute or a claim letter."""
    objective = compliance.objective
    own = Measurement.objects.filter(objective=objective, period_start=compliance.period_start,
                                     source=MeasurementSource.SELF).first()
    reported = Measurement.objects.filter(objective=objective,
                                          period_start=compliance.period_start,
                                          source=MeasurementSource.VENDOR).first()
    lines = [f"**{objective.name}** ({objective.target_text()}), "
             f"{sla.period_label(compliance.period_start, objective.period)}", ""]
    if own:
        lines.append(f"- Our measurement: **{fmt_number(own.value)}{objective.unit}** — "
                     f"{own.detail}")
        for outage in (own.basis or {}).get("outages", []):
            lines.append(f"  - {outage['incident']} {outage.get('title', '')}: "
                         f"{outage['start'][:16].replace('T', ' ')} → "
                         f"{outage['end'][:16].replace('T', ' ')} UTC, "
                         f"{fmt_number(Decimal(outage['minutes']))} min counted")
        worst = (own.basis or {}).get("worst_intervals", [])
        if worst:
            lines.append("  - Worst intervals: " + "; ".join(
                f"{item['start'][:16].replace('T', ' ')} UTC {fmt_number(Decimal(item['value']))} %"
                for item in worst))
        for key, value in (own.basis or {}).items():
            if key != "outages" and not isinstance(value, list | dict):
                lines.append(f"  - {key.replace('_', ' ')}: {value}")
    if reported:
        lines.append(f"- Vendor-reported: **{fmt_number(reported.value)}{objective.unit}**"
                     + (f" — {reported.detail}" if reported.detail else ""))
    if own and reported:
        lines.append(f"- Difference: {fmt_number(reported.value - own.value)}{objective.unit} "
                     f"(tolerance {fmt_number(objective.tolerance)}{objective.unit})")
    return "\n".join(lines)


@transaction.atomic
def reconciliation_dispute_open(*, compliance: Compliance, by, note: str
                                ) -> ReconciliationDispute:
    """Dispute the vendor's reported figure, with the evidence behind ours attached."""
    require_perm(by, "vendors.dispute_measurement",
             message="Your role cannot dispute vendor figures.")
    if not (note or "").strip():
        raise ValidationError({"note": "Say what you dispute."})
    if compliance.vendor_value is None or compliance.self_value is None:
        raise ValidationError({"compliance": "There is no vendor figure beside ours to "
                                             "dispute for this period."})
    dispute = ReconciliationDispute(compliance=compliance, note=note.strip(),
                                    evidence=evidence_markdown(compliance), opened_by=by,
                                    opened_at=timezone.now())
    save_with_audit(dispute, by=by, reason="Dispute opened")
    return dispute


# --- Claim letter -------------------------------------------------------------------------------


def claim_letter(credits, *, today: date | None = None) -> str:
    """A claim letter in Markdown for one or more credits of one contract: the contract,
    the periods, the figures, the evidence and the total, ready to send."""
    credits = list(credits)
    if not credits:
        raise ValidationError("Choose at least one credit.")
    contract = credits[0].contract
    if any(c.contract_id != contract.pk for c in credits):
        raise ValidationError("A claim letter covers one contract.")
    today = today or timezone.localdate()
    vendor = contract.vendor
    total = sum((c.claimed_amount if c.claimed_amount is not None else c.amount
                 for c in credits), Decimal(0))
    lines = [f"# Service credit claim — {contract.reference}", "",
             f"{today:%d %B %Y}", "", f"To: {vendor.name}", "",
             f"Contract: **{contract.reference} {contract.title}** "
             f"({contract.start_date:%d %b %Y} – {contract.end_date:%d %b %Y})", "",
             "Under the service levels of the contract, we claim the following service "
             "credits:", "",
             "| Objective | Period | Measured | Target | Credit | Claim by |",
             "|---|---|---|---|---|---|"]
    for credit in credits:
        c = credit.compliance
        objective = credit.objective
        amount = credit.claimed_amount if credit.claimed_amount is not None else credit.amount
        lines.append(f"| {objective.name} | {sla.period_label(c.period_start, objective.period)}"
                     f" | {fmt_number(c.value)}{objective.unit} | {objective.target_text()} | "
                     f"{fmt_money(amount, credit.currency)} | {credit.claim_deadline:%d %b %Y} |")
    lines += ["", f"**Total claimed: {fmt_money(total, contract.currency)}**", "",
              "## How each credit is computed", ""]
    for credit in credits:
        lines += [f"- {credit.objective.name}, "
                  f"{sla.period_label(credit.period_start, credit.objective.period)}: "
                  f"{credit.explanation}"]
    lines += ["", "## Evidence", ""]
    for credit in credits:
        lines += [evidence_markdown(credit.compliance), ""]
    payment = credits[0].objective.schedule.get_payment_display().lower()
    lines += [f"Please confirm the credit, to be applied {payment}.", ""]
    return "\n".join(lines)
