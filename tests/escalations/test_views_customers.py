"""Customer pages: the escalations landing page, the list and the customer page as
each role sees them, the JSON export and the erase form."""

import json

import pytest
from django.urls import reverse

from core.choices import Role
from escalations import services
from escalations.models import Customer

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
SEES_PERSONAL = {Role.MANAGER, Role.ESCALATION_LEAD}
SEES_MONEY = {Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE}


def url(name, *args):
    return reverse(f"escalations:{name}", args=args)


def test_the_escalation_queue_links_to_customers(client, viewer):
    client.force_login(viewer)
    html = client.get(url("index")).content.decode()
    assert "Not built yet" not in html
    assert url("customers") in html


def test_pages_need_a_login(client, customer):
    for page in (url("customers"), url("customer", customer.pk)):
        response = client.get(page)
        assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_list_and_page_show_personal_data_and_money_by_role(client, make_user, customer, role):
    client.force_login(make_user(role))
    listing = client.get(url("customers")).content.decode()
    page = client.get(url("customer", customer.pk)).content.decode()
    for html in (listing, page):
        assert "ACC-104200" in html and "VIP" in html
        assert ("Harriet Okafor" in html) is (role in SEES_PERSONAL)
        assert ("harriet.okafor@example.com" in html) is (role in SEES_PERSONAL)
        assert ("84,000.00" in html) is (role in SEES_MONEY)
    assert ("07700 900123" in page) is (role in SEES_PERSONAL)
    assert ("Prefers email" in page) is (role in SEES_PERSONAL)
    assert ("Export (JSON)" in page) is (role == Role.MANAGER)
    assert ("Erase personal data" in page) is (role == Role.MANAGER)


def test_search_matches_names_only_for_roles_that_see_them(client, make_user, customer):
    client.force_login(make_user(Role.VIEWER))
    assert "ACC-104200" not in client.get(url("customers"), {"q": "Okafor"}).content.decode()
    assert "ACC-104200" in client.get(url("customers"), {"q": "104200"}).content.decode()
    client.force_login(make_user(Role.ESCALATION_LEAD))
    assert "ACC-104200" in client.get(url("customers"), {"q": "okafor"}).content.decode()


def test_tier_filter(client, manager, customer):
    services.customer_create(by=manager, name="Aled", account_reference="ACC-2")
    client.force_login(manager)
    html = client.get(url("customers"), {"tier": "standard"}).content.decode()
    assert "ACC-2" in html and "ACC-104200" not in html


def test_manager_downloads_the_export(client, manager, customer):
    client.force_login(manager)
    response = client.get(url("customer-export", customer.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="customer-{customer.pk}-export.json"')
    data = json.loads(response.content)
    assert data["customer"]["name"] == "Harriet Okafor"
    assert data["history"][0]["by"] == "maria"


@pytest.mark.parametrize("role", [Role.ESCALATION_LEAD, Role.VIEWER])
def test_others_cannot_export_or_erase(client, make_user, customer, role):
    client.force_login(make_user(role))
    assert client.get(url("customer-export", customer.pk)).status_code == 403
    response = client.post(url("customer-erase", customer.pk), {"reason": "x"})
    assert response.status_code == 403
    assert not Customer.objects.get(pk=customer.pk).is_erased


def test_manager_erases_with_a_reason(client, manager, customer):
    client.force_login(manager)
    response = client.post(url("customer-erase", customer.pk), {"reason": "DSAR-9"},
                           follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Erased on request" in html and "Harriet" not in html
    assert f"ERASED-{customer.pk}" in html
    assert "Erase personal data" not in html  # nothing left to erase


def test_erase_without_reason_shows_the_error(client, manager, customer):
    client.force_login(manager)
    response = client.post(url("customer-erase", customer.pk), {"reason": ""})
    assert response.status_code == 400
    assert "Say why the customer is erased" in response.content.decode()
    assert not Customer.objects.get(pk=customer.pk).is_erased


def test_erase_needs_post(client, manager, customer):
    client.force_login(manager)
    assert client.get(url("customer-erase", customer.pk)).status_code == 405
