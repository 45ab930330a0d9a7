"""Vendor and contract pages, the vendor card on incident and escalation pages, the
declare form's "Affected vendors", CSV export, documents, and constant query counts."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from core.choices import Role
from escalations import services as escalation_services
from escalations.models import Customer
from incidents import services as incident_services
from incidents.models import Incident
from vendors import services
from vendors.models import Contract, Vendor, VendorAttribution

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 2, 9, tzinfo=UTC)
ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]


@pytest.fixture(autouse=True)
def _in_march_2026():
    with time_machine.travel(MARCH, tick=False):
        yield


@pytest.fixture
def contract(make_contract):
    return make_contract(value=Decimal("18400.00"),
                         fee_lines=[{"name": "SIP channel rental", "amount": "12600.00"}])


def text(response):
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


HTMX = {"HTTP_HX_REQUEST": "true"}


# --- Reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_pages_money_only_for_money_roles(client, make_user, carrier,
                                                               contract, role):
    login(client, make_user(role))
    pages = [client.get(path) for path in (
        "/vendors/", "/vendors/contracts/", carrier.get_absolute_url(),
        contract.get_absolute_url())]
    assert [page.status_code for page in pages] == [200] * 4
    money = role in (Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE)
    assert ('data-testid="contract-money"' in text(pages[3])) is money
    assert ("EUR 18,400.00" in text(pages[1])) is money
    assert ("SIP channel rental" in text(pages[3])) is money


def test_signed_out_people_go_to_the_login_page(client):
    assert client.get("/vendors/").status_code == 302


def test_the_vendor_page_shows_contacts_contracts_and_the_notice_date(client, victor, carrier,
                                                                      contract):
    page = text(login(client, victor).get(carrier.get_absolute_url()))
    assert page.count('data-testid="contact"') == 3
    assert "tel:+442079460000" in page
    assert 'data-testid="vendor-contract"' in page
    assert "2 Oct 2026" in page  # the notice date
    assert 'data-testid="downtime-year">0 min' in page


def test_the_contract_page_puts_the_notice_date_first(client, victor, contract):
    page = text(login(client, victor).get(contract.get_absolute_url()))
    assert 'data-testid="notice-date"><time datetime="2026-10-02">2 Oct 2026</time>' in page
    assert "in 214 days" in page
    assert page.count('data-testid="pending-warning"') == 4


# --- Lists --------------------------------------------------------------------------------


def _fill(count, victor):
    first = Vendor.objects.count()
    for number in range(first, first + count):
        vendor = services.vendor_create(by=victor, name=f"Vendor {number}", category="crm",
                                        account_manager=victor)
        services.contract_create(by=victor, vendor=vendor, title=f"Licences {number}",
                                 start_date=date(2026, 1, 1), end_date=date(2026, 12, 31),
                                 owner=victor, value=Decimal("10"))


@pytest.mark.parametrize(("path", "queries"), [("/vendors/", 8), ("/vendors/contracts/", 12)])
def test_list_query_count_does_not_grow(client, victor, path, queries,
                                        django_assert_num_queries):
    login(client, victor)
    _fill(2, victor)
    client.get(path)  # content types are cached process-wide after one request
    with django_assert_num_queries(queries):
        small = client.get(path)
    _fill(10, victor)
    with django_assert_num_queries(queries):
        large = client.get(path)
    row = 'data-testid="vendor-row"' if path == "/vendors/" else 'data-testid="contract-row"'
    assert (text(small).count(row), text(large).count(row)) == (2, 12)


def test_contracts_are_sorted_by_next_date_and_filtered(client, victor, make_contract):
    soon = make_contract(title="Soon", end_date=date(2026, 6, 10))  # notice 12 Mar
    later = make_contract(title="Later", end_date=date(2027, 6, 10))
    login(client, victor)

    listing = text(client.get("/vendors/contracts/"))
    window = text(client.get("/vendors/contracts/?notice_window=30"))
    by_vendor = client.get(f"/vendors/contracts/?vendor={soon.vendor_id}&state=live")

    assert listing.index(soon.reference) < listing.index(later.reference)
    assert soon.reference in window
    assert later.reference not in window
    assert "1 contract match the filters" in window or "1 contract match" in window
    assert by_vendor.status_code == 200


def test_the_list_leads_with_what_needs_someone(client, victor, make_contract):
    make_contract(title="Missed", end_date=date(2026, 5, 20))  # notice 19 Feb, undecided
    page = text(login(client, victor).get("/vendors/contracts/"))
    assert 'data-testid="notice-missed"' in page


def test_csv_export_follows_the_filters_and_the_money_rule(client, victor, viewer,
                                                           make_contract):
    make_contract(title="=HYPERLINK(\"http://x\")", value=Decimal("9.99"))
    make_contract(title="Draft", activate=False)

    rows = list(csv.reader(io.StringIO(b"".join(
        login(client, victor).get("/vendors/contracts/export.csv?state=live")
        .streaming_content).decode())))
    viewer_rows = list(csv.reader(io.StringIO(b"".join(
        login(client, viewer).get("/vendors/contracts/export.csv").streaming_content)
        .decode())))

    assert rows[0][-3:] == ["value", "billing_period", "currency"]
    assert len(rows) == 2
    assert rows[1][3].startswith("'=")  # never a live formula in a spreadsheet
    assert rows[1][-3:] == ["9.99", "Monthly", "EUR"]
    assert "value" not in viewer_rows[0]
    assert len(viewer_rows) == 3


# --- Writing ------------------------------------------------------------------------------


def test_a_vendor_manager_adds_a_vendor_and_a_contract_with_fee_lines(client, victor):
    login(client, victor)
    added = client.post("/vendors/new/", {"name": "Telvia", "category": "carrier",
                                          "account_manager": victor.pk,
                                          "status_page_url": "status.telvia.example"})
    vendor = Vendor.objects.get(name="Telvia")
    assert added.url == vendor.get_absolute_url()
    assert vendor.status_page_url == "https://status.telvia.example"

    created = client.post("/vendors/contracts/new/", {
        "vendor": vendor.pk, "title": "Secondary route", "start_date": "2026-01-01",
        "end_date": "2026-12-31", "billing_period": "monthly", "owner": victor.pk,
        "renewal_type": "automatic", "renewal_term_months": "12", "notice_period": "3",
        "notice_unit": "months", "downtime_counts_until": "resolved", "value": "4200",
        "fees-TOTAL_FORMS": "2", "fees-INITIAL_FORMS": "0",
        "fees-0-name": "Channels", "fees-0-kind": "subscription", "fees-0-amount": "4200",
        "fees-1-name": "", "fees-1-kind": "", "fees-1-amount": ""})
    contract = Contract.objects.get()
    assert created.url == contract.get_absolute_url()
    assert (contract.notice_date, contract.value) == (date(2026, 9, 30), Decimal("4200.00"))
    assert list(contract.fee_lines.values_list("name", flat=True)) == ["Channels"]


def test_a_refused_contract_form_names_the_field(client, victor, carrier):
    response = login(client, victor).post("/vendors/contracts/new/", {
        "vendor": carrier.pk, "title": "Backwards", "start_date": "2026-12-31",
        "end_date": "2026-01-01", "billing_period": "monthly", "renewal_type": "none",
        "notice_period": "0", "notice_unit": "days", "downtime_counts_until": "resolved",
        "fees-TOTAL_FORMS": "0", "fees-INITIAL_FORMS": "0"})
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in text(response)
    assert not Contract.objects.exists()


def test_viewers_cannot_open_the_forms(client, viewer, carrier, contract):
    login(client, viewer)
    for path in ("/vendors/new/", "/vendors/contracts/new/", f"/vendors/{carrier.pk}/edit/",
                 f"/vendors/contracts/{contract.pk}/edit/"):
        assert client.get(path).status_code == 403


def test_recording_the_decision_with_htmx_swaps_the_panel(client, victor, contract):
    login(client, victor)
    url = f"/vendors/contracts/{contract.pk}/decision/"
    refused = client.post(url, {"decision": "renegotiate", "reason": ""},
                          **HTMX)
    done = client.post(url, {"decision": "renegotiate",
                             "reason": "Seat price above market"}, **HTMX)
    assert refused.status_code == 400
    assert "Say why." in text(refused)
    assert done.status_code == 200
    assert text(done).lstrip().startswith('<div id="contract-panel"')  # the panel alone
    assert 'data-testid="current-decision"><span class="decision-chip">Renegotiate' in text(done)


def test_a_step_not_allowed_now_is_a_409(client, victor, contract):
    response = login(client, victor).post(f"/vendors/contracts/{contract.pk}/activate/", **HTMX)
    assert response.status_code == 409
    assert "Activate is not allowed now" in text(response)


def test_contacts_are_added_on_the_vendor_page(client, victor, carrier):
    login(client, victor)
    response = client.post(f"/vendors/{carrier.pk}/contacts/", {
        "name": "Night NOC", "role": "noc",
        "phone": "+44 20 7946 0999", "escalation_order": "3"}, **HTMX)
    assert response.status_code == 200
    assert "Night NOC" in text(response)


def test_documents_download_only_for_those_who_may_read_them(client, victor, viewer, contract,
                                                             settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(client, victor)
    for kind in ("contract", "pricing"):
        client.post(f"/vendors/contracts/{contract.pk}/documents/", {
            "title": kind, "kind": kind,
            "file": SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.7 " + kind.encode())})
    signed, pricing = (contract.documents.get(kind=kind) for kind in ("contract", "pricing"))

    assert b"".join(client.get(pricing.get_absolute_url()).streaming_content).endswith(
        b"pricing")
    login(client, viewer)
    page = text(client.get(contract.get_absolute_url()))
    download = client.get(signed.get_absolute_url())
    assert download["Content-Disposition"] == 'attachment; filename="contract.pdf"'
    download.close()
    assert client.get(pricing.get_absolute_url()).status_code == 403
    assert "contract.pdf" in page
    assert "pricing.pdf" not in page


# --- The vendor card and the declare form ------------------------------------------------


@pytest.fixture
def incident(responder):
    return incident_services.incident_declare(by=responder, title="Inbound calls failing")


def test_the_incident_page_shows_the_vendors_noc_and_escalation_contacts(client, responder,
                                                                         incident, carrier):
    services.attribution_add(vendor=carrier, incident=incident, by=responder)
    page = text(login(client, responder).get(incident.get_absolute_url()))
    assert 'data-testid="vendor-card"' in page
    assert page.count('data-testid="vendor-contact"') == 2  # NOC and escalation, not sales
    assert page.index("Northwind NOC") < page.index("Duty manager")
    assert "Anna Sales" not in page


def test_a_responder_names_and_removes_a_vendor_from_the_card(client, responder, incident,
                                                              carrier):
    login(client, responder)
    added = client.post(f"/vendors/attributions/incident/{incident.pk}/",
                        {"vendor": carrier.pk,
                         "reason": "SIP 503"}, **HTMX)
    assert added.status_code == 200
    assert 'id="incident-panel"' in text(added)
    assert "Northwind NOC" in text(added)
    attribution = VendorAttribution.objects.get()
    removed = client.post(f"/vendors/attributions/{attribution.pk}/remove/", **HTMX)
    assert removed.status_code == 200
    assert not VendorAttribution.objects.exists()


def test_a_viewer_sees_the_card_but_cannot_name_vendors(client, viewer, incident, carrier):
    login(client, viewer)
    page = text(client.get(incident.get_absolute_url()))
    refused = client.post(f"/vendors/attributions/incident/{incident.pk}/",
                          {"vendor": carrier.pk})
    assert 'data-testid="vendor-card"' in page
    assert 'data-testid="name-vendor"' not in page
    assert refused.status_code == 403


def test_an_unknown_kind_of_work_item_is_a_404(client, victor):
    assert login(client, victor).post("/vendors/attributions/invoice/1/").status_code == 404


def test_the_declare_form_names_affected_vendors(client, responder, carrier):
    login(client, responder)
    form = text(client.get("/incidents/declare/"))
    response = client.post("/incidents/declare/", {"title": "Inbound calls failing",
                                                   "priority": "P1",
                                                   "affected_vendors": [carrier.pk]})
    incident = Incident.objects.get()
    assert "Affected vendors" in form
    assert response.url == incident.get_absolute_url()
    assert list(VendorAttribution.objects.values_list("vendor__name", flat=True)) == [
        "Northwind Telecom"]


def test_an_id_beyond_any_vendor_on_the_declare_form_is_named_not_a_500(client, responder,
                                                                        carrier):
    login(client, responder)
    response = client.post("/incidents/declare/", {"title": "Inbound calls failing",
                                                   "priority": "P1",
                                                   "affected_vendors": [str(2**80)]})
    assert response.status_code == 400
    assert "is not one of the available choices" in text(response)
    assert not Incident.objects.exists()


def test_without_vendors_the_declare_form_is_unchanged(client, responder):
    assert "Affected vendors" not in text(login(client, responder).get("/incidents/declare/"))


def test_the_escalation_page_shows_the_card(client, make_user, carrier, victor):
    lead = make_user(Role.ESCALATION_LEAD, username="elena")
    customer = Customer.objects.create(name="Kestrel", account_reference="ACC-1")
    escalation = escalation_services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P2",
        summary="Cut off twice")
    services.attribution_add(vendor=carrier, escalation=escalation, by=lead)
    page = text(login(client, lead).get(escalation.get_absolute_url()))
    assert 'data-testid="vendor-card"' in page
    assert "Northwind NOC" in page


def test_the_vendor_page_shows_downtime_and_the_incidents_that_make_it(client, victor,
                                                                       responder, carrier):
    incident = incident_services.incident_declare(by=responder, title="Trunks down",
                                                  at=MARCH - timedelta(minutes=95))
    services.attribution_add(vendor=carrier, incident=incident, by=responder)
    page = text(login(client, victor).get(carrier.get_absolute_url()))
    assert 'data-testid="downtime-month">95 min' in page
    assert 'data-testid="downtime-year">95 min' in page
    assert 'data-testid="downtime-incident"' in page
    assert 'data-testid="open-incident"' in page
