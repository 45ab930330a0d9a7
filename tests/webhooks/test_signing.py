"""Our signatures, checked by a receiver with the Standard Webhooks reference
implementation (``standardwebhooks.Webhook(secret).verify``)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from integrations.webhooks import services
from integrations.webhooks.choices import DeliveryStatus, Preset
from integrations.webhooks.delivery import deliveries_send
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


def test_a_declared_incident_reaches_the_receiver_signed(subscribe, declare, receiver):
    subscription = subscribe("incident.declared")
    incident = declare()

    assert deliveries_send() == {"delivered": 1}

    (request,) = receiver.requests
    payload = Webhook(subscription.secret).verify(request.body, request.headers)
    assert payload["type"] == "incident.declared"
    assert payload["data"]["incident"]["reference"] == incident.reference
    assert payload["data"]["incident"]["severity"] == "SEV2"
    delivery = WebhookDelivery.objects.get()
    assert request.headers["webhook-id"] == delivery.event_id
    assert delivery.event_id.startswith("msg_")
    assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 5
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.response_status == 200 and delivery.response_body == "received"
    assert delivery.response_ms is not None and delivery.attempts == 1
    attempt = delivery.attempt_log.get()
    assert attempt.succeeded and attempt.request_headers["webhook-id"] == delivery.event_id


def test_another_secret_or_a_changed_body_does_not_verify(subscribe, declare, receiver):
    subscription = subscribe()
    declare()
    deliveries_send()
    (request,) = receiver.requests
    other = WebhookSubscription(secret="whsec_" + "A" * 43)
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription.secret).verify(request.body + b" ", request.headers)


def test_the_secret_has_the_standard_form(subscribe):
    subscription = subscribe()
    assert subscription.secret.startswith("whsec_")
    assert len(Webhook(subscription.secret)._whsecret) == 32


def test_after_rotation_both_secrets_verify_during_the_grace_period(subscribe, declare,
                                                                     receiver, manager):
    subscription = subscribe()
    old_secret = subscription.secret
    subscription = services.subscription_rotate_secret(subscription=subscription, by=manager)
    assert subscription.secret != old_secret
    declare()
    deliveries_send()

    (request,) = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    # A receiver still on the old secret and one already on the new one both accept it.
    Webhook(old_secret).verify(request.body, request.headers)
    Webhook(subscription.secret).verify(request.body, request.headers)


def test_after_the_grace_period_only_the_new_secret_signs(subscribe, declare, receiver,
                                                          manager):
    subscription = subscribe()
    old_secret = subscription.secret
    services.subscription_rotate_secret(subscription=subscription, by=manager)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1))
    declare()
    deliveries_send()

    (request,) = receiver.requests
    subscription.refresh_from_db()
    Webhook(subscription.secret).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(request.body, request.headers)


def test_the_secrets_stay_out_of_the_history(subscribe, manager):
    subscription = subscribe()
    services.subscription_rotate_secret(subscription=subscription, by=manager)
    fields = {f.name for f in subscription.history.model._meta.fields}
    assert "secret" not in fields and "previous_secret" not in fields
    reasons = list(subscription.history.values_list("history_change_reason", flat=True))
    assert reasons[0].startswith("Signing secret rotated")


def test_a_replay_keeps_the_webhook_id_and_signs_afresh(subscribe, declare, receiver,
                                                        manager):
    subscription = subscribe()
    declare()
    deliveries_send()
    delivery = WebhookDelivery.objects.get()

    services.delivery_replay(delivery=delivery, by=manager)
    assert deliveries_send() == {"delivered": 1}

    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.event_id
    assert first.body == second.body
    Webhook(subscription.secret).verify(second.body, second.headers)
    assert delivery.attempt_log.count() == 2


def test_a_chat_preset_posts_text_and_still_signs(subscribe, declare, receiver):
    subscription = subscribe(preset=Preset.SLACK)
    incident = declare()
    deliveries_send()

    (request,) = receiver.requests
    body = Webhook(subscription.secret).verify(request.body, request.headers)
    assert set(body) == {"text"}
    assert incident.reference in body["text"] and "/incidents/" in body["text"]


def test_the_test_event_is_signed_too(subscribe, receiver, manager):
    subscription = subscribe()
    services.subscription_send_test(subscription=subscription, by=manager)
    deliveries_send()
    (request,) = receiver.requests
    assert Webhook(subscription.secret).verify(request.body, request.headers)["type"] == \
        "webhook.test"


def test_a_receiver_echoing_the_secret_does_not_put_it_in_the_log(subscribe, receiver,
                                                                  manager, monkeypatch):
    subscription = subscribe()
    services.subscription_send_test(subscription=subscription, by=manager)
    from integrations.webhooks import delivery as delivery_module

    real = delivery_module.safe_fetch

    def echoing(*args, **kwargs):
        result = real(*args, **kwargs)
        return type(result)(url=result.url, status=result.status, headers=result.headers,
                            body=json.dumps({"you sent": subscription.secret}).encode())

    monkeypatch.setattr(delivery_module, "safe_fetch", echoing)
    deliveries_send()
    delivery = WebhookDelivery.objects.get()
    assert subscription.secret not in delivery.response_body
    assert "whsec_[hidden]" in delivery.response_body
