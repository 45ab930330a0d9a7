"""Who may do what with vendors and contracts, declared once (``rules``; see
core/predicates.py). Services, API permissions, templates, the admin and the FSM
transitions (``permission=perm_checker(...)``) ask these names."""

import rules

from core.predicates import has_model_perm

from .choices import DocumentKind
from .visibility import MONEY_PERMISSION

sees_money = has_model_perm(MONEY_PERMISSION)

manages_vendors = has_model_perm("vendors.change_vendor")
manages_contracts = has_model_perm("vendors.change_contract")
attributes_anything = has_model_perm("vendors.add_vendorattribution")


@rules.predicate
def owns_contract(user, contract):
    return contract is not None and contract.owner_id is not None \
        and contract.owner_id == user.pk


@rules.predicate
def works_the_incident(user, incident):
    return incident is not None and user.has_perm("incidents.work_incident", incident)


@rules.predicate
def is_vendor_liaison(user, incident):
    return incident is not None and incident.vendor_liaison_id is not None \
        and incident.vendor_liaison_id == user.pk


@rules.predicate
def works_the_escalation(user, escalation):
    return escalation is not None and user.has_perm("escalations.work_escalation", escalation)


@rules.predicate
def document_readable(user, document):
    # A pricing schedule is money; other documents are read like the contract.
    if document is None:
        return True
    return document.kind != DocumentKind.PRICING or user.has_perm(MONEY_PERMISSION)


rules.add_perm("vendors.manage_vendor", manages_vendors)
rules.add_perm("vendors.manage_contract", manages_contracts)
# The renewal decision: whoever manages contracts, or the contract's own owner.
rules.add_perm("vendors.decide_renewal", manages_contracts | owns_contract)
# Naming the vendors an incident affects: people who work the incident, its vendor
# liaison, and vendor managers.
rules.add_perm("vendors.attribute_incident",
               attributes_anything | works_the_incident | is_vendor_liaison)
rules.add_perm("vendors.attribute_escalation", attributes_anything | works_the_escalation)
rules.add_perm("vendors.tag_exclusion", has_model_perm("vendors.add_downtimeexclusion"))
rules.add_perm("vendors.read_document",
               has_model_perm("vendors.view_contractdocument") & document_readable)

# Service credits are money: worked (claimed, accepted, disputed, waived) by vendor
# managers and managers; the money arriving is recorded by them or by Finance.
works_credits = has_model_perm("vendors.change_servicecredit")
rules.add_perm("vendors.work_credit", sees_money & works_credits)
rules.add_perm("vendors.record_credit_received",
               sees_money & (works_credits
                             | has_model_perm("vendors.record_received_servicecredit")))
# Objectives, schedules and measurements (entering, importing) and reconciliation
# disputes: whoever manages contracts.
rules.add_perm("vendors.manage_objective", has_model_perm("vendors.change_slaobjective"))
rules.add_perm("vendors.record_measurement", has_model_perm("vendors.add_measurement"))
rules.add_perm("vendors.dispute_measurement", sees_money & works_credits)
