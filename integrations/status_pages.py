"""Polling a vendor's public Statuspage JSON where it cannot send webhooks (off by default).

``<status page>/api/v2/incidents.json`` lists the page's recent incidents in the
webhook's own ``incident`` shape, so each new or changed one is fed through the
ordinary intake path (validated, stored, processed by the task) — the same alert,
group, incident and timeline as a webhook would give. The fetch goes through
``core.safe_http`` (public addresses only unless ``ICS_ALLOW_PRIVATE_NETWORKS``
allows more, as for ICS feeds): the address is typed by a person, so the server must
not be made to reach its own network. Integrations due a poll are claimed for a lease
(``core.due_rows.claim_due``) so no lock is held during the HTTP call.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.due_rows import claim_due
from core.safe_http import FetchFailed, FetchRefused, safe_fetch

from .choices import IntegrationKind
from .formats import STATUSPAGE_OVER, PayloadInvalid, digest
from .models import AlertGroup, Integration
from .services import IntegrationGone, intake_accept

logger = logging.getLogger(__name__)
MAX_BYTES = 2 * 1024 * 1024
TIMEOUT = 15
LEASE = timedelta(minutes=5)
RECENT = 25  # the page's newest incidents looked at each poll


def incidents_url(page_url: str) -> str:
    return page_url.rstrip("/") + "/api/v2/incidents.json"


def status_pages_poll(*, now=None, limit=20) -> dict:
    now = now or timezone.now()
    due = Integration.objects.filter(poll_enabled=True, enabled=True,
                                     kind=IntegrationKind.STATUSPAGE)
    totals = {"polled": 0, "accepted": 0, "failed": 0}
    for pk in claim_due(due, due_field="poll_next_at", now=now, limit=limit, lease=LEASE):
        integration = Integration.objects.get(pk=pk)
        try:
            totals["accepted"] += status_page_poll(integration, now=now)
            totals["polled"] += 1
            error = ""
        except (FetchRefused, FetchFailed, ValueError) as exc:
            totals["failed"] += 1
            error = f"Polling {integration.poll_url}: {exc}"
            logger.warning("%s", error)
        fields = {"poll_next_at": now + integration.poll_interval}
        if error:
            fields.update(last_error=error[:2000], last_error_at=now)
        # Bookkeeping (when to poll next, the last error): no history row per poll.
        Integration.objects.filter(pk=pk).update(**fields)
    return totals


def status_page_poll(integration: Integration, *, now) -> int:
    """Fetch the page's incidents; feed the new or changed ones to intake. Returns how
    many were accepted."""
    result = safe_fetch(incidents_url(integration.poll_url), max_bytes=MAX_BYTES,
                        timeout=TIMEOUT, allow_private=settings.ICS_ALLOW_PRIVATE_NETWORKS,
                        headers={"Accept": "application/json"})
    try:
        document = json.loads(result.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("the status page did not answer JSON") from exc
    incidents = document.get("incidents") if isinstance(document, dict) else None
    if not isinstance(incidents, list):
        raise ValueError("the answer has no incidents list (is it a Statuspage page?)")
    groups = {g.group_key: g for g in AlertGroup.objects.filter(integration=integration)}
    accepted = 0
    for incident in incidents[:RECENT]:
        if not isinstance(incident, dict) or _unchanged(incident, groups):
            continue
        payload = {"incident": incident, "page": document.get("page") or {}}
        try:
            intake_accept(integration=integration, payload=payload, now=now)
        except PayloadInvalid as exc:
            logger.warning("Status page %s: skipped an incident: %s", integration.poll_url, exc)
            continue
        except IntegrationGone:
            break
        accepted += 1
    return accepted


def _unchanged(incident, groups) -> bool:
    """Nothing new since we last saw it: ended before we knew it, or every update seen."""
    group = groups.get(f"statuspage-{incident.get('id')}")
    over = incident.get("status") in STATUSPAGE_OVER
    if group is None:
        return over  # an old, finished incident: nothing to open now
    seen = set(group.seen_updates or [])
    keys = {str(u.get("id") or digest(u.get("body") or "", str(u.get("created_at"))))
            for u in incident.get("incident_updates") or [] if isinstance(u, dict)
            and u.get("body")}
    same_status = (group.status == "resolved") == over
    return same_status and keys <= seen
