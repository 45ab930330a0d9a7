"""Linking escalations to the incidents that caused them, many at once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import Role
from escalations import services
from escalations.choices import EscalationTimelineKind
from escalations.models import EscalationIncidentLink
from incidents import services as incident_services
from incidents.choices import TimelineKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def responder(make_user):
    return make_user(Role.INCIDENT_RESPONDER, username="rhys")


@pytest.fixture
def incident(responder):
    return incident_services.incident_declare(by=responder, title="Chat widget down")


def test_a_responder_links_many_escalations_at_once(incident, responder, open_escalation):
    escalations = [open_escalation(summary=f"Chat lost {n}") for n in range(3)]
    links = services.incident_link_escalations(incident=incident, escalations=escalations,
                                               by=responder)
    assert len(links) == 3
    assert set(incident.escalations.all()) == set(escalations)
    event = incident.timeline.get(kind=TimelineKind.LINK)
    assert event.text.startswith(
        f"{responder.get_full_name()} linked 3 customer escalation(s): ESC-")
    for escalation in escalations:
        line = escalation.timeline.get(kind=EscalationTimelineKind.LINK)
        assert f"Linked to incident {incident.reference} (declared)" in line.text
    assert EscalationIncidentLink.history.filter(history_user=responder).count() == 3


def test_linking_again_skips_those_already_linked(incident, responder, open_escalation):
    first, second = open_escalation(), open_escalation()
    services.incident_link_escalations(incident=incident, escalations=[first], by=responder)
    links = services.incident_link_escalations(incident=incident, escalations=[first, second],
                                               by=responder)
    assert [link.escalation for link in links] == [second]
    assert EscalationIncidentLink.objects.count() == 2
    with pytest.raises(ValidationError, match="Already linked"):
        services.escalation_link_incident(escalation=first, incident=incident, by=responder)


def test_an_escalation_lead_links_from_the_escalation_and_unlinks(
        incident, lead, open_escalation):
    escalation = open_escalation()
    services.escalation_link_incident(escalation=escalation, incident=incident, by=lead)
    services.escalation_unlink_incident(escalation=escalation, incident=incident, by=lead)
    assert not incident.escalations.exists()
    assert incident.timeline.filter(text__contains=f"unlinked escalation {escalation.reference}")
    history = EscalationIncidentLink.history.order_by("history_id")
    assert [row.history_type for row in history] == ["+", "-"]
    assert history.last().history_user == lead
    with pytest.raises(ValidationError, match="is not linked"):
        services.escalation_unlink_incident(escalation=escalation, incident=incident, by=lead)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FINANCE, Role.VENDOR_MANAGER])
def test_read_only_roles_cannot_link(incident, open_escalation, make_user, role):
    with pytest.raises(PermissionDenied):
        services.incident_link_escalations(incident=incident, escalations=[open_escalation()],
                                           by=make_user(role))


def test_a_cancelled_incident_takes_no_links_and_names_the_original(
        incident, responder, manager, open_escalation):
    original = incident_services.incident_declare(by=responder, title="Chat outage")
    incident_services.incident_cancel(incident=incident, by=manager, reason="Duplicate",
                                      duplicate_of=original)
    with pytest.raises(ValidationError, match=f"duplicate of {original.reference}"):
        services.incident_link_escalations(incident=incident, escalations=[open_escalation()],
                                           by=responder)


def test_nothing_chosen_is_refused(incident, responder):
    with pytest.raises(ValidationError) as error:
        services.incident_link_escalations(incident=incident, escalations=[], by=responder)
    assert "escalations" in error.value.message_dict
