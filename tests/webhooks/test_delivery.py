"""Retries with backoff, giving up, disabling a subscription that keeps failing (its
owner told), and refusing private addresses and redirects."""

import random
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from core.models import Notification
from integrations.webhooks import services
from integrations.webhooks.choices import DeliveryStatus
from integrations.webhooks.delivery import deliveries_send, lease, retry_delay
from integrations.webhooks.models import WebhookDelivery
from tests.webhooks.receiver import start_receiver

pytestmark = pytest.mark.django_db


@given(attempts=st.integers(min_value=1, max_value=40), seed=st.integers())
def test_the_retry_delay_doubles_with_jitter_up_to_the_cap(attempts, seed):
    # The oracle, written out: 30 s doubling per failure, capped at 6 h; half random.
    full = min(6 * 3600, 30 * 2 ** (attempts - 1))
    delay = retry_delay(attempts, rng=random.Random(seed)).total_seconds()
    assert full / 2 <= delay <= full


def test_a_failed_attempt_is_retried_later_then_delivered(subscribe, declare, receiver):
    subscribe()
    receiver.statuses = [500]
    declare()

    assert deliveries_send() == {"failed": 1}
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.response_status == 500 and delivery.attempts == 1
    wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert 15 <= wait <= 31
    assert deliveries_send() == {}  # not due yet

    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        assert deliveries_send() == {"delivered": 1}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert [a.succeeded for a in delivery.attempt_log.all()] == [False, True]
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]


def _fail_until_given_up(subscription, settings):
    """Run the outbox through every retry of every due delivery."""
    for _ in range(settings.WEBHOOK_MAX_ATTEMPTS + 1):
        due = WebhookDelivery.objects.filter(next_attempt_at__isnull=False).order_by(
            "-next_attempt_at").first()
        if due is None:
            return
        with time_machine.travel(due.next_attempt_at + timedelta(seconds=1)):
            deliveries_send()


def test_a_delivery_gives_up_after_the_last_attempt(subscribe, declare, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    subscription = subscribe()
    receiver.statuses = [503] * 10
    declare()
    _fail_until_given_up(subscription, settings)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.GAVE_UP and delivery.next_attempt_at is None
    assert delivery.attempts == 3 and len(receiver.requests) == 3
    subscription.refresh_from_db()
    assert subscription.consecutive_gave_up == 1 and subscription.enabled


def test_sustained_failure_disables_the_subscription_and_tells_its_owner(
        subscribe, declare, receiver, settings, manager):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    settings.WEBHOOK_DISABLE_AFTER_GAVE_UP = 3
    subscription = subscribe()
    receiver.statuses = [500] * 10
    for n in range(4):
        declare(title=f"Outage {n}")
    deliveries_send()

    subscription.refresh_from_db()
    assert not subscription.enabled
    assert "3 deliveries in a row" in subscription.disabled_reason
    statuses = sorted(WebhookDelivery.objects.values_list("status", flat=True))
    assert statuses == [DeliveryStatus.GAVE_UP] * 4
    assert len(receiver.requests) == 3  # the fourth was stopped, not sent
    # (Declaring SEV2s paged the manager too; this is the one about the webhook.)
    (told,) = Notification.objects.filter(recipient=manager, title__startswith="Webhook")
    assert told.title == f"Webhook disabled: {subscription.name}"
    assert told.url == subscription.get_absolute_url()
    history = subscription.history.first()
    assert history.history_change_reason.startswith("Disabled automatically")
    assert history.history_user.username == "switchboard-system"
    # Nothing more is written for a disabled subscription.
    declare(title="Another")
    assert WebhookDelivery.objects.count() == 4


def test_failing_for_more_than_a_day_disables_too(subscribe, declare, receiver, settings):
    subscription = subscribe()
    receiver.statuses = [500] * 50
    declare()
    deliveries_send()
    subscription.refresh_from_db()
    assert subscription.failing_since is not None and subscription.enabled

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        deliveries_send()
    subscription.refresh_from_db()
    assert not subscription.enabled
    assert "more than 24 hours" in subscription.disabled_reason


def test_a_success_clears_the_failure_count(subscribe, declare, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    subscription = subscribe()
    receiver.statuses = [500]
    declare()
    declare(title="Second")
    deliveries_send()
    subscription.refresh_from_db()
    assert subscription.consecutive_gave_up == 0 and subscription.failing_since is None


def test_enabling_again_starts_afresh_and_replay_sends_what_gave_up(
        subscribe, declare, receiver, settings, manager):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    settings.WEBHOOK_DISABLE_AFTER_GAVE_UP = 1
    subscription = subscribe()
    receiver.statuses = [500]
    declare()
    deliveries_send()
    subscription.refresh_from_db()
    delivery = WebhookDelivery.objects.get()
    assert not subscription.enabled
    assert "disabled" in services.why_not_replay(manager, delivery)

    services.subscription_update(subscription=subscription, by=manager, enabled=True)
    subscription.refresh_from_db()
    assert subscription.consecutive_gave_up == 0 and subscription.disabled_reason == ""
    services.delivery_replay(delivery=delivery, by=manager)
    assert deliveries_send() == {"delivered": 1}


def test_a_delivery_claimed_by_a_worker_that_died_is_sent_after_the_lease(
        subscribe, declare, receiver):
    from core.due_rows import claim_due

    subscribe()
    declare()
    # A worker claimed it and died before sending: the row is leased, not lost.
    claim_due(WebhookDelivery.objects.all(), due_field="next_attempt_at",
              now=timezone.now(), limit=10, lease=lease())
    WebhookDelivery.objects.update(status=DeliveryStatus.DELIVERING)
    assert deliveries_send() == {}

    with time_machine.travel(timezone.now() + lease() + timedelta(seconds=1)):
        assert deliveries_send() == {"delivered": 1}
    assert len(receiver.requests) == 1


def test_a_slow_receiver_times_out_and_is_retried(subscribe, declare, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    subscribe()
    receiver.delay = 1
    declare()
    assert deliveries_send() == {"failed": 1}
    delivery = WebhookDelivery.objects.get()
    assert "did not answer within" in delivery.error and delivery.next_attempt_at


# --- Private addresses and redirects ------------------------------------------------------


def test_a_private_address_is_refused_unless_allowed(subscribe, declare, receiver):
    subscribe(allow_private_addresses=False)
    declare()
    assert deliveries_send() == {"failed": 1}
    delivery = WebhookDelivery.objects.get()
    assert "private network address" in delivery.error
    assert delivery.response_status is None
    assert receiver.requests == []


def test_a_redirect_is_never_followed(subscribe, declare, receiver):
    inside = start_receiver()  # where the redirect points: must receive nothing
    try:
        subscribe()
        receiver.redirect_to = inside.url
        declare()
        assert deliveries_send() == {"failed": 1}
        delivery = WebhookDelivery.objects.get()
        assert "redirect" in delivery.error
        assert len(receiver.requests) == 1 and inside.requests == []
    finally:
        inside.stop()


def test_only_staff_may_allow_private_addresses(make_user, receiver):
    from django.core.exceptions import ValidationError

    from core.choices import Role

    not_staff = make_user(Role.MANAGER, username="mo", is_staff=False)
    with pytest.raises(ValidationError) as refused:
        services.subscription_create(by=not_staff, name="Inside", url=receiver.url,
                                     event_types=["incident.declared"],
                                     allow_private_addresses=True)
    assert "allow_private_addresses" in refused.value.message_dict


def test_safe_fetch_refuses_to_redirect_a_request_with_a_body():
    from core.safe_http import safe_fetch

    # A POST re-sent wherever a server points would be a forgery: callers must say 0.
    with pytest.raises(ValueError, match="max_redirects=0"):
        safe_fetch("https://example.com/", method="POST", body=b"{}", max_bytes=10,
                   timeout=1)
