"""Demo webhooks: a Slack-preset subscription (disabled: the demo has no internet)
and a local receiver that stopped answering, each with a few logged deliveries.
Nothing here is ever sent: the rows are written as already attempted."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.audit import save_with_audit, system_user
from core.events import DomainEvent, new_event_id

from . import services
from .choices import DeliveryStatus, Preset
from .delivery import body_bytes, signed_headers
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def _delivery(subscription, event_type, data, *, at, outcomes):
    """A delivery already attempted: ``outcomes`` is ``[(status code or None, ms, error)]``."""
    event = DomainEvent(id=new_event_id(), type=event_type, occurred_at=at, actor="manager",
                        data=data)
    last_status, last_ms, last_error = outcomes[-1]
    delivered = last_error == ""
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event_id=event.id, event_type=event_type,
        payload=event.as_json(), created_at=at, attempts=len(outcomes),
        status=DeliveryStatus.DELIVERED if delivered else DeliveryStatus.GAVE_UP,
        last_attempt_at=at, delivered_at=at if delivered else None,
        response_status=last_status, response_ms=last_ms, error=last_error,
        response_body="ok" if delivered else "")
    body = body_bytes(delivery)
    for number, (status, ms, error) in enumerate(outcomes, start=1):
        when = at + timedelta(minutes=2 ** number - 1)
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, at=when, url=subscription.url,
            request_headers=signed_headers(subscription, event.id, body, when),
            request_body=body.decode(), response_status=status, response_ms=ms,
            response_body="ok" if not error else "", error=error, succeeded=not error)


def seed_webhooks(demo=None) -> int:
    if WebhookSubscription.objects.exists():
        return 0
    manager = get_user_model().objects.filter(username="manager").first()
    if manager is None:
        return 0
    now = timezone.now()
    slack = services.subscription_create(
        by=manager, name="#noc-incidents (Slack)", preset=Preset.SLACK,
        url="https://hooks.slack.com/services/T000DEMO/B000DEMO/demo-not-a-real-hook",
        event_types=["incident.declared", "incident.state_changed"], enabled=True)
    services.subscription_update(subscription=slack, by=manager, enabled=False)
    local = services.subscription_create(
        by=manager, name="Service desk bridge (local)", url="http://127.0.0.1:9/switchboard",
        event_types=["incident.declared", "escalation.breached", "escalation.tier_changed"],
        enabled=True)
    incident = {"incident": {"reference": "INC-DEMO-1", "title": "IVR not answering",
                             "severity": "SEV2", "state": "declared"},
                "summary": "SEV2 incident declared: IVR not answering"}
    _delivery(slack, "incident.declared", incident, at=now - timedelta(days=2),
              outcomes=[(200, 184, "")])
    _delivery(slack, "incident.state_changed", {**incident, "transition": "contain",
              "summary": "INC-DEMO-1 is now contained"}, at=now - timedelta(days=2, hours=-1),
              outcomes=[(503, 95, "hooks.slack.com answered HTTP 503."), (200, 201, "")])
    refused = "Cannot connect to 127.0.0.1: Connection refused."
    _delivery(local, "incident.declared", incident, at=now - timedelta(days=1),
              outcomes=[(None, 3, refused)] * 3)
    # A local receiver that never answered: disabled, as the sweep would have done.
    local.enabled, local.disabled_at = False, now - timedelta(hours=20)
    local.disabled_reason = ("Disabled automatically: every delivery has failed for more "
                             "than 24 hours.")
    save_with_audit(local, by=system_user(), reason=local.disabled_reason)
    _opt_in_a_customer(manager)
    return 2


def _opt_in_a_customer(manager):
    """The first customer with an email asked for incident status updates."""
    from escalations.models import Customer

    from .customer_updates import customer_opt_in

    customer = Customer.objects.filter(erased_at__isnull=True).exclude(email="").first()
    if customer is not None:
        customer_opt_in(customer=customer, by=manager, note="Asked on a call (demo)")
