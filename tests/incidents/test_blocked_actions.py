"""Issue 19 item 6: an action that cannot be done now is shown greyed with the reason
(core.why_not.why_not_transition), and the admin says so before asking for input."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from core.choices import Role
from core.why_not import why_not_transition
from incidents import services
from incidents.choices import IncidentState
from incidents.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(declared, responder):
    incident = services.incident_triage(incident=declared, by=responder, commander=responder)
    return services.incident_resolve(incident=incident, by=responder, summary="CDN fixed.")


def page(client, incident):
    return client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()


def test_close_is_greyed_with_the_reason_while_the_postmortem_is_unpublished(
        client, manager, resolved):
    client.force_login(manager)
    body = page(client, resolved)

    assert 'data-testid="why-not-close"' in body
    assert "Publish the post-mortem before closing." in body
    assert 'data-testid="step-close"' not in body  # no button that only errors
    # The same words as the service's refusal.
    refusal = why_not_transition(manager, resolved, "close")
    assert str(refusal) == "Publish the post-mortem before closing."
    assert refusal.field == "postmortem" and not refusal.is_permission


def test_close_is_a_button_once_nothing_blocks_it(client, manager, resolved, responder):
    resolved.severity.postmortem_required = False
    resolved.severity.save()
    client.force_login(manager)
    body = page(client, Incident.objects.get(pk=resolved.pk))
    assert 'data-testid="step-close"' in body
    assert 'data-testid="why-not-close"' not in body


def test_a_step_whose_form_asks_for_the_missing_field_stays_a_button(client, responder,
                                                                     declared):
    client.force_login(responder)
    body = page(client, declared)
    # Triage needs a commander, which its form asks for: not greyed.
    assert 'data-testid="step-triage"' in body
    assert why_not_transition(responder, declared, "triage",
                              fills={"severity", "commander"}) is None
    assert "commander" in str(why_not_transition(responder, declared, "triage"))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FINANCE])
def test_a_role_that_may_not_close_is_told_so(make_user, resolved, role):
    refusal = why_not_transition(make_user(role), resolved, "close")
    assert refusal.is_permission


def test_wrong_state_names_the_state(manager, declared):
    assert str(why_not_transition(manager, declared, "close")) == (
        "Not possible while the incident is declared.")


def run_action(client, action, objects, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(reverse("admin:incidents_incident_changelist"), data, follow=True)


def test_admin_refuses_contain_before_asking_for_the_summary(client, manager, declared):
    client.force_login(manager)
    response = run_action(client, "contain_selected", [declared])

    body = response.content.decode()
    assert "Containment summary" not in body  # no form shown
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{declared}: Not possible while the incident is declared."]
    assert Incident.objects.get(pk=declared.pk).state == IncidentState.DECLARED


def test_admin_asks_only_about_the_incidents_that_can_move(client, manager, declared,
                                                           resolved, responder):
    other = services.incident_declare(by=responder, title="IVR down")
    other = services.incident_triage(incident=other, by=responder, commander=responder,
                                     severity=resolved.severity)
    client.force_login(manager)
    response = run_action(client, "contain_selected", [resolved, other])
    body = response.content.decode()
    assert "Containment summary" in body
    assert f"<strong>{other}</strong>" in body
    assert f"<strong>{resolved}</strong>" not in body
