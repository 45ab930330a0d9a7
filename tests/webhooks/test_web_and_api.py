"""The Webhooks pages and API: managers configure; every other role is refused."""

import pytest
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from core.choices import Role
from integrations.webhooks import services
from integrations.webhooks.delivery import deliveries_send
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.factories import ANONYMOUS
from tests.support.api import assert_missing

pytestmark = pytest.mark.django_db

OTHER_ROLES = [Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
               Role.FINANCE, Role.VIEWER]


@pytest.fixture
def existing(subscribe, manager):
    subscription = subscribe()
    delivery = services.subscription_send_test(subscription=subscription, by=manager)
    return subscription, delivery


def _pages(subscription, delivery):
    return [reverse("webhooks:index"), reverse("webhooks:subscription-new"),
            subscription.get_absolute_url(),
            reverse("webhooks:subscription-edit", args=[subscription.pk]),
            delivery.get_absolute_url()]


def test_a_manager_reads_every_page(client, manager, existing):
    client.force_login(manager)
    for url in _pages(*existing):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(existing[0].get_absolute_url()).content.decode()
    assert existing[0].secret not in page  # only ever shown right after create/rotate


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_every_page_and_action(client, make_user, existing, role):
    subscription, delivery = existing
    client.force_login(make_user(role, username="someone", is_staff=True))
    for url in _pages(subscription, delivery):
        assert client.get(url).status_code == 403, url
    for action in ("test", "rotate", "disable", "delete"):
        url = reverse("webhooks:subscription-action", args=[subscription.pk, action])
        assert client.post(url).status_code == 403
    assert client.post(reverse("webhooks:delivery-replay", args=[delivery.pk])).status_code == 403
    subscription.refresh_from_db()
    assert subscription.enabled


def test_the_area_shows_in_the_navigation_for_managers_only(client, manager, make_user):
    client.force_login(manager)
    assert reverse("webhooks:index") in client.get("/").content.decode()
    client.force_login(make_user(Role.VIEWER, username="vera"))
    assert reverse("webhooks:index") not in client.get("/").content.decode()


def test_a_manager_creates_a_subscription_and_sees_the_secret_once(client, manager, receiver):
    client.force_login(manager)
    response = client.post(reverse("webhooks:subscription-new"), {
        "name": "Desk bridge", "url": receiver.url, "preset": "generic",
        "event_types": ["incident.declared", "escalation.breached"], "enabled": "on",
        "allow_private_addresses": "on"})
    subscription = WebhookSubscription.objects.get()
    assert response.status_code == 302 and response.url == subscription.get_absolute_url()
    assert subscription.secret in client.get(response.url).content.decode()
    assert subscription.event_types == ["escalation.breached", "incident.declared"]
    assert subscription.allow_private_addresses and subscription.owner == manager
    assert subscription.history.first().history_user == manager
    again = client.get(subscription.get_absolute_url()).content.decode()
    assert subscription.secret not in again and subscription.secret_hint in again


def test_bad_subscription_input_is_a_400_naming_the_field(client, manager):
    client.force_login(manager)
    response = client.post(reverse("webhooks:subscription-new"), {
        "name": "X", "url": "ftp://example.com/hook", "preset": "generic",
        "event_types": ["incident.declared"]})
    assert response.status_code == 400
    assert "http:// or https://" in response.content.decode()
    response = client.post(reverse("webhooks:subscription-new"), {
        "name": "X", "url": "https://example.com/hook", "preset": "generic"})
    assert response.status_code == 400
    assert not WebhookSubscription.objects.exists()


def test_rotate_shows_the_new_secret_and_test_event_opens_its_delivery(client, manager,
                                                                       existing):
    subscription, _ = existing
    client.force_login(manager)
    old = subscription.secret
    response = client.post(reverse("webhooks:subscription-action",
                                   args=[subscription.pk, "rotate"]))
    subscription.refresh_from_db()
    assert subscription.secret != old and response.status_code == 302
    assert subscription.secret in client.get(response.url).content.decode()
    assert subscription.secret not in client.get(response.url).content.decode()
    response = client.post(reverse("webhooks:subscription-action",
                                   args=[subscription.pk, "test"]))
    assert response.status_code == 302
    assert response.url == WebhookDelivery.objects.filter(is_test=True).first().get_absolute_url()


def test_the_delivery_page_shows_request_and_attempts_and_replays(client, manager, existing,
                                                                 receiver):
    subscription, delivery = existing
    deliveries_send()
    client.force_login(manager)
    page = client.get(delivery.get_absolute_url()).content.decode()
    assert delivery.event_id in page and "webhook-signature" in page and "HTTP 200" in page
    response = client.post(reverse("webhooks:delivery-replay", args=[delivery.pk]))
    assert response.status_code == 302
    deliveries_send()
    assert len(receiver.requests) == 2


def test_the_delivery_log_filters_by_status(client, manager, existing):
    subscription, _ = existing
    client.force_login(manager)
    url = subscription.get_absolute_url()
    assert "webhook.test" in client.get(url, {"status": "pending"}).content.decode()
    assert "webhook.test" not in client.get(url, {"status": "delivered"}).content.decode()


# --- API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*OTHER_ROLES, ANONYMOUS])
def test_other_roles_cannot_use_the_api(as_role, existing, role):
    subscription, delivery = existing
    client = as_role(role)
    expected = 401 if role == ANONYMOUS else 403
    assert client.get("/api/webhook-subscriptions/").status_code in (expected, 403)
    assert client.get(f"/api/webhook-deliveries/{delivery.pk}/").status_code in (expected, 403)
    assert client.post(f"/api/webhook-deliveries/{delivery.pk}/replay/").status_code in (
        expected, 403)
    assert client.post("/api/webhook-subscriptions/", {}, format="json").status_code in (
        expected, 403)


def test_the_api_creates_rotates_and_replays(api_as, manager, receiver,
                                            django_assert_max_num_queries):
    api = api_as(manager)
    response = api.post("/api/webhook-subscriptions/", {
        "name": "API", "url": receiver.url, "event_types": ["incident.declared"],
        "allow_private_addresses": True}, format="json")
    assert response.status_code == 201, response.json()
    secret = response.json()["secret"]
    pk = response.json()["id"]
    assert "secret" not in api.get(f"/api/webhook-subscriptions/{pk}/").json()

    rotated = api.post(f"/api/webhook-subscriptions/{pk}/rotate-secret/").json()
    assert rotated["secret"] != secret and rotated["previous_secret_expires_at"]

    test = api.post(f"/api/webhook-subscriptions/{pk}/send-test/")
    assert test.status_code == 202
    deliveries_send()
    (request,) = receiver.requests
    Webhook(secret).verify(request.body, request.headers)  # the old one, in its grace
    Webhook(rotated["secret"]).verify(request.body, request.headers)

    delivery_id = test.json()["id"]
    detail = api.get(f"/api/webhook-deliveries/{delivery_id}/").json()
    assert detail["status"] == "delivered" and len(detail["attempt_log"]) == 1
    assert api.post(f"/api/webhook-deliveries/{delivery_id}/replay/").status_code == 202
    again = api.post(f"/api/webhook-deliveries/{delivery_id}/replay/")
    assert again.status_code == 409 and again.json()["code"] == "replay_not_possible"

    with django_assert_max_num_queries(6):
        listed = api.get("/api/webhook-deliveries/", {"subscription": pk})
    assert listed.status_code == 200
    types = api.get("/api/webhook-event-types/").json()
    assert "incident.declared" in {t["code"] for t in types}

    assert api.patch(f"/api/webhook-subscriptions/{pk}/", {"enabled": False},
                     format="json").json()["enabled"] is False
    assert api.delete(f"/api/webhook-subscriptions/{pk}/").status_code == 204
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "X", "url": "not a url", "event_types": ["incident.declared"]}, "url"),
    ({"name": "X", "url": "https://example.com/", "event_types": []}, "event_types"),
    ({"name": "X", "url": "https://example.com/", "event_types": ["nope"]}, "event_types"),
    ({"name": " ", "url": "https://example.com/", "event_types": ["incident.declared"]},
     "name"),
    ({"name": "X", "url": "https://example.com/", "event_types": ["incident.declared"],
      "preset": "irc"}, "preset"),
])
def test_bad_api_input_is_a_400_naming_the_field(api_as, manager, body, field):
    assert_missing(api_as(manager).post("/api/webhook-subscriptions/", body, format="json"),
                   field)
    assert not WebhookSubscription.objects.exists()


def test_the_admin_is_for_managers(client, manager, make_user, existing):
    client.force_login(manager)
    assert client.get("/admin/webhooks/webhookdelivery/").status_code == 200
    assert client.get("/admin/webhooks/webhooksubscription/").status_code == 200
    client.force_login(make_user(Role.VENDOR_MANAGER, username="victor", is_staff=True))
    assert client.get("/admin/webhooks/webhooksubscription/").status_code == 403
