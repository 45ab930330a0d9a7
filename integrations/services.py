"""Integration use cases: configuring integrations (managers) and accepting payloads.

Accepting is the hot path (hundreds a second): validate the shape synchronously,
store the raw payload, and queue its processing after commit — nothing else in the
request. The row is the truth: if the queue loses the message, the sweep finds the row.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audited, save_with_audit
from core.why_not import require_perm

from . import token_cache
from .choices import AlertSeverity, AutoResolvePolicy, EventStatus, IntegrationKind
from .formats import validate
from .models import InboundEvent, Integration

logger = logging.getLogger(__name__)

# How long the task has before the sweep takes the row over.
SWEEP_GRACE = timedelta(minutes=2)
TOKEN_PREFIX = "sbi_"  # noqa: S105 - a prefix that says what a token is for
CONFIG_FIELDS = ("name", "kind", "enabled", "severity_map", "default_severity", "channel",
                 "team", "vendor", "group_by_label", "auto_resolve", "flap_window",
                 "hmac_secret", "poll_url", "poll_enabled", "poll_interval")


class IntegrationGone(Exception):
    """The integration is disabled (410)."""


class SignatureInvalid(Exception):
    """HMAC verification failed (401)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token():
    token = TOKEN_PREFIX + secrets.token_urlsafe(24)
    return token, hash_token(token), token[-4:]


MANAGE = "integrations.manage_integration"
REFUSED = "Only managers configure integrations."


def _clean(integration: Integration, errors=None):
    errors = dict(errors or {})
    if not isinstance(integration.severity_map, dict) or any(
            value not in AlertSeverity.values for value in integration.severity_map.values()):
        errors["severity_map"] = ("Map each source severity to one of: "
                                  + ", ".join(AlertSeverity.values) + ".")
    if integration.flap_window is not None and (
            integration.flap_window < timedelta(0)
            or integration.flap_window > timedelta(days=7)):
        errors["flap_window"] = "Between 0 and 7 days."
    if integration.poll_enabled:
        if integration.kind != IntegrationKind.STATUSPAGE:
            errors["poll_enabled"] = "Only a Statuspage integration polls a status page."
        elif not integration.poll_url:
            errors["poll_url"] = "Give the vendor's status page address to poll it."
    if integration.poll_interval is not None and not (
            timedelta(minutes=1) <= integration.poll_interval <= timedelta(days=1)):
        errors["poll_interval"] = "Between 1 minute and 1 day."
    try:
        integration.full_clean(exclude=["token_hash", "created_by", *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _schedule_poll(integration, now=None):
    now = now or timezone.now()
    integration.poll_next_at = now if integration.poll_enabled else None


@transaction.atomic
def integration_create(*, by, name, kind, **fields) -> tuple[Integration, str]:
    """A new integration and its URL token — returned once, stored only as a hash."""
    require_perm(by, MANAGE, message=REFUSED)
    token, token_hash, hint = _new_token()
    unknown = set(fields) - set(CONFIG_FIELDS)
    if unknown:
        raise ValidationError({name: "Unknown field." for name in unknown})
    integration = Integration(name=(name or "").strip(), kind=kind, token_hash=token_hash,
                              token_hint=hint, created_by=by,
                              auto_resolve=fields.pop("auto_resolve", None)
                              or AutoResolvePolicy.CONTAIN, **fields)
    _clean(integration)
    _schedule_poll(integration)
    save_with_audit(integration, by=by, reason="Integration created")
    return integration, token


@transaction.atomic
def integration_update(*, integration: Integration, by, **fields) -> Integration:
    """Change the configuration (the kind and the token stay as they are)."""
    require_perm(by, MANAGE, message=REFUSED)
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    was_polling = integration.poll_enabled
    errors = {}
    for name, value in fields.items():
        if name not in CONFIG_FIELDS or name == "kind":
            errors[name] = "This field cannot be changed here."
            continue
        setattr(integration, name, value)
    _clean(integration, errors)
    if integration.poll_enabled != was_polling:
        _schedule_poll(integration)
    save_with_audit(integration, by=by, reason="Integration settings changed")
    return integration


@transaction.atomic
def integration_rotate_token(*, integration: Integration, by) -> tuple[Integration, str]:
    """A new URL token; the old one stops working at once."""
    require_perm(by, MANAGE, message=REFUSED)
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    token, integration.token_hash, integration.token_hint = _new_token()
    save_with_audit(integration, by=by, reason="URL token rotated")
    return integration, token


@transaction.atomic
def integration_set_enabled(*, integration: Integration, by, enabled: bool) -> Integration:
    require_perm(by, MANAGE, message=REFUSED)
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    integration.enabled = enabled
    with audited(integration, by=by, reason="Enabled" if enabled else "Disabled"):
        integration.save(update_fields=["enabled"])
    return integration


# --- Intake (the hot path) -----------------------------------------------------------


def integration_for_token(token: str) -> Integration | None:
    """The integration of an intake URL token (kept per web process while no
    integration changes: ``integrations.token_cache``)."""
    if not token or len(token) > 200:
        return None
    return token_cache.lookup(hash_token(token), _integration_by_hash)


def _integration_by_hash(token_hash: str) -> Integration | None:
    try:
        # .get(), not .first(): no ORDER BY on the hot path (the hash is unique).
        return Integration.objects.get(token_hash=token_hash)
    except Integration.DoesNotExist:
        return None


def verify_signature(integration: Integration, body: bytes, header: str | None) -> None:
    """``X-Switchboard-Signature: sha256=<hex>`` over the raw body, if the integration
    has a secret (compared in constant time)."""
    if not integration.hmac_secret:
        return
    expected = "sha256=" + hmac.new(integration.hmac_secret.encode(), body,
                                    hashlib.sha256).hexdigest()
    if not header or not hmac.compare_digest(expected, header.strip()):
        raise SignatureInvalid("The X-Switchboard-Signature header does not match the body.")


def intake_accept(*, integration: Integration, payload, is_test=False, now=None) -> InboundEvent:
    """Validate the payload's shape (PayloadInvalid naming the field), store it, and
    queue its processing once the row is committed."""
    if not integration.enabled:
        raise IntegrationGone(f"The integration {integration.name} is disabled.")
    validate(integration.kind, payload)
    now = now or timezone.now()
    # One INSERT, committed by itself in autocommit (no BEGIN and COMMIT round trips on
    # the hot path); inside a caller's transaction it joins it, and the task waits.
    event = InboundEvent.objects.create(
        integration=integration, received_at=now, payload=payload, is_test=is_test,
        status=EventStatus.PENDING, process_due_at=now + SWEEP_GRACE)
    transaction.on_commit(_enqueue_batch)  # after commit: the worker must find the row
    return event


BATCH_QUEUED = "integrations:intake-batch-queued"
BATCH_TRAILING = "integrations:intake-batch-trailing"


def batch_slot(window: float) -> str | None:
    """Whether this payload queues a batch task: "now", "later" (one task ``window``
    seconds ahead) or None (one is already due after this row's commit).

    At most two tasks per window and per cache, instead of one per payload — and no
    committed row waits for the sweep: the first payload of a window queues a task
    now; a later one, if none is queued yet, queues one that starts when the window
    ends, so it starts after every row committed while the "now" key was set; while
    that one is pending, it covers them all. (With a per-process cache, as locmem is,
    the bound is per web process.) Shared, though asked on every request, because
    fewer tasks mean bigger batches, and a batch's cost is mostly per distinct alert:
    measured, 2,000 storm payloads cost 4.75 ms each claimed 40 at a time and 2.17 ms
    200 at a time (profiled). One round trip in the common case: both keys are read
    at once, and only a missing one is then taken (``add`` is atomic, so two
    processes never both take it); a key read while present covers this row, which
    committed before it was read."""
    try:
        present = cache.get_many([BATCH_QUEUED, BATCH_TRAILING])
        if BATCH_QUEUED not in present and cache.add(BATCH_QUEUED, 1, timeout=window):
            return "now"
        if BATCH_TRAILING not in present and cache.add(BATCH_TRAILING, 1, timeout=window):
            return "later"
        return None
    except Exception:  # noqa: BLE001 - no cache: queue one per payload, as before
        return "now"


def _enqueue_batch():
    from django.conf import settings

    from .tasks import process_inbound_events

    window = settings.INTEGRATIONS_INTAKE_BATCH_WINDOW
    # Eager tasks (unit tests, no broker) run inline: there is no queue to spare.
    slot = "now" if process_inbound_events.app.conf.task_always_eager else batch_slot(window)
    if slot is None:
        return
    try:
        process_inbound_events.apply_async(countdown=window if slot == "later" else None)
    except Exception:  # noqa: BLE001 - the stored row is the truth; the sweep delivers it
        # If the broker is down the publish fails after ~1 s
        # (CELERY_TASK_PUBLISH_RETRY_POLICY): free the slot so the next payload tries.
        cache.delete(BATCH_QUEUED if slot == "now" else BATCH_TRAILING)
        logger.warning("Could not queue inbound event processing; the sweep will process "
                       "the payloads", exc_info=True)


def sample_alert_payload(integration: Integration, *, by, now=None) -> dict:
    """A firing alert in the integration's own format (the "send test alert" button)."""
    now = now or timezone.now()
    stamp = now.strftime("%Y%m%d%H%M%S")
    title = f"Test alert from {by.get_username()}"
    kind = integration.kind
    if kind in (IntegrationKind.ALERTMANAGER, IntegrationKind.GRAFANA):
        labels = {"alertname": "SwitchboardTest", "severity": "info"}
        payload = {"version": "4" if kind == IntegrationKind.ALERTMANAGER else "1",
                   "receiver": "switchboard-test", "status": "firing",
                   "groupKey": f"test-{stamp}", "groupLabels": labels, "commonLabels": labels,
                   "commonAnnotations": {"summary": title}, "externalURL": "",
                   "truncatedAlerts": 0,
                   "alerts": [{"status": "firing", "labels": labels,
                               "annotations": {"summary": title},
                               "startsAt": now.isoformat(), "endsAt": "0001-01-01T00:00:00Z",
                               "generatorURL": "", "fingerprint": f"test-{stamp}"}]}
        if kind == IntegrationKind.GRAFANA:
            payload.update({"orgId": 1, "title": title, "state": "alerting", "message": title})
        return payload
    if kind == IntegrationKind.PAGERDUTY:
        return {"routing_key": "test", "event_action": "trigger", "dedup_key": f"test-{stamp}",
                "payload": {"summary": title, "source": "switchboard", "severity": "info"}}
    if kind == IntegrationKind.OPSGENIE:
        return {"message": title, "alias": f"test-{stamp}", "priority": "P5"}
    if kind == IntegrationKind.STATUSPAGE:
        return {"incident": {"id": f"test-{stamp}", "name": title, "status": "investigating",
                             "impact": "none", "created_at": now.isoformat(),
                             "incident_updates": [{"id": f"test-{stamp}-1", "body": title,
                                                   "status": "investigating",
                                                   "created_at": now.isoformat()}]}}
    return {"title": title, "dedup_key": f"test-{stamp}", "severity": "info"}


def send_test_alert(*, integration: Integration, by, now=None) -> InboundEvent:
    """Send a test alert through the same intake path as a real one."""
    if not by.has_perm("integrations.send_test_alert", integration):
        raise PermissionDenied("Only managers send test alerts.")
    payload = sample_alert_payload(integration, by=by, now=now)
    return intake_accept(integration=integration, payload=payload, is_test=True, now=now)


def move_alert_groups_of_merged_incident(sender, *, duplicate, survivor, by, at=None,
                                         **kwargs):
    """``core.hooks.objects_merged`` receiver: the alert groups that declared (or fed)
    an incident cancelled as a duplicate now feed the surviving incident, so the next
    alert of the group lands there instead of on a cancelled incident."""
    from django.apps import apps

    from .models import AlertGroup

    if sender is not apps.get_model("incidents", "Incident"):
        return
    for group in AlertGroup.objects.select_for_update().filter(incident=duplicate):
        group.incident = survivor
        save_with_audit(group, by=by, reason=f"Moved from {duplicate.reference} (merged) to "
                                             f"{survivor.reference}")
