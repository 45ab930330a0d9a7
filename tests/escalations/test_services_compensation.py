"""Compensation: offered by whoever works the escalation, approved within the role's
limit, approval withdrawn when the offer changes, approvers told."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import Role
from core.models import Notification
from escalations import services
from escalations.choices import EscalationTimelineKind
from escalations.models import CompensationApprovalLimit
from tests.escalations.support import CARD, reload

pytestmark = pytest.mark.django_db


def offer(escalation, by, amount, note="Refund of the March charges"):
    return services.escalation_offer_compensation(escalation=escalation, by=by, amount=amount,
                                                  note=note)


def test_default_limits_lead_250_manager_unlimited(lead, manager, viewer, make_user):
    assert services.approval_limit(lead) == (True, Decimal("250.00"))
    assert services.approval_limit(manager) == (True, None)
    assert services.approval_limit(viewer)[0] is False
    assert services.approval_limit(make_user(Role.FINANCE))[0] is False


def test_a_lead_offers_and_approves_within_their_limit(triaged, lead):
    offer(triaged, lead, "200")
    services.escalation_approve_compensation(escalation=triaged, by=lead)
    stored = reload(triaged)
    assert (stored.compensation_offered, stored.compensation_approved) == (
        Decimal("200.00"), Decimal("200.00"))
    assert stored.compensation_approved_by == lead
    texts = list(triaged.timeline.filter(kind=EscalationTimelineKind.COMPENSATION)
                 .values_list("text", flat=True))
    assert texts == ["Compensation of EUR 200.00 offered: Refund of the March charges "
                     "(needs approval).",
                     f"Compensation of EUR 200.00 approved by {lead.get_full_name()}."]


def test_above_the_limit_the_refusal_names_it_and_a_manager_approves(triaged, lead, manager):
    offer(triaged, lead, "400")
    with pytest.raises(PermissionDenied, match="Your approval limit is EUR 250.00"):
        services.escalation_approve_compensation(escalation=triaged, by=lead)
    assert Notification.objects.filter(recipient=manager,
                                       title__contains="approve compensation of EUR 400.00")
    services.escalation_approve_compensation(escalation=triaged, by=manager)
    assert reload(triaged).compensation_approved == Decimal("400.00")
    approved = Notification.objects.get(recipient=lead, title__contains="approved")
    assert approved.body == (f"Approved by {manager.get_full_name()}: you can confirm it to "
                             f"{triaged.customer.account_reference}.")


def test_limits_are_configuration(triaged, lead):
    CompensationApprovalLimit.objects.filter(role__name=Role.ESCALATION_LEAD).update(
        limit=Decimal("500"))
    offer(triaged, lead, "400")
    services.escalation_approve_compensation(escalation=triaged, by=lead)
    assert reload(triaged).compensation_approved == Decimal("400.00")


def test_a_role_without_a_limit_row_cannot_approve_even_with_the_permission(triaged, lead):
    CompensationApprovalLimit.objects.filter(role=Group.objects.get(
        name=Role.ESCALATION_LEAD)).delete()
    offer(triaged, lead, "10")
    with pytest.raises(PermissionDenied, match="no compensation approval limit"):
        services.escalation_approve_compensation(escalation=triaged, by=lead)


def test_changing_an_approved_offer_withdraws_the_approval(triaged, lead):
    offer(triaged, lead, "100")
    services.escalation_approve_compensation(escalation=triaged, by=lead)
    offer(triaged, lead, "150", note="Refund plus a goodwill credit")
    stored = reload(triaged)
    assert stored.compensation_approved is None and stored.compensation_approved_by is None
    assert "approval withdrawn" in stored.history.first().history_change_reason


@pytest.mark.parametrize(("amount", "field"), [("0", "amount"), ("-5", "amount"),
                                               ("lots", "amount"), ("1e12", "amount")])
def test_bad_amounts_are_refused_naming_the_field(triaged, lead, amount, field):
    with pytest.raises(ValidationError) as error:
        offer(triaged, lead, amount)
    assert field in error.value.message_dict
    assert reload(triaged).compensation_offered is None


def test_an_offer_says_what_it_is_for_with_card_numbers_masked(triaged, lead):
    with pytest.raises(ValidationError) as error:
        offer(triaged, lead, "20", note=" ")
    assert "note" in error.value.message_dict
    offer(triaged, lead, "20", note=f"Refund to card {CARD}")
    assert reload(triaged).compensation_note == "Refund to card [card •••• 1111]"


def test_nothing_to_approve_and_approving_twice_are_refused(triaged, lead):
    with pytest.raises(ValidationError, match="No compensation"):
        services.escalation_approve_compensation(escalation=triaged, by=lead)
    offer(triaged, lead, "20")
    services.escalation_approve_compensation(escalation=triaged, by=lead)
    with pytest.raises(ValidationError, match="Already approved"):
        services.escalation_approve_compensation(escalation=triaged, by=lead)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INCIDENT_RESPONDER, Role.FINANCE,
                                  Role.VENDOR_MANAGER])
def test_roles_that_do_not_work_escalations_neither_offer_nor_approve(
        triaged, lead, make_user, role):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        offer(triaged, user, "20")
    offer(triaged, lead, "20")
    with pytest.raises(PermissionDenied):
        services.escalation_approve_compensation(escalation=triaged, by=user)


def test_a_withdrawn_escalation_takes_no_compensation(triaged, lead):
    services.escalation_withdraw(escalation=triaged, by=lead, reason="Sorted elsewhere")
    with pytest.raises(ValidationError, match="withdrawn"):
        offer(triaged, lead, "20")
