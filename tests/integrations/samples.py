"""Real-shaped sample payloads, as each tool sends them (fields per REFERENCE.md)."""

ZERO = "0001-01-01T00:00:00Z"


def alertmanager(status="firing", *, fingerprint="c6f4a5b1e2d3f4a5", group_key=None,
                 severity="critical", alertname="SIPTrunkDown", summary=None, alerts=None):
    labels = {"alertname": alertname, "severity": severity, "service": "voice",
              "instance": "sbc-1.lon:9100", "job": "sbc"}
    alert = {
        "status": status, "labels": labels,
        "annotations": {"summary": summary or "SIP trunk to Northwind is down",
                        "description": "No SIP OPTIONS answered for 5 minutes.",
                        "runbook_url": "https://runbooks.example.com/sip-trunk"},
        "startsAt": "2026-12-05T10:00:00.000Z",
        "endsAt": ZERO if status == "firing" else "2026-12-05T10:20:00.000Z",
        "generatorURL": "http://prometheus.example.com/graph?g0.expr=up%7Bjob%3D%22sbc%22%7D",
        "fingerprint": fingerprint,
    }
    return {
        "version": "4", "receiver": "switchboard", "status": status,
        "groupKey": group_key or '{}/{severity="critical"}:{alertname="SIPTrunkDown"}',
        "truncatedAlerts": 0, "groupLabels": {"alertname": alertname},
        "commonLabels": labels, "commonAnnotations": alert["annotations"],
        "externalURL": "http://alertmanager.example.com:9093",
        "alerts": alerts if alerts is not None else [alert],
    }


def grafana(status="firing", *, fingerprint="9a8b7c6d5e4f3a2b"):
    payload = alertmanager(status, fingerprint=fingerprint, severity="warning",
                           alertname="ChatLatencyHigh", summary="Chat widget latency high")
    payload.update({"version": "1", "orgId": 1, "title": "[FIRING:1] ChatLatencyHigh",
                    "state": "alerting" if status == "firing" else "ok",
                    "message": "Chat latency above 2 s"})
    for alert in payload["alerts"]:
        alert.update({"silenceURL": "https://grafana.example.com/alerting/silence/new",
                      "dashboardURL": "https://grafana.example.com/d/chat",
                      "panelURL": "https://grafana.example.com/d/chat?viewPanel=2",
                      "values": {"B": 2.4}})
    return payload


def pagerduty(action="trigger", *, routing_key="R0UT1NGK3Y", dedup_key="ivr-main-down",
              severity="error"):
    payload = {"routing_key": routing_key, "event_action": action, "dedup_key": dedup_key}
    if action == "trigger":
        payload.update({
            "payload": {"summary": "IVR main menu not answering", "source": "ivr-main-01",
                        "severity": severity, "timestamp": "2026-12-05T10:00:00.000+00:00",
                        "component": "ivr", "group": "telephony", "class": "availability",
                        "custom_details": {"calls_failing": 42}},
            "client": "Nagios", "client_url": "https://nagios.example.com",
            "links": [{"href": "https://wiki.example.com/ivr", "text": "IVR runbook"}],
            "images": [{"src": "https://chart.example.com/ivr.png",
                        "href": "https://chart.example.com", "alt": "IVR calls"}]})
    return payload


def opsgenie(*, alias="crm-sync-failing", priority="P2"):
    return {"message": "CRM sync failing", "alias": alias,
            "description": "Salesforce sync job failed 3 times.",
            "responders": [{"name": "CRM team", "type": "team"}],
            "tags": ["crm", "sync"], "details": {"job": "sf-sync"}, "entity": "crm",
            "source": "cron", "priority": priority}


def statuspage(status="investigating", *, incident_id="p31zjtct2jer", impact="major",
               updates=None):
    updates = updates if updates is not None else [
        {"id": "u1", "status": "investigating", "body": "We are investigating call failures.",
         "created_at": "2026-12-05T10:01:00.000Z"}]
    return {
        "meta": {"unsubscribe": "https://status.northwind.example/?unsubscribe=x",
                 "documentation": "https://doers.statuspage.io/customer-notifications/webhooks/"},
        "page": {"id": "j2mfxwj97wnj", "status_indicator": "major",
                 "status_description": "Partial System Outage"},
        "incident": {
            "id": incident_id, "name": "Elevated call failures in London",
            "status": status, "impact": impact,
            "created_at": "2026-12-05T10:00:00.000Z",
            "started_at": "2026-12-05T09:55:00.000Z",
            "resolved_at": "2026-12-05T11:30:00.000Z" if status == "resolved" else None,
            "shortlink": "http://stspg.io/abc123",
            # Newest first, as Statuspage sends them.
            "incident_updates": list(reversed(updates)),
            "components": [{"id": "c1", "name": "SIP trunks",
                            "status": "major_outage" if status != "resolved"
                            else "operational"}],
        },
    }
