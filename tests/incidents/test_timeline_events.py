"""Incident timeline entries are typed (incidents/timeline_events.py): a code and its facts
are stored, and the sentence is built when the entry is drawn."""

from datetime import UTC, datetime, timedelta

import pytest

from incidents import timeline_events
from incidents.choices import Audience
from incidents.services import (
    incident_change_severity,
    incident_correct_timestamp,
    status_update_post,
)

pytestmark = pytest.mark.django_db


def _last(incident, code):
    return incident.timeline.filter(event=code).latest("at", "pk")


def test_declaring_stores_the_facts(declared):
    entry = _last(declared, timeline_events.DECLARED)
    assert entry.params == {"severity": "SEV2", "by_name": "Ivan Petrov",
                            "title": "Chat widget not loading"}
    assert entry.render() == entry.text == ("SEV2 incident declared by Ivan Petrov: "
                                            "Chat widget not loading")


def test_a_severity_change_keeps_both_keys(declared, responder, sev1):
    incident_change_severity(incident=declared, by=responder, severity=sev1,
                             reason="Every queue affected")
    entry = _last(declared, timeline_events.SEVERITY_CHANGED)
    assert entry.params == {"old": "SEV2", "new": "SEV1", "reason": "Every queue affected"}
    assert entry.render() == "Severity SEV2 → SEV1: Every queue affected"


def test_a_status_update_keeps_its_audience_and_the_masking_is_typed(declared, responder):
    status_update_post(incident=declared, by=responder, audience=Audience.INTERNAL,
                       body="Card 4111 1111 1111 1111 seen in a transcript")
    entry = _last(declared, timeline_events.STATUS_UPDATE)
    assert entry.params["audience"] == Audience.INTERNAL
    assert "4111 1111 1111 1111" not in entry.params["body"]
    assert entry.render() == f"{Audience.INTERNAL.label} update: {entry.params['body']}"
    masked = declared.timeline.get(event="card-numbers-masked")
    assert masked.params == {"count": 1, "where": "update"}
    assert masked.render() == "1 card number(s) masked in the update."


def test_a_corrected_time_is_stored_as_instants_and_read_in_utc(declared, manager):
    old = declared.declared_at
    new = (old - timedelta(minutes=30)).astimezone(UTC)
    incident_correct_timestamp(incident=declared, by=manager, field="declared_at",
                               value=new, reason="Alert fired earlier")
    entry = _last(declared, timeline_events.TIME_CORRECTED)
    assert entry.params["field"] == "declared_at"
    assert abs(datetime.fromisoformat(entry.params["new"]) - new) < timedelta(seconds=1)
    assert entry.render() == (f"declared at corrected from {old.astimezone(UTC):%Y-%m-%d %H:%M}"
                              f" to {new:%Y-%m-%d %H:%M} UTC: Alert fired earlier")


def test_an_untyped_row_still_reads_as_it_was_written(declared):
    """Rows written before the entries were typed keep their stored text (no migration
    rewrites them): an empty code renders the text."""
    entry = _last(declared, timeline_events.DECLARED)
    entry.event, entry.params = "", {}
    assert entry.render() == entry.text
