"""Severity mapping, per format, exactly as REFERENCE.md ("Severity mapping"): each
source level arrives at its own normalised severity (Opsgenie's five priorities at
five, not P4 and P5 both at info), and the incident opened follows its rank."""

import pytest

from incidents.models import Severity
from integrations.models import Alert

from . import samples

pytestmark = pytest.mark.django_db


def _generic(severity):
    return {"title": "Queue wait high", "dedup_key": f"wait-{severity}", "severity": severity}


def _statuspage(impact):
    return samples.statuspage(incident_id=f"sp-{impact}", impact=impact)


CASES = [
    # PagerDuty critical/error/warning/info → critical/high/medium/info.
    *[("pagerduty", lambda s: samples.pagerduty(severity=s, dedup_key=f"pd-{s}"), source, want)
      for source, want in (("critical", "critical"), ("error", "high"),
                           ("warning", "medium"), ("info", "info"))],
    # Opsgenie P1…P5 → critical…info, one step each.
    *[("opsgenie", lambda s: samples.opsgenie(priority=s, alias=f"og-{s}"), source, want)
      for source, want in (("P1", "critical"), ("P2", "high"), ("P3", "medium"),
                           ("P4", "low"), ("P5", "info"))],
    # Statuspage critical/major/minor/none → critical/high/medium/info.
    *[("statuspage", _statuspage, source, want)
      for source, want in (("critical", "critical"), ("major", "high"), ("minor", "medium"),
                           ("none", "info"))],
    # Alertmanager and Grafana: labels.severity through the map (common values).
    *[("alertmanager", lambda s: samples.alertmanager(severity=s, fingerprint=f"am-{s}",
                                                      group_key=f"am-{s}"), source, want)
      for source, want in (("critical", "critical"), ("error", "high"), ("warning", "medium"),
                           ("low", "low"), ("info", "info"))],
    *[("generic", _generic, source, want)
      for source, want in (("critical", "critical"), ("high", "high"), ("medium", "medium"),
                           ("low", "low"), ("info", "info"))],
]


@pytest.mark.parametrize(("kind", "build", "source", "want"), CASES,
                         ids=[f"{kind}-{source}" for kind, _, source, _ in CASES])
def test_source_severity_maps_as_the_reference_says(make_integration, post_alert, kind, build,
                                                    source, want):
    integration = make_integration(kind)
    assert post_alert(integration, build(source)).status_code == 202
    alert = Alert.objects.get()
    assert (alert.source_severity, alert.severity) == (source, want)


def test_opsgenie_p4_and_p5_stay_apart_and_a_sev5_takes_info(make_integration, post_alert):
    Severity.objects.create(key="SEV5", name="Informational", rank=5)
    integration = make_integration("opsgenie")
    post_alert(integration, samples.opsgenie(priority="P4", alias="p4"))
    post_alert(integration, samples.opsgenie(priority="P5", alias="p5"))
    severities = dict(Alert.objects.values_list("dedup_key", "severity"))
    assert severities == {"p4": "low", "p5": "info"}
    incidents = {a.dedup_key: a.group.incident.severity.key
                 for a in Alert.objects.select_related("group__incident__severity")}
    assert incidents == {"p4": "SEV4", "p5": "SEV5"}


def test_without_a_sev5_info_declares_the_least_severe(make_integration, post_alert):
    integration = make_integration("opsgenie")
    post_alert(integration, samples.opsgenie(priority="P5", alias="p5"))
    least = Severity.objects.order_by("-rank").first()
    assert Alert.objects.get().group.incident.severity == least


def test_an_integration_map_may_send_to_low(make_integration, post_alert):
    integration = make_integration("alertmanager", severity_map={"minor": "low"})
    post_alert(integration, samples.alertmanager(severity="minor"))
    assert Alert.objects.get().severity == "low"
