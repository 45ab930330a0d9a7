"""Vendor and contract use cases: every rule in the service, refusals naming the field,
every change audited."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.choices import Role
from core.exceptions import RequirementMissing, TransitionNotAllowed
from incidents import services as incident_services
from incidents.models import TimelineEvent
from vendors import services
from vendors.choices import ContractState, DocumentKind, ExclusionKind, VendorStatus
from vendors.models import (
    Contract,
    ContractDocument,
    ContractRenewal,
    DowntimeExclusion,
    FeeLine,
    VendorAttribution,
)

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_march_2026():
    with time_machine.travel(MARCH, tick=False):
        yield


# --- Vendors -----------------------------------------------------------------------------


def test_a_vendor_starts_onboarding_and_its_creation_is_audited(carrier, victor):
    assert carrier.status == VendorStatus.ONBOARDING
    row = carrier.history.last()
    assert (row.history_user, row.history_change_reason) == (victor, "Created")


def test_two_vendors_cannot_share_a_name(carrier, victor):
    with pytest.raises(ValidationError) as refused:
        services.vendor_create(by=victor, name="Northwind Telecom", category="carrier")
    assert "name" in refused.value.message_dict


def test_a_viewer_cannot_add_or_move_vendors(carrier, viewer):
    with pytest.raises(PermissionDenied):
        services.vendor_create(by=viewer, name="Acme", category="crm")
    with pytest.raises(PermissionDenied):
        services.vendor_transition(vendor=carrier, by=viewer, name="activate")


def test_an_exit_waits_for_the_running_contracts(carrier, victor, make_contract):
    make_contract()
    services.vendor_transition(vendor=carrier, by=victor, name="activate")
    services.vendor_transition(vendor=carrier, by=victor, name="offboard")

    with pytest.raises(RequirementMissing) as refused:
        services.vendor_transition(vendor=carrier, by=victor, name="exit")

    assert "CTR-2026-0001" in refused.value.errors["contracts"][0]


def test_an_impossible_status_change_lists_what_is_allowed(carrier, victor):
    with pytest.raises(TransitionNotAllowed) as refused:
        services.vendor_transition(vendor=carrier, by=victor, name="exit")
    assert refused.value.allowed == ["activate"]


def test_a_risk_review_needs_a_reason_and_records_who_and_when(carrier, victor):
    with pytest.raises(ValidationError) as refused:
        services.vendor_review_risk(vendor=carrier, by=victor, rating="high", reason=" ")
    assert "risk_reason" in refused.value.message_dict

    vendor = services.vendor_review_risk(vendor=carrier, by=victor, rating="high",
                                         reason="Single carrier for 70% of minutes")
    assert (vendor.risk_rating, vendor.risk_reviewed_at, vendor.risk_reviewed_by) == (
        "high", date(2026, 3, 2), victor)


def test_a_contact_needs_a_phone_or_an_email(carrier, victor):
    with pytest.raises(ValidationError) as refused:
        services.contact_save(vendor=carrier, by=victor, name="Nobody", role="noc")
    assert "phone" in refused.value.message_dict


# --- Contracts ----------------------------------------------------------------------------


def test_a_contract_gets_the_next_reference_and_its_notice_date(make_contract):
    first = make_contract(activate=False)
    second = make_contract(activate=False, reference="MSA-2024-17", notice_period=3,
                           notice_unit="months", end_date=date(2026, 5, 31))

    assert first.reference == "CTR-2026-0001"
    assert (second.reference, second.notice_date) == ("MSA-2024-17", date(2026, 2, 28))
    assert first.state == ContractState.DRAFT


def test_an_end_before_the_start_is_refused_and_uses_no_number(make_contract):
    with pytest.raises(ValidationError) as refused:
        make_contract(activate=False, end_date=date(2025, 12, 31))
    assert "end_date" in refused.value.message_dict
    assert make_contract(activate=False).reference == "CTR-2026-0001"


def test_activating_needs_an_owner_and_an_automatic_term(make_contract, victor):
    contract = make_contract(activate=False, owner=None, renewal_term_months=None)

    with pytest.raises(RequirementMissing) as refused:
        services.contract_activate(contract=contract, by=victor)

    assert set(refused.value.errors) == {"owner", "renewal_term_months"}
    with pytest.raises(TransitionNotAllowed):
        services.contract_renew(contract=contract, by=victor)


def test_only_money_roles_write_money(make_user, carrier):
    clerk = make_user(Role.VIEWER, username="clerk")
    clerk.user_permissions.add(Permission.objects.get(codename="add_contract"))
    with pytest.raises(PermissionDenied, match="value"):
        services.contract_create(by=clerk, vendor=carrier, title="X", start_date=date(2026, 1, 1),
                                 end_date=date(2026, 12, 31), value=Decimal("10"))
    with pytest.raises(PermissionDenied, match="fee_lines"):
        services.contract_create(by=clerk, vendor=carrier, title="X", start_date=date(2026, 1, 1),
                                 end_date=date(2026, 12, 31), fee_lines=[{"name": "Seats",
                                                                          "amount": 1}])
    contract = services.contract_create(by=clerk, vendor=carrier, title="X",
                                        start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    assert contract.value is None


def test_fee_lines_are_replaced_and_validated(make_contract, victor):
    contract = make_contract(fee_lines=[{"name": "AgentSeat subscription", "amount": "900.00"},
                                        {"name": "Usage", "kind": "usage", "amount": "120"}])
    assert list(contract.fee_lines.values_list("name", "amount")) == [
        ("AgentSeat subscription", Decimal("900.00")), ("Usage", Decimal("120.00"))]

    with pytest.raises(ValidationError) as refused:
        services.contract_update(contract=contract, by=victor, fee_lines=[
            {"name": "Seats", "amount": 1}, {"name": "seats", "amount": 2}])
    assert refused.value.message_dict["fee_lines"] == ["Two fee lines have the same name."]

    services.contract_update(contract=contract, by=victor,
                             fee_lines=[{"name": "One-time setup", "kind": "one_time",
                                         "amount": "5000"}])
    assert list(FeeLine.objects.values_list("name", flat=True)) == ["One-time setup"]


def test_the_owner_decides_the_renewal_even_without_vendor_rights(make_contract, make_user):
    finance = make_user(Role.FINANCE, username="fiona")
    contract = make_contract(owner=finance)
    other = make_user(Role.FINANCE, username="frank")

    with pytest.raises(PermissionDenied):
        services.contract_decide(contract=contract, by=other, decision="exit", reason="Cost")
    with pytest.raises(ValidationError) as refused:
        services.contract_decide(contract=contract, by=finance, decision="exit", reason="")
    assert "decision_reason" in refused.value.message_dict

    decided = services.contract_decide(contract=contract, by=finance, decision="renegotiate",
                                       reason="Seat price above market")
    assert (decided.decision, decided.decided_by) == ("renegotiate", finance)
    assert decided.history.first().history_change_reason == "Renewal decision: Renegotiate"


def test_a_decision_after_the_notice_date_is_kept_and_marked_late(make_contract, victor):
    contract = make_contract(end_date=date(2026, 4, 30))  # notice by 30 Jan
    decided = services.contract_decide(contract=contract, by=victor, decision="renew",
                                       reason="Nothing better")
    assert decided.history.first().history_change_reason.endswith("(after the notice date)")


def test_a_draft_has_nothing_to_decide(make_contract, victor):
    with pytest.raises(ValidationError, match="no renewal to decide"):
        services.contract_decide(contract=make_contract(activate=False), by=victor,
                                 decision="renew", reason="x")


def test_renewing_by_hand_extends_by_a_term_and_owes_a_new_decision(make_contract, victor):
    contract = make_contract(renewal_type="explicit")
    services.contract_decide(contract=contract, by=victor, decision="renew", reason="Good")

    renewed = services.contract_renew(contract=contract, by=victor, note="Signed")

    assert (renewed.state, renewed.end_date, renewed.notice_date) == (
        ContractState.RENEWED, date(2027, 12, 31), date(2027, 10, 2))
    assert renewed.decision == ""
    renewal = ContractRenewal.objects.get()
    assert (renewal.automatic, renewal.decision, renewal.renewed_by) == (False, "renew", victor)


def test_a_new_end_date_must_move_forward(make_contract, victor):
    contract = make_contract()
    with pytest.raises(ValidationError) as refused:
        services.contract_renew(contract=contract, by=victor, new_end_date=date(2026, 6, 1))
    assert "new_end_date" in refused.value.message_dict
    renewed = services.contract_renew(contract=contract, by=victor,
                                      new_end_date=date(2027, 6, 30))
    assert renewed.end_date == date(2027, 6, 30)


@pytest.mark.parametrize("field", ["end_date", "start_date"])
def test_implausible_contract_dates_are_refused_naming_the_field(make_contract, victor, field):
    """9999-12-31 used to reach the notice-date arithmetic and overflow (a 500)."""
    contract = make_contract()
    with pytest.raises(ValidationError) as refused:
        services.contract_update(contract=contract, by=victor, **{field: date(9999, 12, 31)})
    assert field in refused.value.message_dict
    contract.refresh_from_db()
    assert contract.end_date == date(2026, 12, 31)
    with pytest.raises(ValidationError) as refused:
        services.contract_renew(contract=contract, by=victor, new_end_date=date(9999, 12, 31))
    assert "new_end_date" in refused.value.message_dict


def test_notice_cannot_be_given_in_the_future_and_needs_its_day(make_contract, victor):
    contract = make_contract()
    with pytest.raises(ValidationError):
        services.contract_give_notice(contract=contract, by=victor, given_on=date(2026, 4, 1))
    with pytest.raises(RequirementMissing) as refused:
        services.contract_give_notice(contract=contract, by=victor, given_on=None)
    assert "notice_given_on" in refused.value.errors
    given = services.contract_give_notice(contract=contract, by=victor,
                                          given_on=date(2026, 3, 1), note="Letter")
    assert given.state == ContractState.NOTICE_GIVEN


def test_termination_needs_a_reason_and_a_day(make_contract, victor):
    contract = make_contract()
    with pytest.raises(RequirementMissing) as refused:
        services.contract_terminate(contract=contract, by=victor, terminated_on=None, reason="")
    assert set(refused.value.errors) == {"termination_reason", "terminated_on"}


def test_a_contract_does_not_expire_before_its_end_date(make_contract, victor):
    with pytest.raises(ValidationError) as refused:
        services.contract_expire(contract=make_contract(), by=victor)
    assert "end_date" in refused.value.message_dict


def test_an_ended_contract_is_a_record(make_contract, victor):
    contract = make_contract()
    services.contract_terminate(contract=contract, by=victor, terminated_on=date(2026, 3, 1),
                                reason="Insolvent")
    with pytest.raises(ValidationError, match="record"):
        services.contract_update(contract=contract, by=victor, title="Renamed")


def test_a_successor_draft_follows_the_contract(make_contract, victor):
    contract = make_contract(value=Decimal("100.00"),
                             fee_lines=[{"name": "Seats", "amount": "100.00"}])
    successor = services.contract_draft_successor(contract=contract, by=victor)
    assert (successor.predecessor, successor.state, successor.start_date,
            successor.end_date, successor.value) == (
        contract, ContractState.DRAFT, date(2027, 1, 1), date(2027, 12, 31), Decimal("100.00"))
    assert list(successor.fee_lines.values_list("name", flat=True)) == ["Seats"]


def test_only_drafts_are_deleted(make_contract, victor):
    draft = make_contract(activate=False)
    running = make_contract()
    with pytest.raises(TransitionNotAllowed):
        services.contract_delete_draft(contract=running, by=victor)
    services.contract_delete_draft(contract=draft, by=victor)
    assert list(Contract.objects.all()) == [running]


# --- Documents ------------------------------------------------------------------------------


def upload(name="msa.pdf", size=100):
    return SimpleUploadedFile(name, b"%PDF" + b"x" * size, content_type="application/pdf")


def test_documents_are_checked_for_size_type_and_money(make_contract, victor, make_user,
                                                        settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.VENDOR_DOCUMENT_MAX_MB = 1
    contract = make_contract()

    with pytest.raises(ValidationError, match="limit is 1 MB"):
        services.document_upload(contract=contract, by=victor, file=upload(size=2 * 1024 * 1024))
    with pytest.raises(ValidationError, match=".html cannot be uploaded"):
        services.document_upload(contract=contract, by=victor, file=upload("page.html"))
    manager_without_money = make_user(Role.VIEWER, username="nomoney")
    manager_without_money.user_permissions.add(
        Permission.objects.get(codename="add_contractdocument"))
    with pytest.raises(PermissionDenied):
        services.document_upload(contract=contract, by=manager_without_money, file=upload(),
                                 kind=DocumentKind.PRICING)

    document = services.document_upload(contract=contract, by=victor, file=upload())
    assert (document.title, document.size, document.file_name) == ("msa", 104, "msa.pdf")
    assert not (tmp_path / "vendors" / "contracts" / str(contract.pk)).joinpath(
        "x").exists()
    assert (tmp_path / document.file.name).exists()


def test_removing_a_document_removes_its_file_after_commit(make_contract, victor, settings,
                                                           tmp_path,
                                                           django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    document = services.document_upload(contract=make_contract(), by=victor, file=upload())
    stored = tmp_path / document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(document=document, by=victor)
    assert not stored.exists()
    assert not ContractDocument.objects.exists()


# --- Attribution and exclusions -----------------------------------------------------------


@pytest.fixture
def incident(responder):
    return incident_services.incident_declare(by=responder, title="Inbound calls failing")


def test_people_who_work_the_incident_name_a_vendor_on_its_timeline(incident, carrier,
                                                                    responder):
    attribution = services.attribution_add(vendor=carrier, incident=incident, by=responder,
                                           reason="SIP 503 from their SBC")
    assert attribution.added_by == responder
    assert TimelineEvent.objects.filter(
        incident=incident, kind="link",
        text="Vendor Northwind Telecom named: SIP 503 from their SBC").exists()

    with pytest.raises(ValidationError) as refused:
        services.attribution_add(vendor=carrier, incident=incident, by=responder)
    assert "already named" in refused.value.message_dict["vendor"][0]


def test_the_vendor_liaison_names_vendors_a_viewer_does_not(incident, carrier, make_user,
                                                            responder, viewer):
    liaison = make_user(Role.FINANCE, username="lia")
    incident_services.incident_assign_role(incident=incident, by=responder,
                                           role="vendor_liaison", user=liaison)
    with pytest.raises(PermissionDenied):
        services.attribution_add(vendor=carrier, incident=incident, by=viewer)
    services.attribution_add(vendor=carrier, incident=incident, by=liaison)
    assert VendorAttribution.objects.filter(added_by=liaison).exists()


def test_the_contract_must_be_the_vendors(incident, carrier, victor, responder):
    other = services.vendor_create(by=victor, name="Telvia", category="carrier")
    contract = services.contract_create(by=victor, vendor=other, title="Route B",
                                        start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    with pytest.raises(ValidationError) as refused:
        services.attribution_add(vendor=carrier, incident=incident, contract=contract,
                                 by=responder)
    assert "contract" in refused.value.message_dict


def test_removing_an_attribution_is_on_the_timeline(incident, carrier, responder):
    attribution = services.attribution_add(vendor=carrier, incident=incident, by=responder)
    services.attribution_remove(attribution=attribution, by=responder)
    assert not VendorAttribution.objects.exists()
    assert TimelineEvent.objects.filter(
        incident=incident, text="Vendor Northwind Telecom no longer named").exists()


def test_maintenance_is_excluded_only_when_announced_in_time(carrier, victor, make_contract):
    make_contract(maintenance_notice_days=7)
    start = datetime(2026, 2, 10, 1, tzinfo=UTC)
    window = {"vendor": carrier, "by": victor, "kind": ExclusionKind.MAINTENANCE,
              "starts_at": start, "ends_at": start + timedelta(hours=2),
              "reason": "Core router upgrade"}

    with pytest.raises(ValidationError) as no_notice:
        services.exclusion_add(**window)
    with pytest.raises(ValidationError) as late:
        services.exclusion_add(**window, notice_given_at=start - timedelta(days=3))
    services.exclusion_add(**window, notice_given_at=start - timedelta(days=8))

    assert "notice_given_at" in no_notice.value.message_dict
    assert late.value.message_dict["notice_given_at"] == [
        "Announced 3 days ahead; the contract asks for 7."]
    assert DowntimeExclusion.objects.count() == 1


def test_an_exclusion_for_an_incident_needs_the_incident_attributed(carrier, victor, incident):
    with pytest.raises(ValidationError) as refused:
        services.exclusion_add(vendor=carrier, by=victor, kind=ExclusionKind.CAUSED_BY_US,
                               incident=incident, starts_at=MARCH,
                               ends_at=MARCH + timedelta(hours=1), reason="Our release")
    assert "incident" in refused.value.message_dict


def test_an_exclusion_needs_a_reason_and_a_window_in_order(carrier, victor):
    with pytest.raises(ValidationError) as refused:
        services.exclusion_add(vendor=carrier, by=victor, kind=ExclusionKind.FORCE_MAJEURE,
                               starts_at=MARCH, ends_at=MARCH, reason="")
    assert set(refused.value.message_dict) == {"reason", "ends_at"}
