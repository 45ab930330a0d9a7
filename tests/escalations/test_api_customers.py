"""The customer API: the per-role matrix (who may call what, who sees personal data
and money), search that never reveals hidden fields, create and edit through the
services, export and erase, and a constant query count on the list."""
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from core.choices import Role
from escalations import services
from escalations.models import Customer
from tests.factories import ANONYMOUS

pytestmark = pytest.mark.django_db

BASE = "/api/customers/"
PERSONAL = {"name", "email", "phone", "address", "notes"}
ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
SEES_PERSONAL = {Role.MANAGER, Role.ESCALATION_LEAD}
SEES_MONEY = {Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE}
CREATES = {Role.MANAGER, Role.ESCALATION_LEAD}
ERASES = {Role.MANAGER}


def url(customer, action=None):
    return f"{BASE}{customer.pk}/" + (f"{action}/" if action else "")



def expected(role, allowed, ok):
    # Anonymous callers get 403 too (session auth comes first, so no 401 challenge).
    return ok if role in allowed else 403


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_list_and_retrieve_matrix(as_role, customer, role):
    client = as_role(role)
    listing = client.get(BASE)
    one = client.get(url(customer))
    status = expected(role, set(ROLES), 200)
    assert (listing.status_code, one.status_code) == (status, status)
    if status != 200:
        return
    for body in (listing.json()["results"][0], one.json()):
        assert body["account_reference"] == "ACC-104200"
        assert body["tier"] == "vip" and body["tier_label"] == "VIP"
        assert (set(body) >= PERSONAL) is (role in SEES_PERSONAL)
        assert not (PERSONAL & set(body)) or role in SEES_PERSONAL
        assert ("annual_value" in body) is (role in SEES_MONEY)
    if role in SEES_PERSONAL:
        assert one.json()["name"] == "Harriet Okafor"
    if role in SEES_MONEY:
        assert one.json()["annual_value"] == "84000.00"
    assert "Harriet" not in str(one.json()) or role in SEES_PERSONAL


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_create_matrix(as_role, db, role):
    response = as_role(role).post(BASE, {"account_reference": "ACC-7", "name": "Chen Wei",
                                         "tier": "priority", "email": "chen@example.com"})
    assert response.status_code == expected(role, CREATES, 201)
    assert Customer.objects.filter(account_reference="ACC-7").exists() is (role in CREATES)
    if role in CREATES:
        assert response.json()["name"] == "Chen Wei"
        assert Customer.objects.get(account_reference="ACC-7").history.get(
        ).history_change_reason == "Created"


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_export_matrix(as_role, customer, role):
    response = as_role(role).get(url(customer, "export"))
    assert response.status_code == expected(role, ERASES, 200)
    if response.status_code == 200:
        body = response.json()
        assert body["customer"]["email"] == "harriet.okafor@example.com"
        assert body["history"][0]["reason"] == "Created"
    else:
        assert "harriet" not in response.content.decode().lower()


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_erase_matrix(as_role, customer, role):
    response = as_role(role).post(url(customer, "erase"), {"reason": "DSAR-1"})
    assert response.status_code == expected(role, ERASES, 200)
    assert Customer.objects.get(pk=customer.pk).is_erased is (role in ERASES)
    if role in ERASES:
        assert response.json()["name"] == f"Erased customer #{customer.pk}"
        assert response.json()["account_reference"] == f"ERASED-{customer.pk}"


def test_erase_needs_a_reason(api_as, manager, customer):
    response = api_as(manager).post(url(customer, "erase"), {})
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_erasing_twice_is_a_clear_400(api_as, manager, customer):
    client = api_as(manager)
    client.post(url(customer, "erase"), {"reason": "DSAR-1"})
    response = client.post(url(customer, "erase"), {"reason": "DSAR-1"})
    assert response.status_code == 400
    assert "already erased" in response.json()["detail"]


def test_create_refuses_a_duplicate_reference_with_the_field_named(api_as, manager, customer):
    response = api_as(manager).post(BASE, {"account_reference": "ACC-104200", "name": "X"})
    assert response.status_code == 400
    assert "account_reference" in response.json()["errors"]


def test_escalation_lead_may_not_set_money_it_cannot_see(api_as, lead):
    response = api_as(lead).post(BASE, {"account_reference": "ACC-8", "name": "X",
                                        "annual_value": "1000.00"})
    assert response.status_code == 403
    assert "annual_value" in response.json()["detail"]


def test_patch_edits_through_the_service_and_redacts_notes(api_as, lead, customer):
    response = api_as(lead).patch(url(customer), {"notes": "Card 4111 1111 1111 1111",
                                                  "erased_at": None})
    assert response.status_code == 200, response.json()
    assert response.json()["notes"] == "Card [card •••• 1111]"
    assert customer.history.first().history_change_reason == "Edited: notes"


@pytest.mark.parametrize("role", [Role.INCIDENT_RESPONDER, Role.VENDOR_MANAGER, Role.FINANCE,
                                  Role.VIEWER])
def test_patch_is_refused_to_readers(as_role, customer, role):
    assert as_role(role).patch(url(customer), {"tier": "standard"}).status_code == 403
    assert Customer.objects.get(pk=customer.pk).tier == "vip"


def test_search_by_name_only_for_roles_that_see_names(as_role, customer):
    def found(client, term):
        return [c["account_reference"] for c in client.get(BASE, {"search": term}).json()[
            "results"]]

    lead_client = as_role(Role.ESCALATION_LEAD)
    assert found(lead_client, "Okafor") == ["ACC-104200"]
    assert found(lead_client, "104200") == ["ACC-104200"]
    viewer_client = as_role(Role.VIEWER)
    assert found(viewer_client, "Okafor") == []  # a match would reveal the name
    assert found(viewer_client, "104200") == ["ACC-104200"]


def test_filters_by_tier_and_erasure(api_as, manager, customer):
    other = services.customer_create(by=manager, name="Aled", account_reference="ACC-2")
    services.customer_erase(customer=other, by=manager, reason="DSAR")
    client = api_as(manager)

    def refs(**params):
        return [c["account_reference"] for c in client.get(BASE, params).json()["results"]]

    assert refs(tier="vip") == ["ACC-104200"]
    assert refs(erased="true") == [f"ERASED-{other.pk}"]
    assert refs(erased="false") == ["ACC-104200"]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_list_query_count_is_constant(api_client, make_user, manager,
                                      django_assert_num_queries, role):
    user = make_user(role, username="reader")

    def list_customers():
        # A fresh user object each time: Django caches permissions on the instance.
        api_client.force_authenticate(get_user_model().objects.get(pk=user.pk))
        # The user's own and group permissions, the page's count, the page of customers.
        with django_assert_num_queries(4):
            response = api_client.get(BASE, {"page_size": 100})
        assert response.status_code == 200
        return len(response.json()["results"])

    services.customer_create(by=manager, name="A", account_reference="ACC-1")
    assert list_customers() == 1
    for number in range(2, 40):
        services.customer_create(by=manager, name=f"C{number}", account_reference=f"ACC-{number}",
                                 annual_value=Decimal(number))
    assert list_customers() == 39
