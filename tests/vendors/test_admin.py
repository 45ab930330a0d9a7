"""Vendors and contracts in the admin: history, transitions as actions through the
services, refusals shown, money hidden from staff who do not see it."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from core.choices import Role
from vendors.choices import ContractState, VendorStatus
from vendors.models import Contract, Vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(make_contract):
    return make_contract(value=Decimal("18400.00"),
                         fee_lines=[{"name": "SIP channel rental", "amount": "12600.00"}])


def test_vendor_manager_works_in_the_admin(client, victor, carrier, contract):
    client.force_login(victor)
    pages = ["/admin/vendors/vendor/", f"/admin/vendors/vendor/{carrier.pk}/change/",
             f"/admin/vendors/vendor/{carrier.pk}/history/", "/admin/vendors/contract/",
             f"/admin/vendors/contract/{contract.pk}/change/",
             f"/admin/vendors/contract/{contract.pk}/history/",
             "/admin/vendors/contractdeadline/", "/admin/vendors/vendorattribution/",
             "/admin/vendors/downtimeexclusion/", "/admin/vendors/vendorcontact/"]
    assert [client.get(page).status_code for page in pages] == [200] * len(pages)
    change = client.get(f"/admin/vendors/contract/{contract.pk}/change/").content.decode()
    assert "18400.00" in change
    assert "SIP channel rental" in change


def test_staff_without_money_see_no_value_or_fee_lines(client, make_user, contract):
    clerk = make_user(Role.VIEWER, username="clerk", is_staff=True)
    client.force_login(clerk)
    listing = client.get("/admin/vendors/contract/").content.decode()
    change = client.get(f"/admin/vendors/contract/{contract.pk}/change/").content.decode()
    assert contract.reference in listing
    assert "18400" not in listing
    assert "18400" not in change
    assert "SIP channel rental" not in change


def test_transitions_are_actions_that_call_the_services(client, victor, carrier,
                                                        make_contract):
    draft = make_contract(activate=False)
    ownerless = make_contract(activate=False, owner=None)
    client.force_login(victor)

    response = client.post("/admin/vendors/contract/", {
        "action": "activate_selected", "_selected_action": [draft.pk, ownerless.pk]},
        follow=True)
    page = response.content.decode()

    draft.refresh_from_db()
    ownerless.refresh_from_db()
    assert (draft.state, ownerless.state) == (ContractState.ACTIVE, ContractState.DRAFT)
    assert "Choose who owns the contract." in page
    client.post("/admin/vendors/vendor/", {"action": "activate_selected",
                                           "_selected_action": [carrier.pk]})
    assert Vendor.objects.get().status == VendorStatus.ACTIVE


def test_a_contract_saved_in_the_admin_goes_through_the_service(client, victor, carrier):
    client.force_login(victor)
    response = client.post("/admin/vendors/contract/add/", {
        "reference": "", "vendor": carrier.pk, "title": "Numbers", "services": "",
        "owner": victor.pk, "start_date": "2026-01-01", "end_date": "2025-12-31",
        "renewal_type": "none", "notice_period": "30", "notice_unit": "days",
        "value": "", "billing_period": "monthly", "downtime_counts_until": "resolved",
        "renewals-TOTAL_FORMS": "0", "renewals-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
        "deadlines-TOTAL_FORMS": "0", "deadlines-INITIAL_FORMS": "0",
        "fee_lines-TOTAL_FORMS": "0", "fee_lines-INITIAL_FORMS": "0"})
    assert response.status_code == 200  # the form again, with the service's refusal
    assert "The end date must be on or after the start date." in response.content.decode()
    assert not Contract.objects.exists()


def test_nobody_edits_history_or_deadlines(client, victor, contract):
    client.force_login(victor)
    deadline = contract.deadlines.first()
    assert client.post(f"/admin/vendors/contractdeadline/{deadline.pk}/change/",
                       {"outcome": "warned"}).status_code == 403
    assert not Permission.objects.filter(group__name=Role.VENDOR_MANAGER,
                                         codename__startswith="change_historical").exists()


def test_a_running_contract_is_not_deleted_in_the_admin(client, victor, contract):
    client.force_login(victor)
    assert client.get(f"/admin/vendors/contract/{contract.pk}/delete/").status_code == 403
    assert Contract.objects.filter(end_date=date(2026, 12, 31)).exists()
