"""Escalation pages beyond the transitions: the new queue filters, editing, notes,
compensation, the regulatory panel, applying a policy version, incident links (from
both pages), and the dashboard's burst suggestion — each with who may see and do it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core.choices import Role
from escalations import services
from escalations.choices import EscalationTimelineKind
from escalations.models import EscalationIncidentLink, RegulatoryRegime
from incidents import services as incident_services
from incidents.models import Channel
from tests.escalations.support import reload

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]


def action(escalation, name):
    return reverse("escalations:action", args=[escalation.pk, name])


def html(response):
    return response.content.decode()


@pytest.fixture
def escalation(open_escalation):
    return open_escalation()


@pytest.fixture
def chat():
    return Channel.objects.get(key="chat")


@pytest.fixture
def incident(manager, chat):
    return incident_services.incident_declare(by=manager, title="Chat widget down",
                                              channels=[chat])


# --- Queue -----------------------------------------------------------------------------


def test_queue_filters_by_customer_tier_owner_channel_regulator_and_breach(
        client, lead, manager, customer, open_escalation, chat):
    standard = services.customer_create(by=manager, name="Sam", account_reference="ACC-1",
                                        tier="standard")
    vip = open_escalation(channel=chat, summary="VIP on chat")  # customer is VIP
    other = services.escalation_create(by=lead, customer=standard, category="billing",
                                       priority="P3", summary="Standard by email", owner=manager)
    regulated = open_escalation(summary="Under a regulator",
                                regulatory_regime=RegulatoryRegime.objects.get(
                                    code="uk-fca-disp"))
    late = open_escalation(summary="Long overdue", at=vip.created_at - timedelta(days=30))
    client.force_login(lead)
    for params, shown, hidden in [
        ({"customer_tier": "vip"}, vip, other),
        ({"owner": manager.pk}, other, vip),
        ({"channel": "chat"}, vip, other),
        ({"regulatory": "on"}, regulated, vip),
        ({"breached": "on"}, late, other),
    ]:
        page = html(client.get(reverse("escalations:index"), params))
        assert shown.reference in page, params
        assert hidden.reference not in page, params


def test_queue_shows_the_regulator_and_links_my_escalations(client, lead, open_escalation):
    open_escalation(regulatory_regime=RegulatoryRegime.objects.get(code="uk-fca-psd"))
    client.force_login(lead)
    page = html(client.get(reverse("escalations:index")))
    assert "regulator: 15 business days (35 with an extension)" in page
    assert 'data-testid="my-escalations"' in page


# --- Edit and notes -----------------------------------------------------------------------


def test_edit_details_through_the_page(client, lead, escalation):
    client.force_login(lead)
    response = client.post(action(escalation, "edit"), {
        "summary": "Billed twice in March", "description": "", "requested_outcome": "",
        "priority": "P1", "category": "billing", "owner": lead.pk, "regulatory_regime": ""})
    assert response.status_code == 302
    stored = reload(escalation)
    assert (stored.summary, stored.priority, stored.category) == (
        "Billed twice in March", "P1", "billing")


def test_a_refused_edit_is_shown_next_to_the_field_with_htmx(client, lead, triaged):
    client.force_login(lead)
    response = client.post(action(triaged, "edit"), {
        "summary": triaged.summary, "priority": "", "category": "complaint",
        "owner": lead.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "A triaged escalation needs its priority" in html(response)


def test_customer_update_from_the_page(client, lead, triaged):
    client.force_login(lead)
    response = client.post(action(triaged, "note"), {"text": "Called the customer",
                                                     "customer_update": "on"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert triaged.timeline.filter(kind=EscalationTimelineKind.CUSTOMER_UPDATE).exists()
    assert "Called the customer" in html(response)


def test_an_empty_note_is_refused_next_to_the_field(client, lead, triaged):
    client.force_login(lead)
    response = client.post(action(triaged, "note"), {"text": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "Write the note." in html(response)


# --- Compensation ----------------------------------------------------------------------------


def test_offer_then_a_manager_approves_above_the_leads_limit(client, lead, manager, triaged):
    client.force_login(lead)
    client.post(action(triaged, "compensation"), {"amount": "400", "note": "Refund"})
    page = html(client.get(triaged.get_absolute_url()))
    assert "EUR 400.00</strong> offered" in page
    assert 'data-testid="approve-compensation"' not in page  # above the lead's limit
    refused = client.post(action(triaged, "approve-compensation"), HTTP_HX_REQUEST="true")
    assert refused.status_code == 403 and "Your approval limit is EUR 250.00" in html(refused)
    client.force_login(manager)
    assert 'data-testid="approve-compensation"' in html(client.get(triaged.get_absolute_url()))
    client.post(action(triaged, "approve-compensation"))
    assert reload(triaged).compensation_approved_by == manager


@pytest.mark.parametrize(("role", "sees", "offers"), [
    (Role.MANAGER, True, True), (Role.ESCALATION_LEAD, True, True),
    (Role.FINANCE, True, False), (Role.VENDOR_MANAGER, True, False),
    (Role.INCIDENT_RESPONDER, False, False), (Role.VIEWER, False, False)])
def test_who_sees_and_offers_compensation_on_the_page(client, make_user, lead, triaged, role,
                                                      sees, offers):
    services.escalation_offer_compensation(escalation=triaged, by=lead, amount="30",
                                           note="Goodwill gesture")
    client.force_login(make_user(role))
    page = html(client.get(triaged.get_absolute_url()))
    assert ("Goodwill gesture" in page) is sees
    assert ('data-testid="offer-compensation"' in page) is offers


# --- Regulatory and policy --------------------------------------------------------------------


def test_the_regulatory_panel_shows_the_deadline_and_extends_it(client, lead, open_escalation):
    psd = RegulatoryRegime.objects.get(code="uk-fca-psd")
    escalation = open_escalation(regulatory_regime=psd)
    client.force_login(lead)
    page = html(client.get(escalation.get_absolute_url()))
    assert 'data-testid="regulatory-deadline"' in page and "(example)" in page
    assert "Extend to 35 business days" in page
    refused = client.post(action(escalation, "extend"), {"reason": ""},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "Give a reason." in html(refused)
    client.post(action(escalation, "extend"), {"reason": "Holding reply sent"})
    page = html(client.get(escalation.get_absolute_url()))
    assert "Holding reply sent" in page and "Extend to 35" not in page


def test_a_manager_sees_a_newer_policy_version_and_applies_it(client, lead, manager, triaged,
                                                             policy):
    policy.resolution = timedelta(hours=8)
    services.policy_save(policy=policy, by=manager)
    client.force_login(lead)
    page = html(client.get(triaged.get_absolute_url()))
    assert 'data-testid="policy-outdated"' in page and 'data-testid="apply-policy"' not in page
    client.force_login(manager)
    assert 'data-testid="apply-policy"' in html(client.get(triaged.get_absolute_url()))
    client.post(action(triaged, "apply-policy"), {"reason": "New charter"})
    assert reload(triaged).policy_version == 2


# --- Links ----------------------------------------------------------------------------------


def test_link_an_incident_from_the_escalation_and_see_its_live_state(client, lead, escalation,
                                                                     incident, manager):
    client.force_login(lead)
    refused = client.post(action(escalation, "link"), {"incident": "INC-1999-0001"},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "No incident INC-1999-0001" in html(refused)
    client.post(action(escalation, "link"), {"incident": incident.reference.lower()})
    page = html(client.get(escalation.get_absolute_url()))
    assert incident.reference in page and 'data-testid="linked-incident-state"' in page
    client.post(reverse("escalations:unlink", args=[escalation.pk, incident.pk]))
    assert not EscalationIncidentLink.objects.exists()


def test_the_incident_page_suggests_and_links_many_escalations(
        client, make_user, incident, open_escalation, chat):
    on_chat = [open_escalation(channel=chat, summary=f"Chat broken {n}", at=None)
               for n in range(3)]
    elsewhere = open_escalation(summary="Billing by letter", at=None)
    responder = make_user(Role.INCIDENT_RESPONDER)
    client.force_login(responder)
    page = html(client.get(incident.get_absolute_url()))
    for escalation in on_chat:
        assert escalation.reference in page
    assert elsewhere.reference not in page  # not on the incident's channels
    searched = html(client.get(incident.get_absolute_url(), {"link_q": "letter"}))
    assert elsewhere.reference in searched
    response = client.post(reverse("escalations:incident-link", args=[incident.pk]),
                           {"escalations": [e.pk for e in on_chat]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert html(response).count('data-testid="linked-escalation"') == 3
    assert set(incident.escalations.all()) == set(on_chat)


def test_linking_nothing_is_refused_on_the_incident_page(client, manager, incident):
    client.force_login(manager)
    response = client.post(reverse("escalations:incident-link", args=[incident.pk]), {},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Choose at least one escalation" in html(response)


@pytest.mark.parametrize(("role", "card", "links"), [
    (Role.MANAGER, True, True), (Role.INCIDENT_RESPONDER, True, True),
    (Role.ESCALATION_LEAD, True, True), (Role.VENDOR_MANAGER, True, False),
    (Role.FINANCE, True, False), (Role.VIEWER, True, False)])
def test_who_sees_and_links_escalations_on_the_incident_page(
        client, make_user, incident, escalation, role, card, links):
    client.force_login(make_user(role))
    page = html(client.get(incident.get_absolute_url()))
    assert ('id="escalations"' in page) is card
    assert ('data-testid="link-escalations"' in page) is links
    response = client.post(reverse("escalations:incident-link", args=[incident.pk]),
                           {"escalations": [escalation.pk]})
    assert (response.status_code in (302, 200)) is links
    assert EscalationIncidentLink.objects.exists() is links


# --- Dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_suggests_an_incident_for_a_burst(client, make_user, open_escalation,
                                                        chat, settings):
    settings.ESCALATION_BURST_THRESHOLD = 3
    for n in range(3):
        open_escalation(channel=chat, category="technical", summary=f"Chat broken {n}",
                        at=None)
    responder = make_user(Role.INCIDENT_RESPONDER)
    client.force_login(responder)
    page = html(client.get(reverse("home")))
    assert "3 technical escalations</strong>" not in page  # the wording has the channel
    assert "3 technical escalations from Chat" in page
    declare = reverse("incidents:declare")
    assert f'{declare}?title=Technical%20escalations%20spiking%20on%20Chat' in page
    form = client.get(declare, {"title": "Technical escalations spiking", "channel": "chat"})
    assert form.context["form"].initial["channels"] == [chat]
    client.force_login(make_user(Role.VIEWER))
    assert 'data-testid="burst-declare"' not in html(client.get(reverse("home")))
