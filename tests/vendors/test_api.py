"""The vendor API: the permission matrix per role, money only for money roles, one
action per transition and per decision (409 / 400 / 403), attributions at declaration
and on the incident, downtime, documents, and constant query counts on the lists."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from core.choices import Role
from incidents import services as incident_services
from tests.factories import ANONYMOUS
from vendors import services
from vendors.models import Contract, Vendor, VendorAttribution

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
EDITS = {Role.MANAGER, Role.VENDOR_MANAGER}
MONEY = {Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE}
MARCH = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_march_2026():
    with time_machine.travel(MARCH, tick=False):
        yield


@pytest.fixture
def contract(make_contract):
    return make_contract(value=Decimal("18400.00"),
                         fee_lines=[{"name": "SIP channel rental", "amount": "12600.00"}])


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


# --- The permission matrix ------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_everyone_with_a_role_reads_vendors_and_contracts(as_role, carrier, contract, role):
    client = as_role(role)
    paths = ["/api/vendors/", f"/api/vendors/{carrier.pk}/", "/api/contracts/",
             f"/api/contracts/{contract.pk}/", f"/api/vendors/{carrier.pk}/downtime/",
             "/api/vendor-contacts/", "/api/vendor-attributions/"]
    statuses = {client.get(path).status_code for path in paths}
    assert statuses == ({403} if role == ANONYMOUS else {200})


@pytest.mark.parametrize("role", ROLES)
def test_only_vendor_managers_and_managers_edit(as_role, carrier, contract, role):
    client = as_role(role)
    created = client.post("/api/vendors/", {"name": "Orbit CRM", "category": "crm"})
    edited = client.patch(f"/api/contracts/{contract.pk}/", {"title": "Trunks"})
    decided = client.post(f"/api/contracts/{contract.pk}/decide/",
                          {"decision": "renew", "reason": "Fine"})
    contact = client.post("/api/vendor-contacts/", {"vendor": carrier.pk, "name": "Desk",
                                                    "role": "support_desk",
                                                    "email": "desk@example.com"})
    expected = {201, 200} if role in EDITS else {403}
    assert {created.status_code, edited.status_code, contact.status_code} <= expected | {201}
    assert (created.status_code == 201) is (role in EDITS)
    assert (edited.status_code == 200) is (role in EDITS)
    assert (decided.status_code == 200) is (role in EDITS)
    assert (contact.status_code == 201) is (role in EDITS)


@pytest.mark.parametrize("role", ROLES)
def test_money_only_for_money_roles(as_role, contract, role):
    body = as_role(role).get(f"/api/contracts/{contract.pk}/").json()
    listed = as_role(role).get("/api/contracts/").json()["results"][0]
    for shown in (body, listed):
        assert ("value" in shown) is (role in MONEY)
        assert ("fee_lines" in shown) is (role in MONEY)
    if role in MONEY:
        assert body["value"] == "18400.00"
        assert body["fee_lines"][0]["name"] == "SIP channel rental"


def test_a_pricing_schedule_is_money(as_role, api_as, contract, victor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = api_as(victor)
    for kind in ("contract", "pricing"):
        uploaded = client.post(f"/api/contracts/{contract.pk}/documents/", {
            "file": SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.7"), "kind": kind},
            format="multipart")
        assert uploaded.status_code == 201, uploaded.json()
    viewer = as_role(Role.VIEWER)
    seen = [d["kind"] for d in viewer.get(f"/api/contracts/{contract.pk}/documents/").json()]
    listed = [d["kind"] for d in viewer.get("/api/contract-documents/").json()["results"]]
    assert seen == listed == ["contract"]


# --- Transitions and decisions --------------------------------------------------------------


def test_a_contract_goes_through_its_life_by_api(api_as, victor, carrier):
    client = api_as(victor)
    created = client.post("/api/contracts/", {
        "vendor": carrier.pk, "title": "SIP trunks", "start_date": "2026-01-01",
        "end_date": "2026-12-31", "renewal_type": "automatic", "renewal_term_months": 12,
        "notice_period": 90, "notice_unit": "days", "owner": victor.pk, "value": "100.00",
        "fee_lines": [{"name": "Channels", "amount": "100.00"}]})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["reference"], body["state"], body["notice_date"]) == (
        "CTR-2026-0001", "draft", "2026-10-02")
    pk = body["id"]

    assert client.post(f"/api/contracts/{pk}/activate/").json()["state"] == "active"
    decided = client.post(f"/api/contracts/{pk}/decide/", {"decision": "renegotiate",
                                                           "reason": "Price"}).json()
    assert (decided["decision"], decided["awaiting_decision"]) == ("renegotiate", False)
    renewed = client.post(f"/api/contracts/{pk}/renew/", {}).json()
    assert (renewed["state"], renewed["end_date"]) == ("renewed", "2027-12-31")
    assert len(client.get(f"/api/contracts/{pk}/renewals/").json()) == 1
    given = client.post(f"/api/contracts/{pk}/give-notice/", {"given_on": "2026-03-01"})
    assert given.json()["state"] == "notice_given"
    deadlines = client.get(f"/api/contracts/{pk}/deadlines/").json()
    assert {d["kind"] for d in deadlines if d["due_at"]} == {"end"}


def assert_conflict(response, *, transition, state):
    assert response.status_code == 409, response.json()
    body = response.json()
    assert (body["code"], body["transition"], body["current_state"]) == (
        "transition_not_allowed", transition, state)


def test_impossible_transitions_are_409_and_missing_requirements_400(api_as, victor,
                                                                     make_contract):
    client = api_as(victor)
    draft = make_contract(activate=False, owner=None)
    assert_conflict(client.post(f"/api/contracts/{draft.pk}/terminate/", {}),
                    transition="terminate", state="draft")
    missing = client.post(f"/api/contracts/{draft.pk}/activate/")
    assert missing.status_code == 400
    assert "owner" in missing.json()["errors"]
    running = make_contract()
    terminate = client.post(f"/api/contracts/{running.pk}/terminate/", {"reason": "Gone"})
    assert terminate.status_code == 400
    assert set(terminate.json()["errors"]) == {"terminated_on"}
    bad = client.post(f"/api/contracts/{running.pk}/decide/", {"decision": "maybe",
                                                                "reason": "x"})
    assert bad.status_code == 400
    assert "decision" in bad.json()["errors"]
    early = client.post(f"/api/contracts/{running.pk}/expire/")
    assert early.status_code == 400
    assert "end_date" in early.json()["errors"]


def test_a_running_contract_is_not_deleted(api_as, victor, make_contract):
    client = api_as(victor)
    assert_conflict(client.delete(f"/api/contracts/{make_contract().pk}/"),
                    transition="delete", state="active")
    assert client.delete(f"/api/contracts/{make_contract(activate=False).pk}/").status_code == 204


def test_the_contract_owner_decides_by_api_without_vendor_rights(api_as, make_user,
                                                                  make_contract):
    finance = make_user(Role.FINANCE, username="fiona")
    contract = make_contract(owner=finance)
    response = api_as(finance).post(f"/api/contracts/{contract.pk}/decide/",
                                    {"decision": "exit", "reason": "Replaced"})
    assert response.status_code == 200, response.json()


def test_vendor_status_actions(api_as, victor, carrier, make_contract):
    client = api_as(victor)
    make_contract()
    assert client.post(f"/api/vendors/{carrier.pk}/activate/").json()["status"] == "active"
    assert client.post(f"/api/vendors/{carrier.pk}/offboard/").status_code == 200
    refused = client.post(f"/api/vendors/{carrier.pk}/exit/")
    assert refused.status_code == 400
    assert "contracts" in refused.json()["errors"]
    risk = client.post(f"/api/vendors/{carrier.pk}/review-risk/", {"rating": "high",
                                                                    "reason": "SPOF"})
    assert risk.json()["risk_rating"] == "high"


def test_filters_and_ordering(api_as, victor, make_contract):
    soon = make_contract(end_date=date(2026, 6, 10))
    later = make_contract(end_date=date(2027, 6, 10))
    draft = make_contract(activate=False, end_date=date(2026, 4, 1))
    client = api_as(victor)

    ordered = [c["id"] for c in client.get("/api/contracts/").json()["results"]]
    within = [c["id"] for c in client.get("/api/contracts/?notice_window=30").json()["results"]]
    live = client.get("/api/contracts/?state=live").json()["count"]
    bad = client.get("/api/contracts/?notice_window=soonish")

    # By the next date: soon's notice date (12 Mar), the draft's end (1 Apr), later's notice.
    assert ordered == [soon.pk, draft.pk, later.pk]
    assert within == [soon.pk]
    assert live == 2
    assert bad.status_code == 400


# --- Attribution ----------------------------------------------------------------------------


def test_declaring_an_incident_names_its_vendors(api_as, responder, carrier):
    response = api_as(responder).post("/api/incidents/", {
        "title": "Inbound calls failing", "affected_vendors": [carrier.pk]})
    assert response.status_code == 201, response.json()
    vendors = api_as(responder).get(f"/api/incidents/{response.json()['id']}/vendors/").json()
    assert [v["vendor_name"] for v in vendors] == ["Northwind Telecom"]
    assert [c["name"] for c in vendors[0]["call_list"]] == ["Northwind NOC", "Duty manager"]


def test_an_unknown_vendor_at_declaration_is_a_400_and_declares_nothing(api_as, responder):
    response = api_as(responder).post("/api/incidents/", {"title": "X",
                                                          "affected_vendors": [999]})
    assert response.status_code == 400
    assert "affected_vendors" in response.json()["errors"]


@pytest.mark.parametrize("role", ROLES)
def test_who_names_vendors_on_an_incident(as_role, responder, carrier, role):
    incident = incident_services.incident_declare(by=responder, title="Carrier down")
    response = as_role(role).post(f"/api/incidents/{incident.pk}/vendors/",
                                  {"vendor": carrier.pk, "reason": "SBC"})
    allowed = {Role.MANAGER, Role.INCIDENT_RESPONDER, Role.VENDOR_MANAGER}
    assert response.status_code == (201 if role in allowed else 403)


def test_attributions_by_the_generic_endpoint(api_as, victor, responder, carrier):
    incident = incident_services.incident_declare(by=responder, title="Carrier down")
    client = api_as(victor)
    neither = client.post("/api/vendor-attributions/", {"vendor": carrier.pk})
    created = client.post("/api/vendor-attributions/", {"vendor": carrier.pk,
                                                        "incident": incident.pk})
    assert neither.status_code == 400
    assert created.status_code == 201
    assert client.get(f"/api/vendor-attributions/?incident={incident.pk}").json()["count"] == 1
    assert client.delete(f"/api/vendor-attributions/{created.json()['id']}/").status_code == 204
    assert not VendorAttribution.objects.exists()


def test_downtime_by_api(api_as, victor, responder, carrier):
    incident = incident_services.incident_declare(by=responder, title="Carrier down",
                                                  at=MARCH - timedelta(hours=2))
    services.attribution_add(vendor=carrier, incident=incident, by=responder)
    body = api_as(victor).get(f"/api/vendors/{carrier.pk}/downtime/").json()
    assert (body["minutes"], body["months"]) == (120.0, [{"month": "2026-03-01",
                                                          "minutes": 120.0}])
    assert body["incidents"][0]["ongoing"] is True
    assert api_as(victor).get(f"/api/vendors/{carrier.pk}/downtime/?year=soon").status_code \
        == 400


def test_exclusions_by_api(api_as, victor, carrier):
    client = api_as(victor)
    refused = client.post("/api/downtime-exclusions/", {
        "vendor": carrier.pk, "kind": "maintenance", "starts_at": "2026-02-01T01:00:00Z",
        "ends_at": "2026-02-01T03:00:00Z", "reason": "Upgrade"})
    created = client.post("/api/downtime-exclusions/", {
        "vendor": carrier.pk, "kind": "maintenance", "starts_at": "2026-02-01T01:00:00Z",
        "ends_at": "2026-02-01T03:00:00Z", "reason": "Upgrade",
        "notice_given_at": "2026-01-20T10:00:00Z"})
    assert refused.status_code == 400
    assert "notice_given_at" in refused.json()["errors"]
    assert created.status_code == 201, created.json()


def test_the_schema_documents_every_action(api_as, victor):
    schema = api_as(victor).get("/api/schema/").content.decode()
    for path in ("/api/contracts/{id}/decide/", "/api/contracts/{id}/give-notice/",
                 "/api/contracts/{id}/renew/", "/api/contracts/{id}/terminate/",
                 "/api/vendors/{id}/downtime/", "/api/incidents/{id}/vendors/",
                 "/api/vendor-attributions/", "/api/downtime-exclusions/"):
        assert path in schema


# --- Constant query counts ----------------------------------------------------------------


def _fill(count, victor, responder):
    first = Vendor.objects.count()
    for number in range(first, first + count):
        vendor = services.vendor_create(by=victor, name=f"Vendor {number}", category="crm")
        services.contact_save(vendor=vendor, by=victor, name="NOC", role="noc", phone="1")
        services.contract_create(by=victor, vendor=vendor, title=f"Licences {number}",
                                 start_date=date(2026, 1, 1), end_date=date(2026, 12, 31),
                                 owner=victor, value=Decimal("1"),
                                 fee_lines=[{"name": "Seats", "amount": "1"}])
        incident = incident_services.incident_declare(by=responder, title=f"Down {number}")
        services.attribution_add(vendor=vendor, incident=incident, by=responder)


# Permissions (2), the count, the page, and what the page prefetches.
LIST_ENDPOINTS = {"/api/vendors/": 6, "/api/contracts/": 6, "/api/vendor-attributions/": 5,
                  "/api/vendor-contacts/": 5}


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_list_query_count_is_constant(api_as, victor, responder, path,
                                      django_assert_num_queries):
    _fill(2, victor, responder)
    with django_assert_num_queries(LIST_ENDPOINTS[path]):
        small = api_as(fresh(victor)).get(path)
    _fill(10, victor, responder)
    with django_assert_num_queries(LIST_ENDPOINTS[path]):
        large = api_as(fresh(victor)).get(path)
    assert (small.json()["count"], large.json()["count"]) == (2, 12)
    assert Vendor.objects.count() == Contract.objects.count() == 12


def test_the_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    # --fail-on-warn: a choice set named twice or a field without a type fails here.
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/contracts/{id}/decide/" in (tmp_path / "schema.yaml").read_text()
