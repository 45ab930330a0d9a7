"""The payload formats, field for field as ../shared/REFERENCE.md ("Alert intake").

For each kind: ``validate(payload)`` runs in the request, before anything is stored,
and raises :class:`PayloadInvalid` naming the field (``alerts[0].status``) so the
sender gets a 400 it can act on; ``normalise(payload, integration, event_id)`` runs in
the task and turns a valid payload into :class:`NormalisedAlert` rows — one shape
whatever the source. Nothing here touches the database.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime

from .choices import DEFAULT_SEVERITY_MAPS, AlertSeverity, AlertStatus, IntegrationKind

K = IntegrationKind
# Alertmanager's "not ended yet" (Go's zero time).
ZERO_TIME = "0001-01-01T00:00:00Z"
PAGERDUTY_ACTIONS = {"trigger": AlertStatus.FIRING, "acknowledge": AlertStatus.ACKNOWLEDGED,
                     "resolve": AlertStatus.RESOLVED}
PAGERDUTY_SEVERITIES = ("critical", "error", "warning", "info")
OPSGENIE_PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
STATUSPAGE_STATUSES = ("investigating", "identified", "monitoring", "resolved", "postmortem")
STATUSPAGE_IMPACTS = ("none", "minor", "major", "critical")
STATUSPAGE_OVER = ("resolved", "postmortem")


class PayloadInvalid(ValueError):
    """``errors``: field path → messages, for the API's 400 body."""

    def __init__(self, field_name, message):
        super().__init__(f"{field_name}: {message}")
        self.errors = {field_name: [message]}


@dataclass
class StatusUpdate:
    key: str
    body: str
    at: datetime | None = None
    status: str = ""


@dataclass
class NormalisedAlert:
    dedup_key: str
    group_key: str
    status: str
    severity: str
    title: str
    source_severity: str = ""
    description: str = ""
    source: str = ""
    labels: dict = field(default_factory=dict)
    links: list = field(default_factory=list)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    group_title: str = ""
    updates: list[StatusUpdate] = field(default_factory=list)  # Statuspage's, oldest first


# --- Small checks, each naming the field ------------------------------------------------


def _object(value, name):
    if not isinstance(value, dict):
        raise PayloadInvalid(name, "Send a JSON object.")
    return value


def _text(value, name, *, required=False, max_length=None, choices=None):
    if value is None or value == "":
        if required:
            raise PayloadInvalid(name, "This field is required.")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise PayloadInvalid(name, "Send a string.")
    value = str(value)
    if "\x00" in value:
        raise PayloadInvalid(name, "NUL characters are not allowed.")
    if max_length and len(value) > max_length:
        raise PayloadInvalid(name, f"At most {max_length} characters.")
    if choices and value not in choices:
        raise PayloadInvalid(name, f"One of: {', '.join(choices)}.")
    return value


def _list(value, name, *, required=False):
    if value is None:
        if required:
            raise PayloadInvalid(name, "This field is required.")
        return []
    if not isinstance(value, list):
        raise PayloadInvalid(name, "Send a list.")
    return value


def _mapping(value, name):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadInvalid(name, "Send a JSON object.")
    return value


def _when(value, name):
    """An ISO 8601 instant (aware, UTC); None for empty and for Go's zero time."""
    if value in (None, "", ZERO_TIME):
        return None
    if not isinstance(value, str):
        raise PayloadInvalid(name, "Send an ISO 8601 date-time with its offset.")
    try:
        parsed = parse_datetime(value)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise PayloadInvalid(name, "Send an ISO 8601 date-time with its offset.")
    try:
        at = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise PayloadInvalid(name, "This date-time is out of range.") from None
    if at.year < 1970 or at.year > 9000:
        return None  # a placeholder such as year 1, not a real instant
    return at


def _strings(mapping):
    """Labels as string → string (sources put numbers in them)."""
    return {str(k)[:200]: ("" if v is None else str(v))[:1000] for k, v in mapping.items()
            if "\x00" not in str(k) and "\x00" not in str(v)}


def digest(*parts) -> str:
    """A stable key for sources that name none (a label set, a message)."""
    raw = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:40]


def severity_for(integration, value) -> str:
    """The source's severity through the integration's map (its own entries first, then
    the kind's defaults); the integration's default when neither knows it."""
    mapping = {str(k).lower(): v for k, v in DEFAULT_SEVERITY_MAPS.get(integration.kind,
                                                                        {}).items()}
    mapping.update({str(k).lower(): v for k, v in (integration.severity_map or {}).items()})
    found = mapping.get(str(value or "").lower())
    return found if found in AlertSeverity.values else integration.default_severity


# --- Alertmanager (v4) and Grafana (v1) -------------------------------------------------


def _validate_alertmanager(payload, *, version):
    _object(payload, "body")
    if str(payload.get("version", version)) != version:
        raise PayloadInvalid("version", f"This endpoint takes version \"{version}\".")
    _text(payload.get("status"), "status", required=True, choices=("firing", "resolved"))
    alerts = _list(payload.get("alerts"), "alerts", required=True)
    if not alerts:
        raise PayloadInvalid("alerts", "Send at least one alert.")
    _text(payload.get("groupKey"), "groupKey", max_length=2000)
    for name in ("groupLabels", "commonLabels", "commonAnnotations"):
        _mapping(payload.get(name), name)
    for index, alert in enumerate(alerts):
        where = f"alerts[{index}]"
        _object(alert, where)
        _text(alert.get("status"), f"{where}.status", required=True,
              choices=("firing", "resolved"))
        _mapping(alert.get("labels"), f"{where}.labels")
        _mapping(alert.get("annotations"), f"{where}.annotations")
        _text(alert.get("fingerprint"), f"{where}.fingerprint", max_length=500)
        _when(alert.get("startsAt"), f"{where}.startsAt")
        _when(alert.get("endsAt"), f"{where}.endsAt")
        _text(alert.get("generatorURL"), f"{where}.generatorURL", max_length=2000)


def _normalise_alertmanager(payload, integration, event_id):
    group_key = payload.get("groupKey") or digest(payload.get("groupLabels") or {})
    common = _strings(payload.get("commonLabels") or {})
    group_title = (payload.get("title") or (payload.get("commonAnnotations") or {}).get(
        "summary") or common.get("alertname") or "")
    found = []
    for alert in payload["alerts"]:
        labels = _strings(alert.get("labels") or {})
        annotations = _strings(alert.get("annotations") or {})
        links = [{"href": alert[name], "text": text} for name, text in (
            ("generatorURL", "Source"), ("dashboardURL", "Dashboard"), ("panelURL", "Panel"),
            ("silenceURL", "Silence")) if alert.get(name)]
        if annotations.get("runbook_url"):
            links.append({"href": annotations["runbook_url"], "text": "Runbook"})
        title = (annotations.get("summary") or labels.get("alertname")
                 or group_title or "Alert")
        found.append(NormalisedAlert(
            dedup_key=alert.get("fingerprint") or digest(labels),
            group_key=str(group_key), status=alert["status"],
            severity=severity_for(integration, labels.get("severity")),
            source_severity=labels.get("severity", ""), title=title,
            description=annotations.get("description") or payload.get("message") or "",
            source=payload.get("receiver") or labels.get("job") or integration.get_kind_display(),
            labels=labels, links=links, started_at=_when(alert.get("startsAt"), "startsAt"),
            ended_at=_when(alert.get("endsAt"), "endsAt"), group_title=group_title or title))
    return found


# --- PagerDuty Events API v2 -----------------------------------------------------------


def _validate_pagerduty(payload):
    _object(payload, "body")
    _text(payload.get("routing_key"), "routing_key", required=True, max_length=200)
    action = _text(payload.get("event_action"), "event_action", required=True,
                   choices=tuple(PAGERDUTY_ACTIONS))
    dedup_key = _text(payload.get("dedup_key"), "dedup_key", max_length=255)
    if action != "trigger" and not dedup_key:
        raise PayloadInvalid("dedup_key", f"Required to {action} an alert.")
    if action == "trigger" or "payload" in payload:
        body = _object(payload.get("payload"), "payload")
        _text(body.get("summary"), "payload.summary", required=True, max_length=1024)
        _text(body.get("source"), "payload.source", required=True, max_length=255)
        _text(body.get("severity"), "payload.severity", required=True,
              choices=PAGERDUTY_SEVERITIES)
        _when(body.get("timestamp"), "payload.timestamp")
        _mapping(body.get("custom_details"), "payload.custom_details")
    for index, link in enumerate(_list(payload.get("links"), "links")):
        _object(link, f"links[{index}]")
        _text(link.get("href"), f"links[{index}].href", required=True, max_length=2000)


def _normalise_pagerduty(payload, integration, event_id):
    body = payload.get("payload") or {}
    dedup_key = payload.get("dedup_key") or f"event-{event_id}"
    labels = _strings({k: v for k, v in body.items() if k in ("component", "group", "class")})
    labels.update(_strings({f"details.{k}": v for k, v in
                            (body.get("custom_details") or {}).items()}))
    links = [{"href": link["href"], "text": link.get("text") or link["href"]}
             for link in payload.get("links") or []]
    if payload.get("client_url"):
        links.append({"href": payload["client_url"], "text": payload.get("client") or "Client"})
    at = _when(body.get("timestamp"), "payload.timestamp")
    status = PAGERDUTY_ACTIONS[payload["event_action"]]
    return [NormalisedAlert(
        dedup_key=dedup_key, group_key=dedup_key, status=status,
        # acknowledge/resolve usually carry no payload: they say nothing of severity.
        severity=severity_for(integration, body.get("severity")) if body else "",
        source_severity=body.get("severity", ""), title=body.get("summary") or "",
        source=body.get("source", ""), labels=labels, links=links,
        started_at=at if status == AlertStatus.FIRING else None,
        ended_at=at if status == AlertStatus.RESOLVED else None)]


# --- Opsgenie create alert ---------------------------------------------------------------


OPSGENIE_ACTIONS = ("create", "close")


def _validate_opsgenie(payload):
    _object(payload, "body")
    # "action" is ours: the close path (…/v2/alerts/<alias>/close, Opsgenie's own) is
    # stored as {"action": "close", "alias": …, "user", "source", "note"}; a sender may
    # also post that shape to the integration's URL.
    if _text(payload.get("action"), "action", choices=OPSGENIE_ACTIONS) == "close":
        _text(payload.get("alias"), "alias", required=True, max_length=512)
        _text(payload.get("user"), "user", max_length=100)
        _text(payload.get("source"), "source", max_length=100)
        _text(payload.get("note"), "note", max_length=25000)
        return
    _text(payload.get("message"), "message", required=True, max_length=130)
    _text(payload.get("alias"), "alias", max_length=512)
    _text(payload.get("description"), "description", max_length=15000)
    _text(payload.get("priority"), "priority", choices=OPSGENIE_PRIORITIES)
    for index, tag in enumerate(_list(payload.get("tags"), "tags")):
        _text(tag, f"tags[{index}]", max_length=50)
    _mapping(payload.get("details"), "details")
    _list(payload.get("responders"), "responders")


def _normalise_opsgenie(payload, integration, event_id):
    if payload.get("action") == "close":
        # Says nothing but "it is over": no title, severity or description to change.
        return [NormalisedAlert(dedup_key=payload["alias"], group_key=payload["alias"],
                                status=AlertStatus.RESOLVED, severity="", title="",
                                source=payload.get("source") or "")]
    alias = payload.get("alias") or digest(payload["message"])
    priority = payload.get("priority") or "P3"
    labels = _strings(payload.get("details") or {})
    if payload.get("tags"):
        labels["tags"] = ", ".join(str(t) for t in payload["tags"])
    if payload.get("entity"):
        labels["entity"] = str(payload["entity"])
    return [NormalisedAlert(
        dedup_key=alias, group_key=alias, status=AlertStatus.FIRING,
        severity=severity_for(integration, priority), source_severity=priority,
        title=payload["message"], description=payload.get("description") or "",
        source=payload.get("source") or "", labels=labels)]


# --- Generic JSON ------------------------------------------------------------------------

GENERIC_STATUSES = ("firing", "acknowledged", "resolved")


def _validate_generic(payload):
    _object(payload, "body")
    _text(payload.get("title"), "title", required=True, max_length=300)
    _text(payload.get("status"), "status", choices=GENERIC_STATUSES)
    _text(payload.get("dedup_key"), "dedup_key", max_length=512)
    _text(payload.get("group_key"), "group_key", max_length=512)
    _text(payload.get("severity"), "severity", max_length=60)
    _text(payload.get("description"), "description", max_length=15000)
    _text(payload.get("source"), "source", max_length=200)
    _mapping(payload.get("labels"), "labels")
    for index, link in enumerate(_list(payload.get("links"), "links")):
        if isinstance(link, dict):
            _text(link.get("href"), f"links[{index}].href", required=True, max_length=2000)
        else:
            _text(link, f"links[{index}]", max_length=2000)
    _when(payload.get("started_at"), "started_at")
    _when(payload.get("ended_at"), "ended_at")


def _normalise_generic(payload, integration, event_id):
    labels = _strings(payload.get("labels") or {})
    dedup_key = payload.get("dedup_key") or digest(payload["title"], labels)
    links = [link if isinstance(link, dict) else {"href": link, "text": link}
             for link in payload.get("links") or []]
    return [NormalisedAlert(
        dedup_key=str(dedup_key), group_key=str(payload.get("group_key") or dedup_key),
        status=payload.get("status") or AlertStatus.FIRING,
        severity=severity_for(integration, payload.get("severity")),
        source_severity=str(payload.get("severity") or ""), title=payload["title"],
        description=payload.get("description") or "", source=payload.get("source") or "",
        labels=labels, links=links, started_at=_when(payload.get("started_at"), "started_at"),
        ended_at=_when(payload.get("ended_at"), "ended_at"))]


# --- Atlassian Statuspage ----------------------------------------------------------------


def _validate_statuspage(payload):
    _object(payload, "body")
    if "incident" not in payload and "component_update" in payload:
        return  # a component's status alone: accepted, nothing to open
    incident = _object(payload.get("incident"), "incident")
    _text(incident.get("id"), "incident.id", required=True, max_length=100)
    _text(incident.get("name"), "incident.name", required=True, max_length=300)
    _text(incident.get("status"), "incident.status", required=True,
          choices=STATUSPAGE_STATUSES)
    _text(incident.get("impact"), "incident.impact", choices=STATUSPAGE_IMPACTS)
    _text(incident.get("shortlink"), "incident.shortlink", max_length=2000)
    for name in ("created_at", "started_at", "resolved_at", "updated_at"):
        _when(incident.get(name), f"incident.{name}")
    for index, update in enumerate(_list(incident.get("incident_updates"),
                                         "incident.incident_updates")):
        where = f"incident.incident_updates[{index}]"
        _object(update, where)
        _text(update.get("body"), f"{where}.body", max_length=20000)
        _when(update.get("created_at"), f"{where}.created_at")
    for index, component in enumerate(_list(incident.get("components"),
                                            "incident.components")):
        _object(component, f"incident.components[{index}]")


def _normalise_statuspage(payload, integration, event_id):
    incident = payload.get("incident")
    if not incident:
        return []
    status = (AlertStatus.RESOLVED if incident["status"] in STATUSPAGE_OVER
              else AlertStatus.FIRING)
    impact = incident.get("impact") or "none"
    updates = []
    # Newest first in the payload; the timeline reads oldest first.
    for update in reversed(incident.get("incident_updates") or []):
        body = update.get("body") or ""
        if not body:
            continue
        at = _when(update.get("created_at"), "created_at")
        key = str(update.get("id") or digest(body, str(update.get("created_at"))))
        updates.append(StatusUpdate(key=key, body=body, at=at,
                                    status=update.get("status") or ""))
    components = {str(c.get("name") or c.get("id")): str(c.get("status") or "")
                  for c in incident.get("components") or []}
    links = [{"href": incident["shortlink"], "text": "Vendor status page"}] \
        if incident.get("shortlink") else []
    started = _when(incident.get("started_at"), "started_at") or _when(
        incident.get("created_at"), "created_at")
    key = f"statuspage-{incident['id']}"
    return [NormalisedAlert(
        dedup_key=key, group_key=key, status=status, severity=severity_for(integration, impact),
        source_severity=impact, title=incident["name"],
        description=updates[-1].body if updates else "",
        source=(payload.get("page") or {}).get("id", "") if isinstance(payload.get("page"),
                                                                      dict) else "",
        labels={f"component.{k}": v for k, v in components.items()}, links=links,
        started_at=started,
        ended_at=_when(incident.get("resolved_at"), "resolved_at") if status == "resolved"
        else None, group_title=incident["name"], updates=updates)]


VALIDATORS = {
    K.ALERTMANAGER: lambda p: _validate_alertmanager(p, version="4"),
    K.GRAFANA: lambda p: _validate_alertmanager(p, version="1"),
    K.PAGERDUTY: _validate_pagerduty,
    K.OPSGENIE: _validate_opsgenie,
    K.GENERIC: _validate_generic,
    K.STATUSPAGE: _validate_statuspage,
}
NORMALISERS = {
    K.ALERTMANAGER: _normalise_alertmanager,
    K.GRAFANA: _normalise_alertmanager,
    K.PAGERDUTY: _normalise_pagerduty,
    K.OPSGENIE: _normalise_opsgenie,
    K.GENERIC: _normalise_generic,
    K.STATUSPAGE: _normalise_statuspage,
}


def validate(kind, payload) -> None:
    VALIDATORS[kind](payload)


def normalise(integration, payload, *, event_id) -> list[NormalisedAlert]:
    """The payload's alerts in the one shape, grouped by the integration's label if
    it names one (else the source's own group key)."""
    found = NORMALISERS[integration.kind](payload, integration, event_id)
    label = integration.group_by_label
    for alert in found:
        if label and alert.labels.get(label):
            alert.group_key = f"{label}={alert.labels[label]}"
        # An empty title stays empty (a PagerDuty resolve, an Opsgenie close say nothing
        # of it, and must not rename the alert); a new alert without one is "Alert".
        alert.title = alert.title[:300]
        alert.group_title = (alert.group_title or alert.title or "Alert")[:300]
        alert.dedup_key = alert.dedup_key[:512]
        # Links are drawn on pages: only web addresses (never javascript: or data:).
        alert.links = [link for link in alert.links if isinstance(link, dict)
                       and str(link.get("href", "")).lower().startswith(("http://", "https://"))]
        alert.group_key = alert.group_key[:512]
    return found
