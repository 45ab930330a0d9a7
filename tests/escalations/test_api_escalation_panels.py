"""The escalation API beyond the transitions: edits, notes, compensation, regulatory
regimes and deadlines, applying a policy version, links to incidents — each with its
bad input and its permission matrix."""

from datetime import timedelta
from decimal import Decimal

import pytest

from core.choices import Role
from escalations import services
from escalations.clock_kinds import REGULATORY_CLOCK, RESOLUTION_CLOCK
from escalations.models import EscalationSlaPolicy, RegulatoryRegime
from incidents import services as incident_services
from tests.escalations.support import clock_map

pytestmark = pytest.mark.django_db

BASE = "/api/escalations/"
ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]


def url(escalation, action=None):
    return f"{BASE}{escalation.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def escalation(open_escalation):
    return open_escalation()



@pytest.fixture
def incident(manager):
    return incident_services.incident_declare(by=manager, title="Chat widget down")


# --- Edit and notes -------------------------------------------------------------------


def test_patch_edits_fields_and_masks_cards(api_as, lead, escalation):
    response = api_as(lead).patch(url(escalation), {
        "summary": "Billed twice in March", "description": "Card 4111 1111 1111 1111"},
        format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["summary"] == "Billed twice in March"
    assert body["description"] == "Card [card •••• 1111]"


def test_patch_refuses_clearing_what_triage_needs_naming_the_field(api_as, lead, triaged):
    response = api_as(lead).patch(url(triaged), {"owner": None}, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()["errors"]


def test_patch_with_a_bad_choice_names_it(api_as, lead, escalation):
    response = api_as(lead).patch(url(escalation), {"priority": "P9"}, format="json")
    assert response.status_code == 400 and "priority" in response.json()["errors"]


def test_notes_and_customer_updates(api_as, lead, triaged):
    client = api_as(lead)
    note = client.post(url(triaged, "notes"), {"text": "Asked billing"}, format="json")
    assert note.status_code == 201 and note.json()["kind"] == "note"
    update = client.post(url(triaged, "notes"), {"text": "Called back",
                                                  "customer_update": True}, format="json")
    assert update.status_code == 201 and update.json()["kind"] == "customer_update"
    empty = client.post(url(triaged, "notes"), {"text": " "}, format="json")
    assert empty.status_code == 400 and "text" in empty.json()["errors"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_edit_and_add_notes(as_role, escalation, role):
    client = as_role(role)
    works = role in (Role.MANAGER, Role.ESCALATION_LEAD)
    edit = client.patch(url(escalation), {"summary": "Changed"}, format="json")
    assert edit.status_code == (200 if works else 403)
    note = client.post(url(escalation, "notes"), {"text": "Hello"}, format="json")
    assert note.status_code == (201 if works else 403)


# --- Compensation ------------------------------------------------------------------------


def test_a_lead_offers_and_approves_within_the_limit_and_is_refused_above(
        api_as, lead, manager, triaged):
    client = api_as(lead)
    offered = client.post(url(triaged, "offer-compensation"),
                          {"amount": "400.00", "note": "Refund of March"}, format="json")
    assert offered.status_code == 200, offered.json()
    assert offered.json()["compensation_offered"] == "400.00"
    refused = client.post(url(triaged, "approve-compensation"))
    assert refused.status_code == 403
    assert "Your approval limit is EUR 250.00" in refused.json()["detail"]
    approved = api_as(manager).post(url(triaged, "approve-compensation"))
    assert approved.status_code == 200
    assert approved.json()["compensation_approved"] == "400.00"
    assert approved.json()["compensation_approved_by"]["username"] == manager.username


def test_bad_compensation_input_names_the_field(api_as, lead, triaged):
    client = api_as(lead)
    for body, field in (({"amount": "-1", "note": "x"}, "amount"),
                        ({"amount": "abc", "note": "x"}, "amount"),
                        ({"amount": "10"}, "note"),
                        ({"amount": "10", "note": ""}, "note")):
        response = client.post(url(triaged, "offer-compensation"), body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["errors"], body


@pytest.mark.parametrize(("role", "sees"), [
    (Role.MANAGER, True), (Role.ESCALATION_LEAD, True), (Role.FINANCE, True),
    (Role.VENDOR_MANAGER, True), (Role.INCIDENT_RESPONDER, False), (Role.VIEWER, False)])
def test_who_sees_compensation(as_role, lead, triaged, role, sees):
    services.escalation_offer_compensation(escalation=triaged, by=lead, amount="50",
                                           note="Goodwill")
    body = as_role(role).get(url(triaged)).json()
    assert ("compensation_offered" in body) is sees
    assert ("compensation_approved_by" in body) is sees


@pytest.mark.parametrize(("role", "offer", "approve"), [
    (Role.MANAGER, 200, 200), (Role.ESCALATION_LEAD, 200, 200),
    (Role.INCIDENT_RESPONDER, 403, 403), (Role.VENDOR_MANAGER, 403, 403),
    (Role.FINANCE, 403, 403), (Role.VIEWER, 403, 403)])
def test_who_offers_and_approves_compensation(as_role, lead, triaged, role, offer, approve):
    client = as_role(role)
    response = client.post(url(triaged, "offer-compensation"),
                           {"amount": "20", "note": "Goodwill"}, format="json")
    assert response.status_code == offer
    if offer != 200:
        services.escalation_offer_compensation(escalation=triaged, by=lead, amount="20",
                                               note="Goodwill")
    assert client.post(url(triaged, "approve-compensation")).status_code == approve


# --- Regulatory ----------------------------------------------------------------------------


@pytest.fixture
def psd():
    return RegulatoryRegime.objects.get(code="eu-psd2-art101")


def test_create_under_a_regime_gives_its_deadline(api_as, lead, customer, psd, policy):
    response = api_as(lead).post(BASE, {
        "customer": customer.pk, "category": "regulatory", "priority": "P2",
        "summary": "Payment complaint", "regulatory_regime": "eu-psd2-art101"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["regulatory_regime"]["code"] == "eu-psd2-art101"
    assert body["regulatory_regime"]["is_example"] is True
    assert body["regulatory_deadline"] is not None
    assert REGULATORY_CLOCK in {clock["kind"] for clock in body["clocks"]}


def test_an_unknown_regime_is_a_400_naming_it(api_as, lead, customer):
    response = api_as(lead).post(BASE, {"customer": customer.pk, "summary": "x",
                                        "regulatory_regime": "nowhere"}, format="json")
    assert response.status_code == 400 and "regulatory_regime" in response.json()["errors"]


def test_extend_the_regulatory_deadline(api_as, lead, open_escalation, psd):
    escalation = open_escalation(regulatory_regime=psd)
    before = clock_map(escalation)[REGULATORY_CLOCK].due_at
    response = api_as(lead).post(url(escalation, "extend-regulatory-deadline"),
                                 {"reason": "Holding reply sent"}, format="json")
    assert response.status_code == 200, response.json()
    assert clock_map(escalation)[REGULATORY_CLOCK].due_at > before
    again = api_as(lead).post(url(escalation, "extend-regulatory-deadline"),
                              {"reason": "Again"}, format="json")
    assert again.status_code == 400 and "regulatory_regime" in again.json()["errors"]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_who_reads_escalations_reads_regimes_and_managers_add_them(as_role, role):
    client = as_role(role)
    listed = client.get("/api/regulatory-regimes/")
    assert listed.status_code == 200 and listed.json()["count"] >= 5
    created = client.post("/api/regulatory-regimes/", {
        "code": "nl-test", "name": "Test", "final_response_days": 10,
        "counting": "business_days"}, format="json")
    assert created.status_code == (201 if role == Role.MANAGER else 403)


def test_a_regime_whose_extension_is_shorter_is_refused(api_as, manager):
    response = api_as(manager).post("/api/regulatory-regimes/", {
        "code": "x", "name": "X", "final_response_days": 15, "extended_days": 10},
        format="json")
    assert response.status_code == 400 and "extended_days" in response.json()["errors"]


# --- Policy versions ----------------------------------------------------------------------


def test_editing_a_policy_versions_it_and_a_manager_applies_it(api_as, manager, lead, triaged,
                                                              policy):
    client = api_as(manager)
    edited = client.patch(f"/api/escalation-policies/{policy.pk}/", {"resolution": "08:00:00"},
                          format="json")
    assert edited.status_code == 200 and edited.json()["version"] == 2
    body = client.get(url(triaged)).json()
    assert (body["policy_version"], body["policy_current_version"]) == (1, 2)
    assert clock_map(triaged)[RESOLUTION_CLOCK].target == timedelta(days=2)
    refused = api_as(lead).post(url(triaged, "apply-policy"), {"reason": "x"}, format="json")
    assert refused.status_code == 403
    applied = api_as(manager).post(url(triaged, "apply-policy"), {"reason": "New charter"},
                                   format="json")
    assert applied.status_code == 200 and applied.json()["policy_version"] == 2
    assert clock_map(triaged)[RESOLUTION_CLOCK].target == timedelta(hours=8)


def test_policies_take_a_regime_and_per_target_calendars(api_as, manager, office, psd):
    response = api_as(manager).post("/api/escalation-policies/", {
        "name": "Payments", "order": 3, "regulatory_regime": psd.pk,
        "first_response": "01:00:00", "resolution_calendar": office.pk}, format="json")
    assert response.status_code == 201, response.json()
    policy = EscalationSlaPolicy.objects.get(pk=response.json()["id"])
    assert policy.regulatory_regime == psd and policy.resolution_calendar == office


# --- Links -------------------------------------------------------------------------------


def test_link_and_unlink_an_incident_by_reference(api_as, lead, escalation, incident):
    client = api_as(lead)
    linked = client.post(url(escalation, "link-incident"), {"incident": incident.reference},
                         format="json")
    assert linked.status_code == 200, linked.json()
    assert linked.json()["incidents"] == [{
        "id": incident.pk, "reference": incident.reference, "title": "Chat widget down",
        "state": "declared", "severity": None}]
    unknown = client.post(url(escalation, "link-incident"), {"incident": "INC-1999-0001"},
                          format="json")
    assert unknown.status_code == 400 and "incident" in unknown.json()["errors"]
    unlinked = client.post(url(escalation, "unlink-incident"),
                           {"incident": incident.reference}, format="json")
    assert unlinked.status_code == 200 and unlinked.json()["incidents"] == []


def test_a_responder_links_many_escalations_to_an_incident(
        api_as, make_user, open_escalation, incident):
    escalations = [open_escalation() for _ in range(3)]
    client = api_as(make_user(Role.INCIDENT_RESPONDER))
    path = f"/api/incidents/{incident.pk}/escalations/"
    response = client.post(path, {"escalations": [e.pk for e in escalations]}, format="json")
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["linked"]) == sorted(e.pk for e in escalations)
    assert len(client.get(path).json()) == 3
    bad = client.post(path, {"escalations": [999999]}, format="json")
    assert bad.status_code == 400 and "escalations" in bad.json()["errors"]


@pytest.mark.parametrize(("role", "reads", "links"), [
    (Role.MANAGER, 200, 200), (Role.INCIDENT_RESPONDER, 200, 200),
    (Role.ESCALATION_LEAD, 200, 200), (Role.VENDOR_MANAGER, 200, 403),
    (Role.FINANCE, 200, 403), (Role.VIEWER, 200, 403)])
def test_who_links_escalations_to_incidents(as_role, escalation, incident, role, reads, links):
    client = as_role(role)
    path = f"/api/incidents/{incident.pk}/escalations/"
    assert client.get(path).status_code == reads
    assert client.post(path, {"escalations": [escalation.pk]},
                       format="json").status_code == links


def test_incident_escalations_answer_in_constant_queries(
        api_as, lead, open_escalation, incident, django_assert_max_num_queries):
    client = api_as(lead)
    path = f"/api/incidents/{incident.pk}/escalations/"
    services.incident_link_escalations(incident=incident, escalations=[open_escalation()],
                                       by=lead)
    client.get(path)  # warm the permission cache
    with django_assert_max_num_queries(6) as few:
        client.get(path)
    services.incident_link_escalations(
        incident=incident, escalations=[open_escalation() for _ in range(8)], by=lead)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(path).json()) == 9


def test_compensation_amounts_round_trip_as_decimal_strings(api_as, lead, triaged):
    api_as(lead).post(url(triaged, "offer-compensation"), {"amount": 12.5, "note": "Goodwill"},
                      format="json")
    triaged.refresh_from_db()
    assert triaged.compensation_offered == Decimal("12.50")


def test_compensation_lines_are_left_out_of_the_timeline_for_roles_without_it(
        as_role, lead, triaged):
    services.escalation_offer_compensation(escalation=triaged, by=lead, amount="30",
                                           note="Goodwill gesture")
    viewer = as_role(Role.VIEWER).get(url(triaged, "timeline")).json()
    assert not any("Goodwill" in event["text"] for event in viewer)
    finance = as_role(Role.FINANCE).get(url(triaged, "timeline")).json()
    assert any("Goodwill" in event["text"] for event in finance)
