"""The customer admin: search and filters, personal data hidden from staff without
the capability, audited edits through the services, and "Erase on request…"."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from core.choices import Role
from escalations import services
from escalations.models import Customer

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:escalations_customer_changelist")


def change_url(customer):
    return reverse("admin:escalations_customer_change", args=[customer.pk])


@pytest.fixture
def vendor_manager(make_user):
    return make_user(Role.VENDOR_MANAGER, username="victor", is_staff=True)


def test_manager_lists_searches_and_filters(client, manager, customer):
    other = services.customer_create(by=manager, name="Aled Pritchard",
                                     account_reference="ACC-2")
    client.force_login(manager)
    page = client.get(CHANGELIST).content.decode()
    assert "Harriet Okafor" in page and "ACC-2" in page
    page = client.get(CHANGELIST, {"q": "Pritchard"}).content.decode()
    assert "ACC-2" in page and "ACC-104200" not in page
    page = client.get(CHANGELIST, {"tier__exact": "vip"}).content.decode()
    assert "ACC-104200" in page and other.account_reference not in page


def test_staff_without_the_capability_see_no_personal_data(client, vendor_manager, customer):
    client.force_login(vendor_manager)
    listing = client.get(CHANGELIST).content.decode()
    assert "ACC-104200" in listing and "Harriet" not in listing
    assert "84,000" in listing or "84000" in listing  # vendor managers see money
    assert "0 results" in client.get(CHANGELIST, {"q": "Harriet"}).content.decode()
    page = client.get(change_url(customer)).content.decode()
    assert "ACC-104200" in page
    for value in ("Harriet", "harriet.okafor@example.com", "07700 900123", "Prefers email"):
        assert value not in page
    history = reverse("admin:escalations_customer_history", args=[customer.pk])
    assert "Harriet" not in client.get(history).content.decode()
    version = reverse("admin:escalations_customer_simple_history",
                      args=[customer.pk, customer.history.get().history_id])
    response = client.get(version)
    assert response.status_code == 200
    assert "Harriet" not in response.content.decode()


def test_admin_edit_goes_through_the_service(client, manager, customer):
    client.force_login(manager)
    response = client.post(change_url(customer), {
        "account_reference": "ACC-104200", "name": "Harriet Okafor", "tier": "high_value",
        "annual_value": "84000.00", "email": "harriet.okafor@example.com",
        "phone": "07700 900123", "address": "12 High Street\nLeeds",
        "notes": "Card 4111 1111 1111 1111",
    })
    assert response.status_code == 302
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.tier == "high_value" and stored.notes == "Card [card •••• 1111]"
    assert customer.history.first().history_change_reason == "Edited: notes, tier"


def test_customers_cannot_be_deleted_in_the_admin(client, manager, customer):
    client.force_login(manager)
    response = client.get(reverse("admin:escalations_customer_delete", args=[customer.pk]))
    assert response.status_code == 403


def test_erase_action_asks_for_a_reason_then_erases(client, manager, customer):
    client.force_login(manager)
    data = {"action": "erase_selected", ACTION_CHECKBOX_NAME: [customer.pk]}
    form = client.post(CHANGELIST, data)
    assert form.status_code == 200 and "Reason" in form.content.decode()

    response = client.post(CHANGELIST, {**data, "apply": "1", "reason": "DSAR-3"}, follow=True)

    assert "Erased: 1." in [str(m) for m in get_messages(response.wsgi_request)]
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.is_erased
    assert customer.history.first().history_change_reason == "Erased on request: DSAR-3"


def test_erase_action_reports_refusals(client, manager, customer):
    client.force_login(manager)
    data = {"action": "erase_selected", ACTION_CHECKBOX_NAME: [customer.pk], "apply": "1"}
    response = client.post(CHANGELIST, {**data, "reason": ""}, follow=True)
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Say why" in text for text in texts)
    assert not Customer.objects.get(pk=customer.pk).is_erased


def test_erase_action_is_not_offered_without_the_permission(client, vendor_manager, customer):
    client.force_login(vendor_manager)
    assert "erase_selected" not in client.get(CHANGELIST).content.decode()
