"""The "why not" of each escalation action that is not a transition
(escalations/services/refusals.py): one answer, shown on the page beside a greyed-out
button and raised by the service with the same words — per role."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.choices import Role
from escalations import services
from escalations.choices import EscalationState
from escalations.models import Escalation
from tests.escalations.support import at, reload

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
WORKS = {Role.MANAGER, Role.ESCALATION_LEAD}


def page(client, escalation):
    return client.get(reverse("escalations:detail", args=[escalation.pk])).content.decode()


def withdrawn(escalation, by):
    return services.escalation_withdraw(escalation=escalation, by=by, reason="Sorted")


@pytest.mark.parametrize("role", ROLES)
def test_edit_is_refused_to_roles_that_do_not_work_escalations(make_user, open_escalation,
                                                               role):
    user = make_user(role)
    escalation = open_escalation()
    refusal = services.why_not_edit(user, escalation)
    if role in WORKS:
        assert refusal is None
        services.escalation_edit(escalation=escalation, by=user, summary="Billed three times")
        assert reload(escalation).summary == "Billed three times"
    else:
        assert refusal.forbidden and str(refusal) == "Your role cannot change escalations."
        with pytest.raises(PermissionDenied, match=str(refusal)):
            services.escalation_edit(escalation=escalation, by=user, summary="Changed")


def test_a_finished_escalation_greys_out_edit_and_offer_with_the_services_words(
        client, lead, open_escalation):
    escalation = withdrawn(open_escalation(), lead)
    refusal = services.why_not_edit(lead, escalation)
    offer = services.why_not_offer_compensation(lead, escalation)
    assert not refusal.forbidden and "withdrawn escalation cannot be changed" in str(refusal)
    client.force_login(lead)
    html = page(client, escalation)
    assert 'data-testid="edit-details-disabled"' in html
    assert f'data-testid="why-not-edit">{refusal}<' in html
    assert f'data-testid="why-not-offer-compensation">{offer}<' in html
    assert 'data-testid="edit-details"' not in html
    with pytest.raises(ValidationError) as edit:
        services.escalation_edit(escalation=escalation, by=lead, summary="Changed")
    assert edit.value.messages == [str(refusal)]
    with pytest.raises(ValidationError) as compensation:
        services.escalation_offer_compensation(escalation=escalation, by=lead, amount="10",
                                               note="Refund")
    assert compensation.value.message_dict == {"compensation": [str(offer)]}


def test_a_viewer_sees_no_disabled_buttons_at_all(client, make_user, lead, open_escalation):
    escalation = withdrawn(open_escalation(), lead)
    client.force_login(make_user(Role.VIEWER))
    html = page(client, escalation)
    assert "-disabled" not in html and 'data-testid="why-not-' not in html


def test_tier_moves_at_the_ends_of_the_ladder_say_why(client, lead, open_escalation):
    escalation = open_escalation()  # at L1
    refusal = services.why_not_deescalate_tier(lead, escalation)
    assert refusal.field == "tier" and "bottom of the ladder" in str(refusal)
    assert services.why_not_escalate_tier(lead, escalation) is None
    client.force_login(lead)
    html = page(client, escalation)
    assert f'data-testid="why-not-deescalate">{refusal}<' in html
    assert 'data-testid="tier-escalate"' in html
    response = client.post(reverse("escalations:tier", args=[escalation.pk, "deescalate"]),
                           {"deescalate-reason": "Calmer now"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and str(refusal) in response.content.decode()
    for _ in range(3):
        services.escalation_escalate_tier(escalation=escalation, by=lead, reason="Up")
    escalation = reload(escalation)
    top = services.why_not_escalate_tier(lead, escalation)
    assert "already at L4" in str(top)
    assert f'data-testid="why-not-escalate">{top}<' in page(client, escalation)


@pytest.mark.parametrize("role", ROLES)
def test_tier_moves_are_the_roles_who_work_escalations(client, make_user, open_escalation,
                                                       role):
    user = make_user(role)
    escalation = open_escalation()
    refusal = services.why_not_escalate_tier(user, escalation)
    client.force_login(user)
    html = page(client, escalation)
    if role in WORKS:
        assert refusal is None and 'data-testid="tier-escalate"' in html
    else:
        assert refusal.forbidden
        assert 'data-testid="tier-escalate' not in html
        with pytest.raises(PermissionDenied, match=str(refusal)):
            services.escalation_escalate_tier(escalation=escalation, by=user, reason="Up")


def test_a_customer_update_on_a_finished_escalation_is_refused_but_a_note_is_not(
        lead, open_escalation):
    escalation = withdrawn(open_escalation(), lead)
    assert services.why_not_add_note(lead, escalation) is None
    refusal = services.why_not_update_customer(lead, escalation)
    assert refusal.field == "customer_update"
    services.escalation_add_note(escalation=escalation, by=lead, text="Called them back")
    with pytest.raises(ValidationError) as error:
        services.escalation_add_note(escalation=escalation, by=lead, text="Update",
                                     customer_update=True)
    assert error.value.message_dict == {"customer_update": [str(refusal)]}


def test_approval_above_the_limit_is_refused_with_the_limit(lead, manager, triaged):
    services.escalation_offer_compensation(escalation=triaged, by=lead, amount="900",
                                           note="Refund of the year")
    escalation = reload(triaged)
    refusal = services.why_not_approve_compensation(lead, escalation)
    if refusal is not None:  # the demo's limits: a lead approves up to 250
        assert refusal.forbidden and "approval limit" in str(refusal)
        with pytest.raises(PermissionDenied, match="approval limit"):
            services.escalation_approve_compensation(escalation=escalation, by=lead)
    assert services.why_not_approve_compensation(manager, escalation) is None
    services.escalation_approve_compensation(escalation=escalation, by=manager)
    again = services.why_not_approve_compensation(manager, reload(escalation))
    assert again.field == "compensation" and str(again).startswith("Already approved")


def test_the_regulatory_extension_says_why_not_once_used(client, lead, open_escalation):
    from escalations.models import RegulatoryRegime

    regime = RegulatoryRegime.objects.filter(extended_days__gt=0).first()
    escalation = open_escalation(regulatory_regime=regime)
    assert services.why_not_extend_regulatory_deadline(lead, escalation) is None
    services.escalation_extend_regulatory_deadline(escalation=escalation, by=lead,
                                                   reason="Holding reply sent")
    refusal = services.why_not_extend_regulatory_deadline(lead, reload(escalation))
    assert refusal.field == "regulatory_regime" and "already extended" in str(refusal)
    with pytest.raises(ValidationError) as error:
        services.escalation_extend_regulatory_deadline(escalation=escalation, by=lead,
                                                       reason="Again")
    assert error.value.message_dict == {"regulatory_regime": [str(refusal)]}


def test_state_groups_on_the_manager_and_the_model(lead, open_escalation):
    still_open = open_escalation()
    gone = withdrawn(open_escalation(), lead)
    resolved = services.escalation_triage(escalation=open_escalation(), by=lead, at=at())
    resolved = services.escalation_resolve(escalation=resolved, by=lead, resolution="Refunded")
    assert set(Escalation.objects.open()) == {still_open}
    assert set(Escalation.objects.finished()) == {gone}
    assert reload(still_open).is_open and not reload(still_open).is_finished
    assert reload(gone).is_finished and not reload(gone).is_open
    resolved = reload(resolved)
    assert resolved.state == EscalationState.RESOLVED
    assert not resolved.is_open and not resolved.is_finished
