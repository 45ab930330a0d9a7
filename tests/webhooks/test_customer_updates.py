"""Customer-facing status updates emailed to opted-in customers of linked escalations."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.choices import Role
from escalations import services as escalation_services
from incidents.services import status_update_post
from integrations.webhooks.choices import EmailStatus
from integrations.webhooks.customer_updates import (
    customer_emails_send,
    customer_opt_in,
    customer_opt_out,
)
from integrations.webhooks.models import CustomerUpdateEmail, CustomerUpdateOptIn

pytestmark = pytest.mark.django_db

CARD = "4111 1111 1111 1111"


@pytest.fixture
def lead(make_user):
    return make_user(Role.ESCALATION_LEAD, username="elena")


@pytest.fixture
def linked(manager, lead, declare):
    """An incident with two linked escalations: one customer opted in, one not."""
    incident = declare()
    customers = []
    for n, email in enumerate(["harriet@example.com", "ben@example.com"]):
        customer = escalation_services.customer_create(
            by=manager, name=f"Customer {n}", account_reference=f"ACC-10{n}", email=email)
        escalation = escalation_services.escalation_create(
            by=lead, customer=customer, category="complaint", priority="P2",
            summary="No dial tone", owner=lead)
        escalation_services.escalation_link_incident(escalation=escalation, incident=incident,
                                                     by=lead)
        customers.append(customer)
    customer_opt_in(customer=customers[0], by=lead, note="Asked on the phone")
    return incident, customers


def test_a_customer_facing_update_is_emailed_to_the_opted_in_customer_masked(
        linked, responder):
    incident, (harriet, ben) = linked
    update = status_update_post(incident=incident, by=responder, audience="customer",
                                body=f"Calls restored. Card {CARD} was read out by mistake.")
    assert customer_emails_send() == {"sent": 1, "failed": 0, "skipped": 0}

    (message,) = mail.outbox
    assert message.to == ["harriet@example.com"]
    assert "Calls restored" in message.body and CARD not in message.body
    assert incident.title in message.subject
    row = CustomerUpdateEmail.objects.get()
    assert (row.customer, row.status_update, row.status) == (harriet, update, EmailStatus.SENT)


def test_internal_updates_are_not_emailed(linked, responder):
    incident, _ = linked
    status_update_post(incident=incident, by=responder, audience="internal", body="Paging")
    assert not CustomerUpdateEmail.objects.exists()


def test_an_erased_customer_gets_nothing(linked, responder, manager):
    incident, (harriet, _) = linked
    status_update_post(incident=incident, by=responder, audience="customer", body="Update")
    escalation_services.customer_erase(customer=harriet, by=manager, reason="Asked by email")
    assert customer_emails_send()["skipped"] == 1
    assert mail.outbox == []


def test_opting_out_stops_the_emails(linked, responder, lead):
    incident, (harriet, _) = linked
    customer_opt_out(customer=harriet, by=lead)
    status_update_post(incident=incident, by=responder, audience="customer", body="Update")
    assert not CustomerUpdateEmail.objects.exists()


@pytest.mark.parametrize("role", [Role.INCIDENT_RESPONDER, Role.VENDOR_MANAGER,
                                  Role.FINANCE, Role.VIEWER])
def test_only_roles_that_see_customers_record_an_opt_in(linked, make_user, role):
    _, (_, ben) = linked
    with pytest.raises(PermissionDenied):
        customer_opt_in(customer=ben, by=make_user(role, username="someone"))


def test_the_customer_page_offers_the_opt_in(client, linked, lead):
    _, (harriet, ben) = linked
    client.force_login(lead)
    page = client.get(ben.get_absolute_url()).content.decode()
    assert 'data-testid="opt-in"' in page
    response = client.post(reverse("webhooks:customer-opt", args=[ben.pk, "in"]),
                           {"note": "Portal"})
    assert response.status_code == 302
    opt_in = CustomerUpdateOptIn.objects.get(customer=ben)
    assert (opt_in.opted_in_by, opt_in.note) == (lead, "Portal")
    assert opt_in.history.get().history_change_reason.startswith("Customer opted in")
    assert "Opted in on" in client.get(harriet.get_absolute_url()).content.decode()


def test_roles_without_personal_data_do_not_see_the_card(client, linked, make_user):
    _, (harriet, _) = linked
    client.force_login(make_user(Role.INCIDENT_RESPONDER, username="someone"))
    response = client.get(harriet.get_absolute_url())
    assert response.status_code == 200
    assert 'data-testid="customer-status-updates"' not in response.content.decode()
    refused = client.post(reverse("webhooks:customer-opt", args=[harriet.pk, "out"]))
    assert refused.status_code == 403
