"""The incident admin: lists and filters, edits and actions through the services,
refusals as messages, read-only state, history with reasons."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from incidents import services
from incidents.choices import IncidentState
from incidents.models import Incident, PostMortem, Severity

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:incidents_incident_changelist")


@pytest.fixture
def admin_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def resolved(declared, responder):
    incident = services.incident_triage(incident=declared, by=responder, commander=responder)
    return services.incident_resolve(incident=incident, by=responder, summary="CDN fixed.")


def stored(incident):
    # The FSM field is protected: refresh_from_db() cannot set it, a fresh read can.
    return Incident.objects.get(pk=incident.pk)


def run_action(client, action, objects, changelist=CHANGELIST, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(changelist, data, follow=True)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_manager_lists_filters_and_searches_incidents(admin_client, declared, resolved,
                                                      responder, sev1):
    other = services.incident_declare(by=responder, title="IVR loops", severity=sev1)

    page = admin_client.get(CHANGELIST).content.decode()
    assert declared.reference in page and other.reference in page

    page = admin_client.get(CHANGELIST, {"severity__id__exact": sev1.pk}).content.decode()
    assert other.reference in page and declared.reference not in page

    page = admin_client.get(CHANGELIST, {"state__exact": "resolved"}).content.decode()
    assert resolved.reference in page and other.reference not in page

    page = admin_client.get(CHANGELIST, {"q": "IVR"}).content.decode()
    assert other.reference in page and declared.reference not in page


def test_viewer_has_no_admin(client, viewer):
    client.force_login(viewer)
    assert client.get(CHANGELIST).status_code == 302


def test_state_stage_times_and_roles_are_read_only(admin_client, declared):
    page = admin_client.get(reverse("admin:incidents_incident_change",
                                    args=[declared.pk])).content.decode()
    for field in ("state", "severity", "commander", "declared_at", "reference"):
        assert f'name="{field}"' not in page
    assert 'name="talk_track"' in page
    # Declaring starts clocks and pages people; deleting would erase the record.
    assert admin_client.get(reverse("admin:incidents_incident_add")).status_code == 403
    assert admin_client.get(reverse("admin:incidents_incident_delete",
                                    args=[declared.pk])).status_code == 403


def test_editing_goes_through_the_service(admin_client, declared, chat, manager):
    change = reverse("admin:incidents_incident_change", args=[declared.pk])
    response = admin_client.post(change, {
        "title": declared.title, "priority": declared.priority, "summary": declared.summary,
        "channels": [chat.pk], "affected_services": "Web chat", "customer_impact": "",
        "contacts_affected": "", "agents_idle": "",
        "talk_track": "Card 4111 1111 1111 1111 — sorry, chat is down.",
        **{f"{prefix}-{key}": value for prefix in ("timeline", "status_updates", "action_items")
           for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()},
    })
    assert response.status_code == 302, response.context["errors"]
    incident = stored(declared)
    assert incident.affected_services == "Web chat"
    assert "4111 1111 1111 1111" not in incident.talk_track  # incident_edit masks it
    record = incident.history.first()
    assert record.history_user == manager
    assert record.history_change_reason == "Edited: affected_services, talk_track"
    assert incident.timeline.filter(text="Agent talk track updated.").exists()


def test_close_is_refused_with_a_message_when_the_postmortem_is_missing(admin_client,
                                                                        resolved):
    response = run_action(admin_client, "close_selected", [resolved])

    assert response.status_code == 200
    assert texts(response) == [
        f"{resolved}: Publish the post-mortem before closing."]
    assert stored(resolved).state == IncidentState.RESOLVED


def test_close_through_the_action(admin_client, responder):
    incident = services.incident_declare(by=responder, title="Slow CRM screen pops",
                                         severity=Severity.objects.get(key="SEV3"))
    incident = services.incident_triage(incident=incident, by=responder, commander=responder)
    incident = services.incident_resolve(incident=incident, by=responder, summary="Cache")

    response = run_action(admin_client, "close_selected", [incident])

    assert texts(response) == ["Closed: 1."]
    assert stored(incident).state == IncidentState.CLOSED
    assert stored(incident).history.first().history_change_reason == "Closed"


def test_wrong_state_is_refused_naming_the_allowed_transitions(admin_client, declared):
    response = run_action(admin_client, "start_postmortem_selected", [declared])
    assert texts(response) == [
        f"{declared}: 'start_postmortem' is not allowed from state 'declared'. "
        "Allowed now: cancel, triage."]


def test_cancel_asks_for_the_reason_first(admin_client, declared):
    page = run_action(admin_client, "cancel_selected", [declared])
    assert "Cancel as a false alarm" in page.content.decode()
    assert stored(declared).state == IncidentState.DECLARED

    response = run_action(admin_client, "cancel_selected", [declared], apply="1", text="")
    assert texts(response) == [
        f"{declared}: Say why the incident is cancelled (false alarm, duplicate…)."]

    response = run_action(admin_client, "cancel_selected", [declared], apply="1",
                          text="Monitoring glitch")
    assert texts(response) == ["Cancelled: 1."]
    incident = stored(declared)
    assert (incident.state, incident.cancel_reason) == ("cancelled", "Monitoring glitch")


def test_triage_and_contain_actions_take_their_inputs(admin_client, declared, manager):
    response = run_action(admin_client, "triage_selected", [declared], apply="1",
                          commander=manager.pk, severity="")
    assert texts(response) == ["Triaged: 1."]
    assert stored(declared).commander == manager

    response = run_action(admin_client, "contain_selected", [declared], apply="1",
                          text="Backup widget on")
    assert texts(response) == ["Contained: 1."]
    assert stored(declared).containment_summary == "Backup widget on"


def test_history_page_shows_the_reasons(admin_client, resolved):
    page = admin_client.get(reverse("admin:incidents_incident_history",
                                    args=[resolved.pk])).content.decode()
    for reason in ("Declared", "Triaged", "Resolved"):
        assert reason in page


def test_history_cannot_be_reverted(admin_client, declared):
    record = declared.history.first()
    url = reverse("admin:incidents_incident_simple_history",
                  args=[declared.pk, record.history_id])
    assert admin_client.post(url, {}).status_code == 403


def test_manager_edits_a_severity_with_a_reason_in_history(admin_client, manager, sev2):
    change = reverse("admin:incidents_severity_change", args=[sev2.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data |= {"colour": "#ff0000", "postmortem_required": "on",
             "triage_target": "00:20:00", "containment_target": "02:00:00",
             "update_cadence": "01:00:00", "resolution_target": "08:00:00",
             "postmortem_due": "10 00:00:00"}
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    sev2 = Severity.objects.get(pk=sev2.pk)
    assert sev2.colour == "#ff0000"
    record = sev2.history.first()
    assert record.history_user == manager
    assert "colour" in record.history_change_reason


def test_postmortem_actions_and_refusals(admin_client, responder, manager, resolved):
    incident = services.incident_start_postmortem(incident=resolved, by=responder)
    postmortem = incident.postmortem
    changelist = reverse("admin:incidents_postmortem_changelist")

    response = run_action(admin_client, "submit_selected", [postmortem], changelist)
    assert texts(response) == [f"{postmortem}: Write the root cause. Choose a reviewer."]

    services.postmortem_edit(postmortem=postmortem, by=responder, root_cause="Cert",
                             reviewer=manager)
    run_action(admin_client, "submit_selected", [postmortem], changelist)
    response = run_action(admin_client, "publish_selected", [postmortem], changelist)
    assert texts(response) == ["Published: 1."]
    assert PostMortem.objects.get(pk=postmortem.pk).state == "published"
    # Published: shown read-only.
    page = admin_client.get(reverse("admin:incidents_postmortem_change",
                                    args=[postmortem.pk])).content.decode()
    assert 'name="root_cause"' not in page


def test_action_item_decline_needs_a_reason(admin_client, responder, declared):
    item = services.action_item_create(incident=declared, by=responder, kind="detective",
                                       title="Synthetic chat probe")
    changelist = reverse("admin:incidents_actionitem_changelist")
    response = run_action(admin_client, "decline_selected", [item], changelist, apply="1",
                          text="")
    assert texts(response) == [f"{item}: Say why it won't be done."]
    response = run_action(admin_client, "decline_selected", [item], changelist, apply="1",
                          text="Vendor monitors it")
    assert texts(response) == ["Marked won't do: 1."]


@pytest.mark.parametrize("name", ["incident", "timelineevent", "statusupdate", "postmortem",
                                  "actionitem", "severity", "channel"])
def test_every_model_has_a_list_and_history(admin_client, resolved, responder, name):
    services.incident_start_postmortem(incident=resolved, by=responder)
    services.status_update_post(incident=resolved, by=responder, audience="internal",
                                body="Still watching")
    services.action_item_create(incident=resolved, by=responder, kind="detective",
                                title="Probe")
    assert admin_client.get(reverse(f"admin:incidents_{name}_changelist")).status_code == 200
    model = Incident._meta.apps.get_model("incidents", name)
    obj = model.objects.first()
    history = admin_client.get(reverse(f"admin:incidents_{name}_history", args=[obj.pk]))
    assert history.status_code == 200
