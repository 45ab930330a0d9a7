"""Alertmanager and Grafana: firing then resolved with the same fingerprint → one incident,
contained or resolved as the integration says; duplicates counted, not re-declared."""

import pytest

from incidents.models import Incident
from integrations.models import Alert, AlertGroup, InboundEvent
from integrations.timeline import ALERT_OPENED, ALERT_RESOLVED

from . import samples

pytestmark = pytest.mark.django_db


def test_firing_opens_one_system_declared_incident_at_the_mapped_severity(
        make_integration, post_alert):
    integration = make_integration()
    response = post_alert(integration, samples.alertmanager())
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "success"
    incident = Incident.objects.get()
    assert incident.severity.key == "SEV1"  # labels.severity critical → critical → SEV1
    assert incident.declared_via == "system"
    assert incident.declared_by.username == "switchboard-system"
    assert incident.title == "SIP trunk to Northwind is down"
    alert = Alert.objects.get()
    assert (alert.status, alert.severity, alert.dedup_key) == ("firing", "critical",
                                                                "c6f4a5b1e2d3f4a5")
    assert alert.labels["service"] == "voice"
    assert {link["text"] for link in alert.links} >= {"Source", "Runbook"}
    assert alert.group.incident == incident
    assert incident.timeline.filter(event=ALERT_OPENED).exists()
    assert InboundEvent.objects.get().status == "processed"


def test_duplicates_count_and_open_nothing_more(make_integration, post_alert):
    integration = make_integration()
    for _ in range(5):
        assert post_alert(integration, samples.alertmanager()).status_code == 202
    assert Incident.objects.count() == 1
    assert Alert.objects.get().occurrences == 5
    assert InboundEvent.objects.filter(status="processed").count() == 5


def test_resolved_contains_the_incident_when_its_team_lead_commands(
        make_integration, post_alert, on_call_team):
    integration = make_integration(team=on_call_team, auto_resolve="contain")
    post_alert(integration, samples.alertmanager("firing"))
    post_alert(integration, samples.alertmanager("resolved"))
    incident = Incident.objects.get()
    assert incident.state == "contained"
    assert incident.commander == on_call_team.lead
    assert "resolved" in incident.containment_summary
    assert incident.timeline.filter(event=ALERT_RESOLVED).exists()
    group = AlertGroup.objects.get()
    assert group.status == "resolved" and group.resolved_at is not None


def test_resolved_resolves_when_configured_never_closes(make_integration, post_alert,
                                                        on_call_team):
    integration = make_integration(team=on_call_team, auto_resolve="resolve")
    post_alert(integration, samples.alertmanager("firing"))
    post_alert(integration, samples.alertmanager("resolved"))
    assert Incident.objects.get().state == "resolved"


def test_without_a_commander_the_incident_waits_for_triage_and_says_so(make_integration,
                                                                       post_alert):
    integration = make_integration(auto_resolve="contain")
    post_alert(integration, samples.alertmanager("firing"))
    post_alert(integration, samples.alertmanager("resolved"))
    incident = Incident.objects.get()
    assert incident.state == "declared"
    entry = incident.timeline.get(event=ALERT_RESOLVED)
    assert "awaits triage" in entry.render()


def test_policy_none_leaves_the_incident_alone(make_integration, post_alert, on_call_team):
    integration = make_integration(team=on_call_team, auto_resolve="none")
    post_alert(integration, samples.alertmanager("firing"))
    post_alert(integration, samples.alertmanager("resolved"))
    assert Incident.objects.get().state == "declared"


def test_one_incident_per_group_key_with_several_alerts(make_integration, post_alert,
                                                        on_call_team):
    integration = make_integration(team=on_call_team)
    first = samples.alertmanager()["alerts"][0]
    second = {**first, "fingerprint": "ffff0000aaaa1111",
              "labels": {**first["labels"], "instance": "sbc-2.lon:9100"}}
    post_alert(integration, samples.alertmanager(alerts=[first, second]))
    assert Incident.objects.count() == 1
    assert Alert.objects.count() == 2
    # One alert resolving leaves the incident alone; the last one contains it.
    post_alert(integration, samples.alertmanager(
        "resolved", alerts=[{**first, "status": "resolved"}]))
    assert Incident.objects.get().state == "declared"
    post_alert(integration, samples.alertmanager(
        "resolved", alerts=[{**second, "status": "resolved"}]))
    assert Incident.objects.get().state == "contained"


def test_a_configured_label_groups_across_group_keys(make_integration, post_alert):
    integration = make_integration(group_by_label="service")
    post_alert(integration, samples.alertmanager(group_key="a", fingerprint="1"))
    post_alert(integration, samples.alertmanager(group_key="b", fingerprint="2"))
    assert Incident.objects.count() == 1
    assert AlertGroup.objects.get().group_key == "service=voice"


def test_the_integrations_severity_map_wins(make_integration, post_alert):
    integration = make_integration(severity_map={"critical": "high"})
    post_alert(integration, samples.alertmanager())
    assert Incident.objects.get().severity.key == "SEV2"


def test_grafana_alerts_normalise_the_same_way(make_integration, post_alert):
    integration = make_integration("grafana")
    assert post_alert(integration, samples.grafana()).status_code == 202
    alert = Alert.objects.get()
    assert alert.severity == "medium"  # warning
    assert {link["text"] for link in alert.links} >= {"Dashboard", "Panel", "Silence"}
    assert Incident.objects.get().severity.key == "SEV3"
