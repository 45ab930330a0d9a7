"""Vendor and contract use cases. Web views, API actions, admin actions, the sweep and
the demo all call these.

Each runs in a transaction, checks the permission declared in ``vendors/rules.py``,
validates, saves with an audited reason (``core.audit``) and keeps the contract's
deadline rows in step (``vendors/deadlines.py``). Transitions go through
``core.transitions.perform_transition`` (409 / 403 / 400 / 409). Money — a contract's
value and fee lines — is written only by roles that see it (``vendors/visibility.py``).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import work_items
from core.audit import audited, save_with_audit
from core.exceptions import TransitionNotAllowed
from core.hooks import announce_change
from core.references import allocate_reference
from core.transitions import allowed_transitions, lock, perform_transition
from core.validation import check_plausible
from core.why_not import require_perm

from . import timeline_events
from .choices import (
    FINISHED_CONTRACT_STATES,
    LIVE_CONTRACT_STATES,
    RENEWABLE_STATES,
    ContractState,
    DocumentKind,
    RenewalType,
)
from .dates import add_months, next_renewal
from .deadlines import schedule_deadlines
from .downtime import _refresh_sla, exclusion_add, exclusion_remove  # noqa: F401 (re-exported)
from .models import (
    Contract,
    ContractDocument,
    ContractRenewal,
    FeeLine,
    Vendor,
    VendorAttribution,
    VendorContact,
)
from .visibility import can_see_money, contract_hidden_fields

VENDOR_FIELDS = ["name", "category", "account_manager", "website", "support_portal",
                 "status_page_url", "notes"]
CONTACT_FIELDS = ["name", "role", "email", "phone", "hours", "escalation_order", "notes"]
CONTRACT_FIELDS = ["reference", "vendor", "title", "services", "start_date", "end_date",
                   "value", "billing_period", "owner", "predecessor", "renewal_type",
                   "renewal_term_months", "notice_period", "notice_unit",
                   "downtime_counts_until", "maintenance_notice_days"]
# Dates and terms whose change moves the contract's deadlines.
SCHEDULE_FIELDS = {"end_date", "notice_period", "notice_unit", "renewal_type",
                   "renewal_term_months"}
VENDOR_TRANSITIONS = {"activate": "Activated", "offboard": "Offboarding started",
                      "reactivate": "Active again", "exit": "Exited"}
DOCUMENT_EXTENSIONS = {".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".xls", ".xlsx",
                       ".ods", ".csv", ".png", ".jpg", ".jpeg", ".eml", ".msg"}


def _now(at=None):
    return at or timezone.now()


def _strip(fields):
    return {name: value.strip() if isinstance(value, str) and name != "notes" else value
            for name, value in fields.items()}


def _unknown(fields, allowed):
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})


# --- Vendors ----------------------------------------------------------------------------


@transaction.atomic
def vendor_create(*, by, **fields) -> Vendor:
    """Add a vendor (onboarding). The history says who added it."""
    require_perm(by, "vendors.add_vendor", message="Your role cannot add vendors.")
    _unknown(fields, VENDOR_FIELDS)
    vendor = Vendor(**_strip(fields))
    vendor.full_clean(exclude=["status"])
    save_with_audit(vendor, by=by, reason="Created")
    return vendor


@transaction.atomic
def vendor_update(*, vendor: Vendor, by, **fields) -> Vendor:
    """Change a vendor's details; the history reason lists the fields changed."""
    require_perm(by, "vendors.manage_vendor", vendor, "Your role cannot change vendors.")
    _unknown(fields, VENDOR_FIELDS)
    vendor = lock(Vendor, vendor.pk)
    changed = []
    for name, value in _strip(fields).items():
        if getattr(vendor, name) != value:
            setattr(vendor, name, value)
            changed.append(name)
    if changed:
        vendor.full_clean(exclude=["status"])
        save_with_audit(vendor, by=by, reason=f"Edited: {', '.join(sorted(changed))}")
    return vendor


@transaction.atomic
def vendor_transition(*, vendor: Vendor, by, name: str, reason: str = "") -> Vendor:
    """Move the vendor's status: activate, offboard, reactivate or exit (an exit needs
    its contracts ended first)."""
    vendor = lock(Vendor, vendor.pk)
    label = VENDOR_TRANSITIONS.get(name, name)
    perform_transition(vendor, name, by=by,
                       reason=f"{label}: {reason.strip()}" if reason.strip() else label)
    return vendor


@transaction.atomic
def vendor_review_risk(*, vendor: Vendor, by, rating: str, reason: str,
                       reviewed_on: date | None = None) -> Vendor:
    """Record a risk review: the rating, why, and when (today by default)."""
    require_perm(by, "vendors.manage_vendor", vendor, "Your role cannot review vendor risk.")
    if not (reason or "").strip():
        raise ValidationError({"risk_reason": "Say why the vendor has this rating."})
    reviewed_on = reviewed_on or timezone.localdate()
    if reviewed_on > timezone.localdate():
        raise ValidationError({"risk_reviewed_at": "A review cannot be in the future."})
    vendor = lock(Vendor, vendor.pk)
    vendor.risk_rating, vendor.risk_reason = rating, reason.strip()
    vendor.risk_reviewed_at, vendor.risk_reviewed_by = reviewed_on, by
    vendor.full_clean(exclude=["status"])
    save_with_audit(vendor, by=by, reason=f"Risk reviewed: {vendor.get_risk_rating_display()}")
    return vendor


@transaction.atomic
def contact_save(*, vendor: Vendor, by, contact: VendorContact | None = None,
                 **fields) -> VendorContact:
    """Add a contact to the vendor, or change one of its contacts."""
    require_perm(by, "vendors.manage_vendor", vendor, "Your role cannot change vendor contacts.")
    _unknown(fields, CONTACT_FIELDS)
    if contact is None:
        contact = VendorContact(vendor=vendor)
    elif contact.vendor_id != vendor.pk:
        raise ValidationError("That contact belongs to another vendor.")
    for name, value in _strip(fields).items():
        setattr(contact, name, value)
    if not (contact.email or contact.phone):
        raise ValidationError({"phone": "Give a phone number or an email address."})
    contact.full_clean()
    save_with_audit(contact, by=by, reason="Contact added" if contact.pk is None
                    else "Contact changed")
    return contact


@transaction.atomic
def contact_delete(*, contact: VendorContact, by) -> None:
    require_perm(by, "vendors.manage_vendor", contact.vendor,
             "Your role cannot change vendor contacts.")
    with audited(contact, by=by, reason="Contact removed"):
        contact.delete()


# --- Contracts ----------------------------------------------------------------------------


def _check_money(fields, fee_lines, by):
    hidden = contract_hidden_fields(by)
    touched = sorted((set(fields) & hidden) | ({"fee_lines"} if fee_lines is not None
                                               and "fee_lines" in hidden else set()))
    if touched:
        raise PermissionDenied(f"Your role cannot see or change: {', '.join(touched)}.")


def _validate_contract(contract, *, allocate=False):
    # Dates first: the notice date and the deadlines are computed from them.
    check_plausible(start_date=contract.start_date, end_date=contract.end_date)
    errors = {}
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        errors["end_date"] = "The end date must be on or after the start date."
    if contract.value is not None and contract.value < 0:
        errors["value"] = "A contract's value cannot be negative."
    if contract.renewal_type == RenewalType.AUTOMATIC and contract.state != ContractState.DRAFT \
            and not contract.renewal_term_months:
        errors["renewal_term_months"] = "An automatic renewal needs its term in months."
    if contract.predecessor_id and contract.predecessor_id == contract.pk:
        errors["predecessor"] = "A contract cannot succeed itself."
    if contract.predecessor_id and contract.predecessor.vendor_id != contract.vendor_id:
        errors["predecessor"] = "The predecessor must be a contract with the same vendor."
    if errors:
        raise ValidationError(errors)
    if contract.end_date:
        contract.refresh_notice_date()
    exclude = ["state", "reference"] if allocate else ["state"]
    contract.full_clean(exclude=exclude)


def _set_fee_lines(contract, fee_lines, by):
    """Replace the contract's fee lines with ``fee_lines`` (dicts)."""
    names = [(line.get("name") or "").strip() for line in fee_lines]
    errors = []
    if any(not name for name in names):
        errors.append("Every fee line needs a name.")
    if len(set(n.lower() for n in names)) != len(names):
        errors.append("Two fee lines have the same name.")
    if any(Decimal(line.get("amount") or 0) < 0 for line in fee_lines):
        errors.append("A fee cannot be negative.")
    if errors:
        raise ValidationError({"fee_lines": errors})
    for line in contract.fee_lines.all():
        with audited(line, by=by, reason="Fee lines replaced"):
            line.delete()
    for line, name in zip(fee_lines, names, strict=True):
        fee = FeeLine(contract=contract, name=name, kind=line.get("kind") or "subscription",
                      amount=line.get("amount") or Decimal("0"), notes=line.get("notes", ""))
        fee.full_clean()
        save_with_audit(fee, by=by, reason="Fee line set")


@transaction.atomic
def contract_create(*, by, vendor: Vendor, title: str, start_date: date, end_date: date,
                    reference: str = "", fee_lines=None, **fields) -> Contract:
    """Add a contract as a draft. Without a reference it gets the next CTR-<year>-NNNN."""
    require_perm(by, "vendors.add_contract", message="Your role cannot add contracts.")
    _unknown(fields, CONTRACT_FIELDS)
    _check_money(fields, fee_lines, by)
    reference = (reference or "").strip()
    contract = Contract(vendor=vendor, title=(title or "").strip(), start_date=start_date,
                        end_date=end_date, reference=reference, created_by=by,
                        **_strip(fields))
    _validate_contract(contract, allocate=not reference)
    if not reference:
        # Numbered last, once the row is known to be valid (a refusal uses no number).
        contract.reference = allocate_reference(Contract.objects, prefix="CTR",
                                                year=timezone.now().year)
    save_with_audit(contract, by=by, reason="Created")
    if fee_lines:
        _set_fee_lines(contract, fee_lines, by)
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, by, fee_lines=None, **fields) -> Contract:
    """Change a contract's terms. A changed end date or notice period moves its notice
    date and its deadlines; an ended contract is a record and cannot change."""
    require_perm(by, "vendors.manage_contract", contract, "Your role cannot change contracts.")
    _unknown(fields, CONTRACT_FIELDS)
    _check_money(fields, fee_lines, by)
    contract = lock(Contract, contract.pk)
    if contract.state in FINISHED_CONTRACT_STATES:
        raise ValidationError(f"{contract.reference} has {contract.state}: it is a record now.")
    changed = []
    for name, value in _strip(fields).items():
        current = getattr(contract, name)
        if name == "reference" and not value:
            continue  # keep the reference it has
        if current != value:
            setattr(contract, name, value)
            changed.append(name)
    if "vendor" in changed and contract.state != ContractState.DRAFT:
        raise ValidationError({"vendor": "A running contract stays with its vendor."})
    if "end_date" in changed:
        # Set by hand: later automatic renewals count their terms from the new date.
        contract.renewal_anchor, contract.renewal_months_total = None, 0
    if changed:
        _validate_contract(contract)
        save_with_audit(contract, by=by, reason=f"Edited: {', '.join(sorted(changed))}")
    if fee_lines is not None:
        _set_fee_lines(contract, fee_lines, by)
    if SCHEDULE_FIELDS & set(changed):
        schedule_deadlines(contract)
    return contract


@transaction.atomic
def contract_delete_draft(*, contract: Contract, by) -> None:
    """Delete a draft entered by mistake; a contract that ran is a record."""
    require_perm(by, "vendors.delete_contract", message="Your role cannot delete contracts.")
    contract = lock(Contract, contract.pk)
    if contract.state != ContractState.DRAFT:
        raise TransitionNotAllowed(transition="delete", current_state=contract.state,
                                   allowed=allowed_transitions(contract, by))
    for line in contract.fee_lines.all():
        with audited(line, by=by, reason="Draft deleted"):
            line.delete()
    with audited(contract, by=by, reason="Draft deleted"):
        contract.delete()


def _contract_transition(contract, name, *, by, reason):
    perform_transition(contract, name, by=by, reason=reason)
    schedule_deadlines(contract)
    return contract


@transaction.atomic
def contract_activate(*, contract: Contract, by) -> Contract:
    """Draft → active: it needs an owner, dates in order and (automatic) a term. Its
    warnings, notice date and end date are scheduled."""
    contract = lock(Contract, contract.pk)
    return _contract_transition(contract, "activate", by=by, reason="Activated")


@transaction.atomic
def contract_give_notice(*, contract: Contract, by, given_on: date | None, note: str = "",
                         ) -> Contract:
    """Notice of non-renewal was given to the vendor on ``given_on``: the contract
    ends on its end date."""
    check_plausible(notice_given_on=given_on)
    contract = lock(Contract, contract.pk)
    if given_on is not None and given_on > timezone.localdate():
        raise ValidationError({"notice_given_on": "Notice cannot be given in the future."})
    contract.notice_given_on, contract.notice_note = given_on, (note or "").strip()
    late = given_on is not None and given_on > contract.notice_date
    reason = "Notice given" + (f" (late: the notice date was {contract.notice_date})"
                               if late else "")
    return _contract_transition(contract, "give_notice", by=by, reason=reason)


@transaction.atomic
def contract_renew(*, contract: Contract, by, new_end_date: date | None = None,
                   note: str = "", automatic: bool = False, at: datetime | None = None,
                   ) -> Contract:
    """Renew for another term: by hand (explicit renewal, an end date or one term), or
    by the sweep on the end date of an automatic contract. Recorded as a renewal."""
    at = _now(at)
    contract = lock(Contract, contract.pk)
    if contract.state not in RENEWABLE_STATES:
        # The state comes first (409), as in every transition, before the dates (400).
        raise TransitionNotAllowed(transition="renew", current_state=contract.state,
                                   allowed=allowed_transitions(contract, by))
    check_plausible(new_end_date=new_end_date)
    previous_end = contract.end_date
    if new_end_date is None:
        if not contract.renewal_term_months:
            raise ValidationError({"new_end_date": "Give the new end date (the contract has "
                                                   "no renewal term)."})
        new_end_date, anchor, months = next_renewal(
            end_date=previous_end, anchor=contract.renewal_anchor,
            months_so_far=contract.renewal_months_total, term_months=contract.renewal_term_months)
    else:
        if new_end_date <= previous_end:
            raise ValidationError({"new_end_date": "The new end date must be after the "
                                                   f"current one ({previous_end})."})
        anchor, months = None, 0  # a date set by hand starts a new count
    decision = contract.decision
    how = "Automatic renewal" if automatic else "Renewed"
    perform_transition(contract, "renew", by=by, reason=f"{how}: {previous_end} → {new_end_date}",
                       new_end_date=new_end_date, anchor=anchor, months_total=months)
    renewal = ContractRenewal(contract=contract, renewed_at=at, renewed_by=by,
                              automatic=automatic, previous_end_date=previous_end,
                              new_end_date=new_end_date, decision=decision,
                              note=(note or "").strip())
    save_with_audit(renewal, by=by, reason=how)
    schedule_deadlines(contract)
    return contract


@transaction.atomic
def contract_expire(*, contract: Contract, by, at: datetime | None = None) -> Contract:
    """A running contract past its end date (not renewed) expires."""
    at = _now(at)
    contract = lock(Contract, contract.pk)
    if contract.state in LIVE_CONTRACT_STATES and \
            timezone.localtime(at).date() <= contract.end_date:
        raise ValidationError({"end_date": f"{contract.reference} runs until "
                                           f"{contract.end_date}; it has not expired."})
    return _contract_transition(contract, "expire", by=by,
                                reason=f"Expired after its end date {contract.end_date}")


@transaction.atomic
def contract_terminate(*, contract: Contract, by, terminated_on: date | None, reason: str,
                       ) -> Contract:
    """End the contract early (breach, insolvency, agreement): a reason and a date."""
    check_plausible(terminated_on=terminated_on)
    contract = lock(Contract, contract.pk)
    contract.terminated_on, contract.termination_reason = terminated_on, (reason or "").strip()
    return _contract_transition(contract, "terminate", by=by,
                                reason=f"Terminated: {contract.termination_reason}")


@transaction.atomic
def contract_decide(*, contract: Contract, by, decision: str, reason: str,
                    at: datetime | None = None) -> Contract:
    """Record the renewal decision (renew, renegotiate or exit) and why, for the
    current term. Due before the notice date; a later one is kept and shown late."""
    at = _now(at)
    require_perm(by, "vendors.decide_renewal", contract,
             "Only the contract's owner or a vendor manager decides its renewal.")
    if not (reason or "").strip():
        raise ValidationError({"decision_reason": "Say why."})
    if not decision:
        raise ValidationError({"decision": "Choose renew, renegotiate or exit."})
    contract = lock(Contract, contract.pk)
    if contract.state not in RENEWABLE_STATES:
        raise ValidationError(f"{contract.reference} is {contract.get_state_display().lower()}: "
                              "there is no renewal to decide.")
    contract.decision, contract.decision_reason = decision, reason.strip()
    contract.decided_by, contract.decided_at = by, at
    contract.full_clean(exclude=["state"])
    late = timezone.localtime(at).date() > contract.notice_date
    save_with_audit(contract, by=by, reason=f"Renewal decision: {contract.get_decision_display()}"
                    + (" (after the notice date)" if late else ""))
    return contract


@transaction.atomic
def contract_draft_successor(*, contract: Contract, by) -> Contract:
    """A draft that renews or replaces ``contract`` (renegotiation): the same vendor and
    terms, starting the day after it ends, with ``contract`` as its predecessor."""
    require_perm(by, "vendors.add_contract", message="Your role cannot add contracts.")
    start = contract.end_date + timedelta(days=1)
    # As long as the contract it follows, in whole months (a year if shorter than one).
    months = ((start.year - contract.start_date.year) * 12
              + start.month - contract.start_date.month) or 12
    money = can_see_money(by)
    successor = contract_create(
        by=by, vendor=contract.vendor, title=contract.title, start_date=start,
        end_date=add_months(start, months) - timedelta(days=1), services=contract.services,
        billing_period=contract.billing_period, owner=contract.owner, predecessor=contract,
        renewal_type=contract.renewal_type, renewal_term_months=contract.renewal_term_months,
        notice_period=contract.notice_period, notice_unit=contract.notice_unit,
        downtime_counts_until=contract.downtime_counts_until,
        maintenance_notice_days=contract.maintenance_notice_days,
        **({"value": contract.value} if money else {}),
        fee_lines=[{"name": f.name, "kind": f.kind, "amount": f.amount, "notes": f.notes}
                   for f in contract.fee_lines.all()] if money else None)
    return successor


# --- Documents --------------------------------------------------------------------------


def _check_upload(upload, kind, by):
    limit = settings.VENDOR_DOCUMENT_MAX_MB * 1024 * 1024
    if upload is None:
        raise ValidationError({"file": "Choose the file to upload."})
    if upload.size > limit:
        raise ValidationError({"file": f"The file is {upload.size / 1024 / 1024:.1f} MB; "
                                       f"the limit is {settings.VENDOR_DOCUMENT_MAX_MB} MB."})
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in DOCUMENT_EXTENSIONS:
        allowed = ", ".join(sorted(DOCUMENT_EXTENSIONS))
        raise ValidationError({"file": f"{suffix or 'Files without an extension'} cannot be "
                                       f"uploaded here; allowed: {allowed}."})
    if kind == DocumentKind.PRICING and not can_see_money(by):
        raise PermissionDenied("Your role cannot see pricing schedules.")


@transaction.atomic
def document_upload(*, contract: Contract, by, file, title: str = "",
                    kind: str = DocumentKind.CONTRACT, at=None) -> ContractDocument:
    """Attach a document (signed contract, SLA schedule, pricing, notice letter…)."""
    require_perm(by, "vendors.add_contractdocument", message="Your role cannot upload documents.")
    _check_upload(file, kind, by)
    document = ContractDocument(contract=contract, kind=kind, uploaded_by=by,
                                uploaded_at=_now(at), size=file.size,
                                title=(title or "").strip() or PurePath(file.name).stem[:200])
    document.full_clean(exclude=["file"])
    # The file is written last, once everything else is known to be valid.
    document.file.save(PurePath(file.name).name, file, save=False)
    save_with_audit(document, by=by, reason=f"Document uploaded: {document.title}")
    return document


@transaction.atomic
def document_delete(*, document: ContractDocument, by) -> None:
    require_perm(by, "vendors.delete_contractdocument",
             message="Your role cannot remove documents.")
    stored = document.file.name
    with audited(document, by=by, reason=f"Document removed: {document.title}"):
        document.delete()
    # The file goes only once the row's removal has committed.
    transaction.on_commit(lambda: ContractDocument.file.field.storage.delete(stored))


# --- Attribution ----------------------------------------------------------------------------


def _target(incident, escalation):
    if (incident is None) == (escalation is None):
        raise ValidationError("Attribute the vendor to an incident or to an escalation.")
    if incident is not None:
        return incident, "vendors.attribute_incident"
    return escalation, "vendors.attribute_escalation"


def may_attribute(user, target) -> bool:
    perm = ("vendors.attribute_incident" if target._meta.label_lower == "incidents.incident"
            else "vendors.attribute_escalation")
    return user.has_perm(perm, target)


@transaction.atomic
def attribution_add(*, vendor: Vendor, by, incident=None, escalation=None,
                    contract: Contract | None = None, reason: str = "",
                    at=None) -> VendorAttribution:
    """Name ``vendor`` as affected by (or the cause of) an incident or escalation."""
    target, perm = _target(incident, escalation)
    # Re-read: the permission depends on the item's roles now (its vendor liaison).
    target = type(target)._default_manager.get(pk=target.pk)
    incident, escalation = (target, None) if incident is not None else (None, target)
    require_perm(by, perm, target, "Your role cannot name vendors on this "
             f"{target._meta.verbose_name}.")
    if contract is not None and contract.vendor_id != vendor.pk:
        raise ValidationError({"contract": f"{contract.reference} is not a contract with "
                                           f"{vendor.name}."})
    attribution = VendorAttribution(vendor=vendor, contract=contract, incident=incident,
                                    escalation=escalation, reason=(reason or "").strip(),
                                    added_by=by, added_at=_now(at))
    try:
        with transaction.atomic():
            save_with_audit(attribution, by=by, reason="Vendor attributed")
    except IntegrityError as exc:
        raise ValidationError({"vendor": f"{vendor.name} is already named on "
                                         f"{target.reference}."}) from exc
    work_items.timeline_add(target, "link", event=timeline_events.VENDOR_NAMED, params={
        "vendor_id": vendor.pk, "vendor": vendor.name,
        "contract": contract.reference if contract else None,
        "reason": attribution.reason or None}, by=by, at=attribution.added_at)
    if incident is not None:
        _refresh_sla(vendor.pk, incident.declared_at, by)
    # Playbook attach rules may match on vendors (vendors/playbook_rules.py).
    announce_change(target, by=by, at=attribution.added_at)
    return attribution


@transaction.atomic
def attribution_remove(*, attribution: VendorAttribution, by, at=None) -> None:
    target = attribution.incident or attribution.escalation
    _, perm = _target(attribution.incident, attribution.escalation)
    require_perm(by, perm, target, "Your role cannot change the vendors named here.")
    with audited(attribution, by=by, reason="Vendor attribution removed"):
        attribution.delete()
    work_items.timeline_add(target, "link", event=timeline_events.VENDOR_UNNAMED,
                            params={"vendor_id": attribution.vendor_id,
                                    "vendor": attribution.vendor.name}, by=by, at=_now(at))
    if attribution.incident_id:
        _refresh_sla(attribution.vendor_id, attribution.incident.declared_at, by)
    announce_change(target, by=by)


def attribute_at_declaration(incident, data, by):
    """The "Affected vendors" field of declaring an incident (a FormExtension)."""
    for vendor in data.get("affected_vendors") or ():
        attribution_add(vendor=vendor, incident=incident, by=by, at=incident.declared_at,
                        reason="Named when the incident was declared")
