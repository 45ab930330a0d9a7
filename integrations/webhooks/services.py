"""Webhook subscriptions and their deliveries: every change people make, with its
rules, and the outbox rows written for each event.

Views, the API and the admin call these; each checks the permission itself
(``integrations/webhooks/rules.py``) and refuses with a message naming the field.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from core.audit import save_with_audit
from core.events import DomainEvent, event_type, event_types, new_event_id
from core.exceptions import DomainError
from core.notifications import enqueue_on_commit
from core.transitions import lock
from core.why_not import require_perm

from .choices import DeliveryStatus, Preset
from .models import WebhookDelivery, WebhookSubscription, new_secret

TEST_EVENT = "webhook.test"
EDITABLE = ("name", "url", "preset", "event_types", "enabled", "owner",
            "allow_private_addresses")


class ReplayRefused(DomainError):
    """The delivery cannot be replayed now (disabled subscription, already queued)."""

    status = 409
    code = "replay_not_possible"


REFUSED = "Only managers configure outbound webhooks."


def why_not_replay(user, delivery) -> str:
    """Why ``user`` may not replay ``delivery`` now ("" when they may): the page
    greys the button with these words and the service refuses with them."""
    if not user.has_perm("webhooks.manage", delivery):
        return "Only managers replay webhook deliveries."
    if not delivery.subscription.enabled and not delivery.is_test:
        return "The subscription is disabled: enable it first, then replay."
    if delivery.next_attempt_at is not None:
        return "This delivery is already waiting to be sent."
    return ""


# --- Subscriptions --------------------------------------------------------------------


def _clean(fields, *, by, current=None):
    """Check the fields a person set; raise one ValidationError naming each bad one."""
    errors = {}
    if "name" in fields and not (fields["name"] or "").strip():
        errors["name"] = "Give the subscription a name people will recognise."
    if "url" in fields:
        url = (fields["url"] or "").strip()
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = "Enter the receiver's full http:// or https:// address."
        fields["url"] = url
    if "preset" in fields and fields["preset"] not in Preset.values:
        errors["preset"] = f"Choose one of: {', '.join(Preset.values)}."
    if "event_types" in fields:
        chosen = fields["event_types"]
        known = {t.code for t in event_types()}
        if not isinstance(chosen, list | tuple) or not all(isinstance(c, str) for c in chosen):
            errors["event_types"] = "Give a list of event type codes."
        elif not chosen:
            errors["event_types"] = "Choose at least one event type."
        elif unknown := sorted(set(chosen) - known):
            errors["event_types"] = f"Unknown event type(s): {', '.join(unknown)}."
        else:
            fields["event_types"] = sorted(set(chosen))
    private_before = bool(current and current.allow_private_addresses)
    if fields.get("allow_private_addresses") and not private_before \
            and not by.has_perm("webhooks.allow_private_addresses"):
        errors["allow_private_addresses"] = ("Only staff may let a webhook reach private "
                                             "network addresses.")
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def subscription_create(*, by, name, url, event_types, preset=Preset.GENERIC, owner=None,
                        enabled=True, allow_private_addresses=False) -> WebhookSubscription:
    """Create a subscription with a fresh signing secret (shown to its creator once)."""
    require_perm(by, "webhooks.manage", message=REFUSED)
    fields = _clean({"name": name, "url": url, "event_types": event_types, "preset": preset,
                     "allow_private_addresses": allow_private_addresses}, by=by)
    subscription = WebhookSubscription(
        name=fields["name"].strip(), url=fields["url"], preset=fields["preset"],
        event_types=fields["event_types"], owner=owner or by, enabled=bool(enabled),
        allow_private_addresses=bool(allow_private_addresses))
    subscription.full_clean()
    save_with_audit(subscription, by=by, reason="Created")
    return subscription


@transaction.atomic
def subscription_update(*, subscription: WebhookSubscription, by, **changes):
    """Change what a subscription sends and where; enabling it again starts its
    failure count afresh."""
    require_perm(by, "webhooks.manage", subscription, REFUSED)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in unknown})
    subscription = lock(WebhookSubscription, subscription.pk)
    changes = _clean(dict(changes), by=by, current=subscription)
    changed = [name for name, value in changes.items() if getattr(subscription, name) != value]
    if not changed:
        return subscription
    for name in changed:
        setattr(subscription, name, changes[name])
    if "name" in changed:
        subscription.name = subscription.name.strip()
    if "enabled" in changed:
        if subscription.enabled:
            subscription.disabled_at, subscription.disabled_reason = None, ""
            subscription.consecutive_gave_up, subscription.failing_since = 0, None
        else:
            subscription.disabled_at = timezone.now()
            subscription.disabled_reason = f"Disabled by {by.get_full_name() or by.username}."
    subscription.full_clean()
    save_with_audit(subscription, by=by, reason=f"Changed {', '.join(sorted(changed))}")
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, subscription: WebhookSubscription, by) -> WebhookSubscription:
    """A new signing secret; the old one keeps signing too for
    ``WEBHOOK_SECRET_GRACE_HOURS``, so receivers can switch without losing a message."""
    require_perm(by, "webhooks.manage", subscription, REFUSED)
    subscription = lock(WebhookSubscription, subscription.pk)
    grace = getattr(settings, "WEBHOOK_SECRET_GRACE_HOURS", 24)
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_expires_at = timezone.now() + timedelta(hours=grace)
    subscription.secret = new_secret()
    save_with_audit(subscription, by=by,
                    reason=f"Signing secret rotated (the previous one signs too for {grace} h)")
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: WebhookSubscription, by) -> None:
    require_perm(by, "webhooks.manage", subscription, REFUSED)
    subscription._history_user, subscription._change_reason = by, "Deleted"
    subscription.delete()


# --- Deliveries ----------------------------------------------------------------------


def _queue(deliveries):
    from .tasks import send_webhook_deliveries

    if deliveries:
        enqueue_on_commit(send_webhook_deliveries, [d.pk for d in deliveries])


def deliveries_for_event(event: DomainEvent) -> list[WebhookDelivery]:
    """The outbox rows for ``event``: one per enabled subscription to its type, written
    in the caller's transaction (the event's own) and queued once it commits."""
    subscriptions = [s for s in WebhookSubscription.objects.filter(enabled=True)
                     if event.type in s.event_types]
    now = timezone.now()
    rows = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(subscription=s, event_id=event.id, event_type=event.type,
                        payload=event.as_json(), created_at=now, next_attempt_at=now)
        for s in subscriptions])
    _queue(rows)
    return rows


@transaction.atomic
def subscription_send_test(*, subscription: WebhookSubscription, by) -> WebhookDelivery:
    """Queue a test event to the subscription (also a disabled one: check a receiver
    before enabling it)."""
    require_perm(by, "webhooks.manage", subscription, REFUSED)
    now = timezone.now()
    event = DomainEvent(id=new_event_id(), type=TEST_EVENT, occurred_at=now,
                        actor=by.username,
                        data={"summary": f"Test event from Switchboard for {subscription.name}",
                              "subscription": {"id": subscription.pk,
                                               "name": subscription.name}})
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event_id=event.id, event_type=TEST_EVENT,
        payload=event.as_json(), is_test=True, created_at=now, next_attempt_at=now)
    _queue([delivery])
    return delivery


@transaction.atomic
def delivery_replay(*, delivery: WebhookDelivery, by) -> WebhookDelivery:
    """Send a delivery again, as a new round of attempts with the same webhook-id (a
    receiver that kept it drops the duplicate) and fresh signatures."""
    delivery = lock(WebhookDelivery, delivery.pk)
    reason = why_not_replay(by, delivery)
    if reason:
        if not by.has_perm("webhooks.manage", delivery):
            raise PermissionDenied(reason)
        raise ReplayRefused(reason, errors={"delivery": [reason]})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), error="")
    _queue([delivery])
    delivery.refresh_from_db()
    return delivery


def event_type_choices() -> list[tuple[str, str]]:
    """``(code, "code — description")`` for the subscription form's checkboxes."""
    return [(t.code, f"{t.code} — {t.description}") for t in event_types()]


def describe_event_type(code: str) -> str:
    declared = event_type(code)
    return declared.description if declared else ("A test event." if code == TEST_EVENT
                                                  else "")
