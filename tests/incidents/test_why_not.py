"""incidents/services/why_not.py: one check per non-transition action decides both what
the incident page offers and what the service (and so the API) refuses, in the same
words — per role, and once the incident is over."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.choices import Role
from incidents import services
from incidents.choices import ActionItemKind, Audience
from incidents.models import Incident, Severity
from incidents.services import why_not

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
WORKERS = {Role.MANAGER, Role.INCIDENT_RESPONDER}


def page(client, incident):
    return client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()


def cancelled(incident, manager):
    services.incident_cancel(incident=incident, by=manager, reason="False alarm")
    return Incident.objects.get(pk=incident.pk)


# Each action: its check, the service call it guards, and the form id the page shows
# when it may be done.
ACTIONS = {
    "note": (why_not.why_not_add_note,
             lambda incident, by: services.incident_add_note(incident=incident, by=by,
                                                             text="Seen on the wallboard"),
             'id="note-form"'),
    "update": (why_not.why_not_post_status_update,
               lambda incident, by: services.status_update_post(
                   incident=incident, by=by, audience=Audience.INTERNAL, body="Looking"),
               'id="update-form"'),
    "talk_track": (why_not.why_not_edit_talk_track,
                   lambda incident, by: services.incident_edit(
                       incident=incident, by=by, talk_track="Please call us"),
                   'id="talk-track-form"'),
    "severity": (why_not.why_not_change_severity,
                 lambda incident, by: services.incident_change_severity(
                     incident=incident, by=by, severity=Severity.objects.get(key="SEV1"),
                     reason="Worse"),
                 'id="severity-form"'),
    "roles": (why_not.why_not_assign_role,
              lambda incident, by: services.incident_assign_role(
                  incident=incident, by=by, role="scribe", user=by),
              'id="role-scribe-form"'),
    "action_item": (why_not.why_not_add_action_item,
                    lambda incident, by: services.action_item_create(
                        incident=incident, by=by, kind=ActionItemKind.CORRECTIVE,
                        title="Fix it"),
                    'id="action-item-form"'),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_offered_exactly_what_the_service_lets_it_do(client, make_user, declared,
                                                                   role, action):
    user = make_user(role)
    check, run, form_id = ACTIONS[action]
    refusal = check(user, declared)
    client.force_login(user)
    body = page(client, declared)
    if role in WORKERS:
        assert refusal is None
        assert form_id in body
        run(declared, user)  # goes through
    else:
        assert refusal.is_permission
        assert form_id not in body
        assert f'data-testid="why-not-{action.replace("_", "-")}"' not in body
        with pytest.raises(PermissionDenied) as refused:
            run(declared, user)
        assert str(refused.value) == refusal.message


@pytest.mark.parametrize(("action", "field"), [
    ("update", "incident"), ("talk_track", "talk_track"), ("severity", "severity")])
def test_once_over_the_button_is_greyed_out_with_the_reason_the_service_gives(
        client, manager, declared, action, field):
    incident = cancelled(declared, manager)
    check, run, form_id = ACTIONS[action]
    refusal = check(manager, incident)
    assert (refusal.field, refusal.is_permission) == (field, False)
    client.force_login(manager)
    body = page(client, incident)
    assert form_id not in body
    shown = re.search(rf'data-testid="why-not-{action.replace("_", "-")}">(.*?)</p>', body,
                      re.S)
    assert shown and "disabled" in shown.group(1)
    assert refusal.message in shown.group(1)
    with pytest.raises(ValidationError) as refused:
        run(incident, manager)
    assert refused.value.message_dict == {field: [refusal.message]}


@pytest.mark.parametrize("action", ["note", "roles", "action_item"])
def test_work_that_stays_possible_once_over_is_still_offered(client, manager, declared,
                                                             action):
    incident = cancelled(declared, manager)
    check, run, form_id = ACTIONS[action]
    assert check(manager, incident) is None
    client.force_login(manager)
    assert form_id in page(client, incident)
    run(incident, manager)


def test_the_api_refuses_a_finished_incidents_talk_track_naming_the_field(api_as, manager,
                                                                          declared):
    incident = cancelled(declared, manager)
    response = api_as(manager).patch(f"/api/incidents/{incident.pk}/",
                                     {"talk_track": "Please call us"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "talk_track": [why_not.why_not_edit_talk_track(manager, incident).message]}
    # Other fields of a finished incident can still be corrected.
    response = api_as(manager).patch(f"/api/incidents/{incident.pk}/",
                                     {"summary": "It was the CDN."}, format="json")
    assert response.status_code == 200


def test_the_api_refuses_an_update_once_over_with_the_words_of_the_check(api_as, manager,
                                                                         declared):
    incident = cancelled(declared, manager)
    response = api_as(manager).post(f"/api/incidents/{incident.pk}/status-updates/",
                                    {"audience": "customer", "body": "Back"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "incident": [why_not.why_not_post_status_update(manager, incident).message]}


def test_a_postmortem_in_review_is_shown_read_only_and_not_editable(client, responder,
                                                                    manager, declared):
    incident = services.incident_triage(incident=declared, by=responder, commander=responder)
    incident = services.incident_resolve(incident=incident, by=responder, summary="Fixed")
    services.incident_start_postmortem(incident=incident, by=responder)
    postmortem = Incident.objects.get(pk=incident.pk).postmortem
    services.postmortem_edit(postmortem=postmortem, by=responder, summary="CDN",
                             root_cause="Expired certificate", reviewer=manager)
    client.force_login(responder)
    assert 'id="postmortem-form"' in page(client, incident)
    services.postmortem_transition(postmortem=postmortem, by=responder, name="submit")
    postmortem.refresh_from_db()
    refusal = why_not.why_not_edit_postmortem(responder, postmortem)
    assert refusal.field == "state"
    assert 'id="postmortem-form"' not in page(client, incident)
    with pytest.raises(ValidationError) as refused:
        services.postmortem_edit(postmortem=postmortem, by=responder, lessons="More alerts")
    assert refused.value.message_dict == {"state": [refusal.message]}


def test_who_may_reschedule_an_action_item(client, responder, viewer, declared):
    item = services.action_item_create(incident=declared, by=responder,
                                       kind=ActionItemKind.CORRECTIVE, title="Renew certs")
    assert why_not.why_not_reschedule_action_item(responder, item) is None
    refusal = why_not.why_not_reschedule_action_item(viewer, item)
    assert refusal.is_permission
    edit_form = f'action="/incidents/{declared.pk}/action-items/{item.pk}/"'
    client.force_login(responder)
    assert edit_form in page(client, declared)
    client.force_login(viewer)
    assert edit_form not in page(client, declared)
    with pytest.raises(PermissionDenied, match=refusal.message):
        services.action_item_update(item=item, by=viewer, title="Renew every cert")
