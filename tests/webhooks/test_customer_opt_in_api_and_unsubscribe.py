"""Customer status-update opt-in through the API (same rule and audit as the page),
and the one-click unsubscribe link in every customer status email (no login)."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.choices import Role
from escalations import services as escalation_services
from incidents.services import status_update_post
from integrations.webhooks.choices import EmailStatus
from integrations.webhooks.customer_updates import (
    customer_emails_send,
    customer_opt_in,
    unsubscribe_token,
)
from integrations.webhooks.models import CustomerUpdateEmail, CustomerUpdateOptIn

pytestmark = pytest.mark.django_db

OPT_INS = "/api/customer-update-opt-ins/"


@pytest.fixture
def lead(make_user):
    return make_user(Role.ESCALATION_LEAD, username="elena")


@pytest.fixture
def customer(manager):
    return escalation_services.customer_create(by=manager, name="Harriet Example",
                                               account_reference="ACC-200",
                                               email="harriet@example.com")


@pytest.fixture
def linked(customer, lead, declare):
    incident = declare()
    escalation = escalation_services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P2",
        summary="No dial tone", owner=lead)
    escalation_services.escalation_link_incident(escalation=escalation, incident=incident,
                                                 by=lead)
    customer_opt_in(customer=customer, by=lead, note="Asked on the phone")
    return incident


def _history(customer):
    return list(CustomerUpdateOptIn.history.filter(customer_id=customer.pk)
                .order_by("history_date").values_list("history_type", "history_user__username",
                                                      "history_change_reason"))


# --- The API --------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [
    (Role.MANAGER, 201), (Role.ESCALATION_LEAD, 201), (Role.INCIDENT_RESPONDER, 403),
    (Role.VENDOR_MANAGER, 403), (Role.FINANCE, 403), (Role.VIEWER, 403)])
def test_who_may_opt_a_customer_in(api_as, make_user, customer, role, expected):
    user = make_user(role, username=f"user-{role}")
    response = api_as(user).post(OPT_INS, {"customer": customer.pk, "note": "By phone"},
                                 format="json")
    assert response.status_code == expected, response.content
    assert CustomerUpdateOptIn.objects.filter(customer=customer).exists() == (expected == 201)
    assert api_as(user).get(OPT_INS).status_code == (200 if expected == 201 else 403)


def test_anonymous_cannot_use_the_api(api_client, customer):
    assert api_client.post(OPT_INS, {"customer": customer.pk}, format="json"
                           ).status_code in (401, 403)


def test_opt_in_is_audited_and_idempotent_then_opt_out(api_as, lead, customer):
    api = api_as(lead)
    first = api.post(OPT_INS, {"customer": customer.pk, "note": "Asked by email"},
                     format="json")
    assert first.status_code == 201, first.content
    assert first.json()["note"] == "Asked by email"
    again = api.post(OPT_INS, {"customer": customer.pk, "note": "Twice"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    listed = api.get(OPT_INS, {"customer": customer.pk}).json()
    assert [row["customer"] for row in listed["results"]] == [customer.pk]
    assert api.delete(f"{OPT_INS}{first.json()['id']}/").status_code == 204
    assert not CustomerUpdateOptIn.objects.exists()
    assert _history(customer) == [
        ("+", "elena", "Customer opted in to status updates by email"),
        ("-", "elena", "Customer opted out")]


def test_bad_input_names_the_field(api_as, lead, customer, manager):
    api = api_as(lead)
    response = api.post(OPT_INS, {"customer": 999999}, format="json")
    assert response.status_code == 400 and "customer" in response.json()["errors"]
    escalation_services.customer_erase(customer=customer, by=manager, reason="Asked")
    response = api.post(OPT_INS, {"customer": customer.pk}, format="json")
    assert response.status_code == 400 and "customer" in response.json()["errors"]


def test_the_list_costs_the_same_queries_however_many(api_as, lead, manager,
                                                      django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_as(lead)

    def opt_in(n):
        for i in range(n):
            customer = escalation_services.customer_create(
                by=manager, name=f"C{n}-{i}", account_reference=f"ACC-{n}-{i}",
                email=f"c{n}{i}@example.com")
            customer_opt_in(customer=customer, by=lead)

    opt_in(2)
    with CaptureQueriesContext(connection) as few:
        assert api.get(OPT_INS).status_code == 200
    opt_in(8)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(api.get(OPT_INS).json()["results"]) == 10


# --- The unsubscribe link --------------------------------------------------------------


def test_every_customer_email_carries_a_one_click_unsubscribe(linked, responder, customer):
    status_update_post(incident=linked, by=responder, audience="customer", body="Restored")
    customer_emails_send()
    (message,) = mail.outbox
    path = reverse("webhooks:unsubscribe", args=[unsubscribe_token(customer)])
    link = f"http://127.0.0.1:8000{path}"
    assert link in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_link_unsubscribes_without_login_once_and_audited(linked, responder, customer):
    url = reverse("webhooks:unsubscribe", args=[unsubscribe_token(customer)])
    browser = Client(enforce_csrf_checks=True)  # a mail client's POST carries no token
    page = browser.get(url)
    assert page.status_code == 200
    assert b"Stop these emails" in page.content
    assert CustomerUpdateOptIn.objects.exists()  # a GET (a mail scanner) changes nothing

    done = browser.post(url, "List-Unsubscribe=One-Click",
                        content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    assert b"You are unsubscribed" in done.content
    assert not CustomerUpdateOptIn.objects.exists()
    again = browser.post(url)
    assert again.status_code == 200 and b"already unsubscribed" in again.content
    assert _history(customer)[-1] == (
        "-", "switchboard-system",
        "The customer unsubscribed with the link in a status update email")

    status_update_post(incident=linked, by=responder, audience="customer", body="Update")
    assert not CustomerUpdateEmail.objects.exists()


def test_emails_not_sent_yet_are_dropped(linked, responder, customer):
    status_update_post(incident=linked, by=responder, audience="customer", body="Update")
    Client().post(reverse("webhooks:unsubscribe", args=[unsubscribe_token(customer)]))
    assert customer_emails_send() == {"sent": 0, "failed": 0, "skipped": 0}
    assert CustomerUpdateEmail.objects.get().status == EmailStatus.SKIPPED
    assert mail.outbox == []


def test_an_altered_link_is_refused_clearly(customer, linked):
    token = unsubscribe_token(customer)
    for bad in (token[:-2] + "xx", "nonsense"):
        response = Client().post(reverse("webhooks:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert b"not valid" in response.content
    assert CustomerUpdateOptIn.objects.exists()
