"""Sending the outbox: sign, POST, record, retry with backoff, disable when it keeps
failing.

* **Claimed, then sent outside any transaction** (``core.due_rows.claim_due``): an
  HTTP call may take seconds and must hold no row lock. A claimed row's
  ``next_attempt_at`` moves a lease ahead, so a worker killed mid-request leaves it
  due again when the lease ends: delivered late, never dropped. (At least once: a
  worker dying between the receiver's 200 and our stamp sends it again, with the
  same ``webhook-id`` for the receiver to drop.)
* **Signed per Standard Webhooks** with the ``standardwebhooks`` reference
  implementation — the same code receivers verify with, so both sides agree on the
  bytes signed (``id.timestamp.body``). During a secret rotation's grace period both
  secrets sign, space-separated, as the spec allows.
* **Through ``core.safe_http``**: private addresses refused unless the subscription
  allows them, one deadline for the exchange, never redirected (a POST re-sent to
  wherever a server points is a request forgery), the response capped.
* **Backoff** doubles from ``WEBHOOK_RETRY_BASE_SECONDS`` up to
  ``WEBHOOK_RETRY_MAX_SECONDS`` with "equal jitter" (half fixed, half random), so
  deliveries that failed together do not retry together. After
  ``WEBHOOK_MAX_ATTEMPTS`` the delivery gives up.
* **A subscription that keeps failing is disabled** — after
  ``WEBHOOK_DISABLE_AFTER_GAVE_UP`` deliveries in a row gave up, or when it has been
  failing for ``WEBHOOK_DISABLE_AFTER_HOURS`` — and its owner is told.
"""

import json
import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from core.due_rows import claim_due
from core.notifications import notify
from core.safe_http import FetchFailed, FetchRefused, safe_fetch

from .choices import DeliveryStatus, Preset
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)


def lease() -> timedelta:
    """How long a claimed delivery is ours (``WEBHOOK_LEASE_SECONDS``): well beyond one
    request's deadline."""
    return timedelta(seconds=_setting("WEBHOOK_LEASE_SECONDS", 120))

# What we keep of an answer: enough to debug, never a whole page.
RESPONSE_KEEP = 2000
USER_AGENT = "Switchboard-Webhooks/1.0"


def _setting(name, default):
    return getattr(settings, name, default)


# --- What is sent --------------------------------------------------------------------


def body_bytes(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent and signed: the same on every attempt (keys sorted, so a
    JSON column that reorders keys cannot change them)."""
    payload = delivery.payload
    preset = delivery.subscription.preset
    if preset in (Preset.SLACK, Preset.TEAMS):
        # Chat tools show a "text"; both Slack and Teams incoming webhooks take it.
        data = payload.get("data") or {}
        text = f"[Switchboard] {data.get('summary') or payload.get('type')}"
        url = _first_url(data)
        payload = {"text": f"{text}\n{url}" if url else text}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def _first_url(data):
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("url"), str):
            return value["url"]
    return ""


def signing_secrets(subscription: WebhookSubscription, now) -> list[str]:
    """The secrets that sign now: the current one, and the previous one while its
    grace period runs."""
    found = [subscription.secret]
    if (subscription.previous_secret and subscription.previous_secret_expires_at
            and subscription.previous_secret_expires_at > now):
        found.append(subscription.previous_secret)
    return found


def signed_headers(subscription, event_id: str, body: bytes, now) -> dict:
    """The Standard Webhooks headers for ``body`` sent at ``now``."""
    signatures = " ".join(Webhook(secret).sign(event_id, now, body)
                          for secret in signing_secrets(subscription, now))
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT,
            "webhook-id": event_id, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signatures}


# --- Backoff and giving up -------------------------------------------------------------


def retry_delay(attempts: int, *, rng=random) -> timedelta:
    """How long after the ``attempts``-th failure to try again: doubling, capped, with
    half of it random."""
    base = _setting("WEBHOOK_RETRY_BASE_SECONDS", 30)
    cap = _setting("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600)
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=delay / 2 + rng.uniform(0, delay / 2))


def _should_disable(subscription, now) -> str:
    """Why ``subscription`` is to be disabled now ("" when not)."""
    gave_up = _setting("WEBHOOK_DISABLE_AFTER_GAVE_UP", 5)
    hours = _setting("WEBHOOK_DISABLE_AFTER_HOURS", 24)
    if subscription.consecutive_gave_up >= gave_up:
        return f"{subscription.consecutive_gave_up} deliveries in a row failed every attempt."
    if subscription.failing_since and now - subscription.failing_since >= timedelta(hours=hours):
        return f"Every delivery has failed for more than {hours} hours."
    return ""


def _disable_failing(subscription, reason, now):
    """Disable a subscription that keeps failing and tell its owner (in the same
    transaction as the failure that decided it)."""
    from core.audit import save_with_audit, system_user

    subscription.enabled = False
    subscription.disabled_at = now
    subscription.disabled_reason = f"Disabled automatically: {reason}"
    save_with_audit(subscription, by=system_user(), reason=subscription.disabled_reason)
    notify([subscription.owner], title=f"Webhook disabled: {subscription.name}",
           body=(f"{reason} Switchboard stopped sending to {subscription.url}. Fix the "
                 "receiver, then enable the subscription again; failed deliveries can be "
                 "replayed from its log."),
           url=subscription.get_absolute_url())
    # Nothing more goes out until someone enables it again: its queue stops here.
    WebhookDelivery.objects.filter(
        subscription=subscription, next_attempt_at__isnull=False, is_test=False,
    ).update(status=DeliveryStatus.GAVE_UP, next_attempt_at=None,
             error="The subscription was disabled.")
    logger.warning("Webhook subscription %s disabled: %s", subscription.pk, reason)


# --- One attempt ----------------------------------------------------------------------


def _attempt(delivery, now):
    """POST the delivery once: ``(status, ms, body, error)``; error "" on success."""
    subscription = delivery.subscription
    body = body_bytes(delivery)
    headers = signed_headers(subscription, delivery.event_id, body, now)
    started = time.monotonic()
    status, answer, error = None, b"", ""
    try:
        result = safe_fetch(
            subscription.url, method="POST", body=body, headers=headers, max_redirects=0,
            timeout=_setting("WEBHOOK_TIMEOUT_SECONDS", 10),
            max_bytes=_setting("WEBHOOK_RESPONSE_MAX_BYTES", 64 * 1024),
            allow_private=subscription.allow_private_addresses
            or _setting("WEBHOOK_ALLOW_PRIVATE_NETWORKS", False),
        )
        status, answer = result.status, result.body
    except FetchRefused as exc:
        error = ("The receiver answered with a redirect; webhooks are not redirected."
                 if exc.code == "too_many_redirects" else str(exc))
    except FetchFailed as exc:
        status, error = exc.status, str(exc)
    ms = int((time.monotonic() - started) * 1000)
    text = answer.decode("utf-8", errors="replace")[:RESPONSE_KEEP]
    return headers, body, status, ms, _without_secrets(text, subscription), error


def _without_secrets(text, subscription):
    """A receiver echoing our headers back must not put a secret in the log."""
    for secret in (subscription.secret, subscription.previous_secret):
        if secret:
            text = text.replace(secret, "whsec_[hidden]")
    return text


def deliver_one(delivery_id: int) -> str:
    """Send one claimed delivery and record the outcome; returns what happened."""
    delivery = (WebhookDelivery.objects.select_related("subscription")
                .filter(pk=delivery_id).first())
    if delivery is None or delivery.next_attempt_at is None:
        return "gone"
    subscription = delivery.subscription
    if not subscription.enabled and not delivery.is_test:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.GAVE_UP, next_attempt_at=None,
            error="The subscription is disabled.")
        return "disabled"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DELIVERING)
    now = timezone.now()
    headers, body, status, ms, answer, error = _attempt(delivery, now)
    finished = timezone.now()
    with transaction.atomic():
        # Re-read under lock: a replay or a disable may have changed the row meanwhile.
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=delivery.subscription_id)
        attempts = delivery.attempts + 1
        number = delivery.attempt_log.count() + 1
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, at=now, url=subscription.url,
            request_headers=headers, request_body=body.decode(), response_status=status,
            response_ms=ms, response_body=answer, error=error[:500], succeeded=not error)
        fields = {"attempts": attempts, "last_attempt_at": now, "response_status": status,
                  "response_ms": ms, "response_body": answer, "error": error[:500]}
        if not error:
            fields.update(status=DeliveryStatus.DELIVERED, delivered_at=finished,
                          next_attempt_at=None)
            WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
            if not delivery.is_test:
                WebhookSubscription.objects.filter(pk=subscription.pk).update(
                    consecutive_gave_up=0, failing_since=None)
            return "delivered"
        gave_up = attempts >= _setting("WEBHOOK_MAX_ATTEMPTS", 10)
        fields.update(status=DeliveryStatus.GAVE_UP if gave_up else DeliveryStatus.FAILED,
                      next_attempt_at=None if gave_up else finished + retry_delay(attempts))
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
        if delivery.is_test:
            return "gave_up" if gave_up else "failed"
        # The subscription's failure bookkeeping (columns only: not a change a person
        # made, so no history row for each failure).
        subscription.failing_since = subscription.failing_since or now
        subscription.consecutive_gave_up += 1 if gave_up else 0
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            failing_since=subscription.failing_since,
            consecutive_gave_up=subscription.consecutive_gave_up)
        reason = _should_disable(subscription, finished) if subscription.enabled else ""
        if reason:
            _disable_failing(subscription, reason, finished)
            return "disabled"
    logger.info("Webhook delivery %s failed (attempt %s): %s", delivery_id, attempts, error)
    return "gave_up" if gave_up else "failed"


def deliveries_send(ids=None, *, now=None, limit=50) -> dict:
    """Send the due deliveries (only those among ``ids`` when given). Returns counts.

    The task queued on commit passes the new rows' ids (low latency); beat runs it
    without ids as the sweep that finds everything else due.
    """
    totals = {}
    while True:
        due = WebhookDelivery.objects.all()
        if ids is not None:
            due = due.filter(pk__in=ids)
        claimed = claim_due(due, due_field="next_attempt_at", now=now or timezone.now(),
                            limit=limit, lease=lease())
        for delivery_id in claimed:
            try:
                outcome = deliver_one(delivery_id)
            except Exception:  # noqa: BLE001 - one broken row must not stop the rest
                logger.exception("Webhook delivery %s failed unexpectedly", delivery_id)
                outcome = "error"  # due again when the lease ends
            totals[outcome] = totals.get(outcome, 0) + 1
        if ids is not None or len(claimed) < limit:
            return totals
