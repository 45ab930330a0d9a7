"""Demo integrations and alerts: an Alertmanager for the voice platform (one group that
fired and resolved, so its incident is contained), a PagerDuty-style IVR monitor with
duplicates, and the carrier's status page with its updates on the incident."""

from datetime import timedelta

from django.utils import timezone

from . import services
from .choices import IntegrationKind
from .models import Integration
from .processing import event_process

ZERO = "0001-01-01T00:00:00Z"


def _alertmanager(status, at):
    labels = {"alertname": "SIPTrunkErrors", "severity": "warning", "service": "voice",
              "instance": "sbc-1.lon:9100"}
    return {"version": "4", "receiver": "switchboard", "status": status,
            "groupKey": '{}:{alertname="SIPTrunkErrors"}', "truncatedAlerts": 0,
            "groupLabels": {"alertname": "SIPTrunkErrors"}, "commonLabels": labels,
            "commonAnnotations": {"summary": "SIP trunk error rate above 5 %"},
            "externalURL": "http://alertmanager.example.com",
            "alerts": [{"status": status, "labels": labels,
                        "annotations": {"summary": "SIP trunk error rate above 5 %",
                                        "runbook_url": "https://runbooks.example.com/sip"},
                        "startsAt": at.isoformat(),
                        "endsAt": ZERO if status == "firing"
                        else (at + timedelta(minutes=20)).isoformat(),
                        "generatorURL": "http://prometheus.example.com/graph",
                        "fingerprint": "d3m0f1ngerpr1nt"}]}


def _statuspage(status, at, updates):
    return {"page": {"id": "demo"}, "incident": {
        "id": "demo-carrier-1", "name": "Call setup failures on London trunks",
        "status": status, "impact": "major", "created_at": at.isoformat(),
        "started_at": (at - timedelta(minutes=6)).isoformat(),
        "resolved_at": (at + timedelta(hours=1)).isoformat() if status == "resolved" else None,
        "shortlink": "https://stspg.io/demo",
        "incident_updates": [{"id": f"demo-u{i}", "status": s, "body": body,
                              "created_at": (at + timedelta(minutes=20 * i)).isoformat()}
                             for i, (s, body) in reversed(list(enumerate(updates)))]}}


def _send(integration, payload):
    event = services.intake_accept(integration=integration, payload=payload)
    event_process(event.pk)  # no worker during seeding: process in place


def seed_integrations(demo):
    manager = (demo.users.get("manager") or (None,))[0]  # (user, role) by username
    if manager is None or Integration.objects.exists():
        return
    from core.models import Team
    from incidents.models import Channel

    voice = Channel.objects.filter(key="voice").first()
    team = Team.objects.exclude(lead=None).order_by("pk").first()
    from vendors.models import Vendor

    vendor = Vendor.objects.filter(category="carrier").order_by("pk").first() \
        or Vendor.objects.order_by("pk").first()
    prometheus, _ = services.integration_create(
        by=manager, name="Prometheus (voice platform)", kind=IntegrationKind.ALERTMANAGER,
        channel=voice, team=team, auto_resolve="contain")
    nagios, _ = services.integration_create(
        by=manager, name="Nagios (IVR)", kind=IntegrationKind.PAGERDUTY, channel=voice,
        auto_resolve="none")
    carrier, _ = services.integration_create(
        by=manager, name=f"{vendor.name if vendor else 'Carrier'} status page",
        kind=IntegrationKind.STATUSPAGE, vendor=vendor, team=team, auto_resolve="resolve",
        poll_url="https://status.example.com")
    services.integration_create(by=manager, name="Generic webhook (WFM)",
                                kind=IntegrationKind.GENERIC, enabled=False)
    now = timezone.now()
    _send(prometheus, _alertmanager("firing", now - timedelta(hours=3)))
    _send(prometheus, _alertmanager("firing", now - timedelta(hours=3)))
    _send(prometheus, _alertmanager("resolved", now - timedelta(hours=3)))
    ivr = {"routing_key": "demo", "event_action": "trigger", "dedup_key": "ivr-menu-timeouts",
           "payload": {"summary": "IVR main menu timeouts", "source": "ivr-01",
                       "severity": "warning", "component": "ivr"}}
    for _ in range(4):
        _send(nagios, ivr)
    updates = [("investigating", "We are investigating call setup failures in London."),
               ("identified", "A fibre cut near the London PoP; traffic is being rerouted.")]
    _send(carrier, _statuspage("identified", now - timedelta(hours=1), updates))
