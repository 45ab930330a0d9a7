"""A subject-access export holds everything about the person (their escalations, notes,
compensation, timeline, notifications naming them), erasure reaches the same rows, and
the customer page's "customer 360" card shows their history, money only to money roles."""

import json
from decimal import Decimal

import pytest

from core.choices import Role
from core.notifications import notify
from escalations import services
from incidents import services as incident_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(customer, lead, manager, open_escalation, make_user):
    """Two escalations: a note, a tier climb, compensation offered and approved, a link
    to an incident, and a notification that quotes the account reference."""
    responder = make_user(Role.INCIDENT_RESPONDER, username="rory")
    first = open_escalation(summary="Billed twice")
    second = open_escalation(summary="Engineer no-show", priority="P3")
    services.escalation_add_note(escalation=first, by=lead,
                                 text="Called Harriet Okafor back", customer_update=True)
    services.escalation_escalate_tier(escalation=first, by=lead, reason="Asked for a manager")
    services.escalation_offer_compensation(escalation=first, by=lead, amount=Decimal("120.00"),
                                           note="Refund of the double charge")
    services.escalation_approve_compensation(escalation=first, by=manager)
    incident = incident_services.incident_declare(by=responder, title="Billing run duplicated")
    services.escalation_link_incident(escalation=first, incident=incident, by=lead)
    notify([manager], title="VIP ACC-104200 is unhappy", body="See the queue.")
    return {"first": first, "second": second, "incident": incident}


def test_export_holds_escalations_notes_compensation_links_and_notifications(
        customer, manager, history):
    data = services.customer_export(customer=customer, by=manager)
    json.dumps(data)  # serialisable as is
    assert [e["reference"] for e in data["escalations"]] == [history["first"].reference,
                                                              history["second"].reference]
    first = data["escalations"][0]
    assert first["summary"] == "Billed twice" and first["owner"] == "elena"
    assert first["compensation"]["compensation_offered"] == "120.00"
    assert first["compensation"]["compensation_approved"] == "120.00"
    assert first["compensation"]["compensation_approved_by"] == "maria"
    assert [i["reference"] for i in first["linked_incidents"]] == [history["incident"].reference]
    texts = " ".join(t["text"] for t in first["timeline"])
    assert "Called Harriet Okafor back" in texts
    assert [c["reason"] for c in first["tier_changes"]] == ["Asked for a manager"]
    assert first["history"] and first["history"][0]["change"] == "created"
    assert data["compensation_total"] == {"offered": "120.00", "approved": "120.00"}
    titles = [n["title"] for n in data["notifications"]]
    assert "VIP ACC-104200 is unhappy" in titles
    # Notifications about their escalations are there too (the assignment to the owner).
    assert any(n["url"] == history["first"].get_absolute_url() for n in data["notifications"])


def test_erasure_reaches_what_the_export_holds(customer, manager, history):
    services.customer_erase(customer=customer, by=manager, reason="DSAR-9")
    text = json.dumps(services.customer_export(customer=customer, by=manager)).lower()
    for identifier in ("harriet okafor", "acc-104200", "harriet.okafor@example.com"):
        assert identifier not in text
    # The facts stay: the escalations, the money, the links.
    data = services.customer_export(customer=customer, by=manager)
    assert len(data["escalations"]) == 2 and data["compensation_total"]["approved"] == "120.00"


def test_readable_export_page_for_managers_only(client, customer, manager, lead, history):
    client.force_login(manager)
    page = client.get(f"/escalations/customers/{customer.pk}/export/", {"format": "html"})
    text = page.content.decode()
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert text.count('data-testid="export-escalation"') == 2
    assert "Refund of the double charge" in text and "VIP ACC-104200 is unhappy" in text
    client.force_login(lead)
    assert client.get(f"/escalations/customers/{customer.pk}/export/",
                      {"format": "html"}).status_code == 403


def test_api_export_has_the_same_content(api_as, customer, manager, history):
    body = api_as(manager).get(f"/api/customers/{customer.pk}/export/").json()
    assert len(body["escalations"]) == 2 and body["notifications"]


@pytest.mark.parametrize(("role", "sees_card", "sees_money"), [
    (Role.MANAGER, True, True),
    (Role.ESCALATION_LEAD, True, False),
    (Role.INCIDENT_RESPONDER, True, False),
    (Role.VENDOR_MANAGER, True, True),
    (Role.FINANCE, True, True),
    (Role.VIEWER, True, False),
])
def test_customer_360_card_per_role(client, make_user, customer, history, role, sees_card,
                                    sees_money):
    client.force_login(make_user(role, username=f"c-{role}".replace(" ", "")))
    response = client.get(f"/escalations/customers/{customer.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert ('data-testid="customer-360"' in text) is sees_card
    if sees_card:
        assert text.count('data-testid="c360-escalation"') == 2
        assert text.count('data-testid="c360-incident"') == 1
        assert history["incident"].reference in text
    assert ("c360-compensation" in text) is sees_money
    if sees_money:
        assert "EUR 120.00" in text


def test_customer_360_queries_do_not_grow(client, manager, customer, history, open_escalation,
                                          django_assert_max_num_queries):
    client.force_login(manager)
    client.get(f"/escalations/customers/{customer.pk}/")
    for _ in range(5):
        open_escalation(summary="More")
    with django_assert_max_num_queries(30) as captured:
        client.get(f"/escalations/customers/{customer.pk}/")
    few = len(captured)
    for _ in range(5):
        open_escalation(summary="Even more")
    with django_assert_max_num_queries(few):
        client.get(f"/escalations/customers/{customer.pk}/")
