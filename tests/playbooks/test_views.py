"""Playbook pages: the library, a playbook's page (versions, diff, rules, the draft's
step editor), the checklist on incident and escalation pages (htmx and plain POST),
progress on the lists, and who may see and do what."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.choices import Role
from incidents import services as incident_services
from playbooks import services
from playbooks.choices import StepState, VersionState
from playbooks.models import Playbook, PlaybookRun, StepRun, owned_by

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]


def html(response):
    return response.content.decode()


def action(playbook, name, target=None):
    if target is not None:
        return reverse("playbooks:target-action", args=[playbook.pk, name, target.pk])
    return reverse("playbooks:action", args=[playbook.pk, name])


@pytest.fixture
def carrier(make_playbook, severity, channel):
    return make_playbook(rules=[{"min_severity": severity["SEV2"], "channel": channel["voice"]}])


@pytest.fixture
def incident(carrier, responder, severity, channel):
    return incident_services.incident_declare(by=responder, title="Calls failing",
                                              severity=severity["SEV2"],
                                              channels=[channel["voice"]])


# --- The library -------------------------------------------------------------------------


def test_the_library_lists_searches_and_filters(client, viewer, starter_library):
    client.force_login(viewer)
    page = html(client.get(reverse("playbooks:index")))
    assert page.count('data-testid="playbook-row"') == 9
    assert "severity SEV2 or worse, channel Voice / ACD" in page
    page = html(client.get(reverse("playbooks:index"), {"kind": "escalation"}))
    assert page.count('data-testid="playbook-row"') == 3
    page = html(client.get(reverse("playbooks:index"), {"q": "carrier"}))
    assert "Telephony carrier outage" in page and "CRM outage" not in page


def test_the_library_answers_in_constant_queries(client, viewer, make_playbook):
    make_playbook(name="One")
    client.force_login(viewer)
    client.get(reverse("playbooks:index"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("playbooks:index"))
    for n in range(6):
        make_playbook(name=f"More {n}")
    with CaptureQueriesContext(connection) as seven:
        assert html(client.get(reverse("playbooks:index"))).count('data-testid="playbook-row"') == 7
    assert len(seven) == len(one)


def test_a_manager_creates_a_playbook_and_bad_input_is_named(client, manager):
    client.force_login(manager)
    refused = client.post(reverse("playbooks:create"), {"name": "", "slug": "x",
                                                        "kind": "incident", "purpose": ""})
    assert refused.status_code == 400 and "name" in refused.context["form"].errors
    response = client.post(reverse("playbooks:create"), {
        "name": "WFM outage", "slug": "wfm-outage", "kind": "incident",
        "purpose": "When schedules cannot be published."})
    playbook = Playbook.objects.get(slug="wfm-outage")
    assert response.status_code == 302 and response["Location"] == playbook.get_absolute_url()
    assert services.current_draft(playbook).number == 1


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_library_and_who_adds_to_it(client, make_user, role, carrier):
    client.force_login(make_user(role))
    assert client.get(reverse("playbooks:index")).status_code == 200
    assert client.get(carrier.get_absolute_url()).status_code == 200
    assert client.get(reverse("playbooks:create")).status_code == (
        200 if role == Role.MANAGER else 403)


# --- A playbook's page --------------------------------------------------------------------


def test_a_manager_drafts_edits_and_publishes_a_new_version(client, manager, carrier):
    client.force_login(manager)
    client.post(action(carrier, "new-draft"), {"change_note": "Callback first"})
    draft = services.current_draft(carrier)
    page = html(client.get(carrier.get_absolute_url()))
    assert 'data-testid="shown-state">draft' in page and 'data-testid="add-step"' in page
    refused = client.post(action(carrier, "add-step"), {"title": "Late", "due_minutes": -5,
                                                        "evidence": "none"},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "A due offset must be positive" in html(refused)
    client.post(action(carrier, "add-step"), {"title": "Switch queues to callback",
                                              "due_minutes": 20, "required": "on",
                                              "evidence": "none"})
    step = draft.steps.get(title="Switch queues to callback")
    assert step.due_offset == timedelta(minutes=20) and step.position == 4
    client.post(action(carrier, "move-step", step), {"position": 1})
    assert draft.steps.get(pk=step.pk).position == 1
    first = draft.steps.order_by("position")[1]
    client.post(action(carrier, "edit-step", first), {"title": "Open the carrier ticket",
                                                      "evidence": "link", "required": "on"})
    assert draft.steps.get(pk=first.pk).title == "Open the carrier ticket"
    response = client.post(action(carrier, "publish"), {"change_note": "Callback first"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "draft published" in html(response)
    draft.refresh_from_db()
    assert draft.state == VersionState.PUBLISHED
    assert carrier.versions.get(number=1).state == VersionState.RETIRED


def test_the_diff_between_two_versions(client, manager, carrier):
    draft = services.version_new_draft(playbook=carrier, by=manager)
    services.step_save(version=draft, by=manager, title="Switch queues to callback")
    services.version_publish(version=draft, by=manager)
    client.force_login(manager)
    page = html(client.get(carrier.get_absolute_url(), {"from": 1, "to": 2}))
    assert 'data-testid="version-diff"' in page
    # Side by side, per step: the new step is on the v2 side, marked added.
    assert '<tr class="diff-added" data-testid="diff-row" data-status="added">' in page
    assert "4. Switch queues to callback" in page
    assert page.count('data-status="same"') == 3


def test_the_diff_names_what_changed_in_a_step(manager, carrier):
    draft = services.version_new_draft(playbook=carrier, by=manager)
    step = draft.steps.order_by("position").first()
    services.step_save(version=draft, by=manager, step=step, title=step.title, required=False)
    rows = services.version_step_diff(carrier.versions.get(number=1), draft)
    assert [r["status"] for r in rows][0] == "changed"
    assert rows[0]["changed_labels"] == ["Required"]


def test_a_published_version_offers_no_editing(client, manager, carrier):
    client.force_login(manager)
    page = html(client.get(carrier.get_absolute_url()))
    assert 'data-testid="add-step"' not in page and 'data-testid="new-draft"' in page
    published = services.published_version(carrier)
    step = published.steps.first()
    refused = client.post(action(carrier, "edit-step", step), {"title": "Changed",
                                                               "evidence": "none"},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "start a new draft" in html(refused)


def test_publishing_an_empty_draft_is_refused(client, manager):
    playbook = services.playbook_create(by=manager, name="Empty", kind="incident",
                                        slug="empty", purpose="x")
    client.force_login(manager)
    response = client.post(action(playbook, "publish"), {"change_note": ""},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "A version needs at least one step" in html(response)


def test_rules_are_added_and_removed_on_the_page(client, manager, carrier, channel):
    client.force_login(manager)
    refused = client.post(action(carrier, "add-rule"), {}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "Set at least one condition" in html(refused)
    client.post(action(carrier, "add-rule"), {"channel": channel["ivr"].pk})
    rule = carrier.rules.get(channel=channel["ivr"])
    client.post(action(carrier, "remove-rule", rule))
    assert not carrier.rules.filter(pk=rule.pk).exists()


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.MANAGER])
def test_only_managers_change_the_library(client, make_user, role, carrier):
    client.force_login(make_user(role))
    assert client.post(action(carrier, "new-draft"), {}).status_code == 403
    assert client.post(action(carrier, "retire"), {}).status_code == 403
    assert services.published_version(carrier) is not None


# --- The checklist ---------------------------------------------------------------------------


def test_the_incident_page_shows_the_checklist_with_progress(client, responder, incident):
    client.force_login(responder)
    page = html(client.get(incident.get_absolute_url()))
    assert 'data-testid="playbook-run"' in page
    assert page.count('data-testid="checklist-step"') == 3
    assert "0/3 done" in page and "2 required to go" in page


def test_complete_with_evidence_and_skip_with_a_reason_through_htmx(client, responder,
                                                                    incident):
    client.force_login(responder)
    ticket, message, briefing = StepRun.objects.filter(owned_by(incident, "run__")).order_by(
        "position")
    refused = client.post(reverse("playbooks:step-complete", args=[ticket.pk]), {},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "Paste the link" in html(refused)
    done = client.post(reverse("playbooks:step-complete", args=[ticket.pk]),
                       {"link": "https://noc.example.com/t/1"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and "1/3 done" in html(done)
    refused = client.post(reverse("playbooks:step-skip", args=[briefing.pk]), {"reason": ""},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "Say why the step is skipped." in html(refused)
    skipped = client.post(reverse("playbooks:step-skip", args=[briefing.pk]),
                          {"reason": "Night shift"})
    assert skipped.status_code == 302 and skipped["Location"].endswith("#playbooks")
    assert StepRun.objects.get(pk=briefing.pk).state == StepState.SKIPPED


def test_a_file_is_uploaded_as_evidence(client, responder, make_playbook, settings, tmp_path,
                                        severity):
    settings.MEDIA_ROOT = tmp_path
    playbook = make_playbook(name="IVR", steps=[{"title": "Screenshot", "evidence": "file"}])
    incident = incident_services.incident_declare(by=responder, title="IVR broken",
                                                  severity=severity["SEV3"])
    services.playbook_attach(playbook=playbook, obj=incident, by=responder)
    step = StepRun.objects.get(owned_by(incident, "run__"))
    client.force_login(responder)
    upload = SimpleUploadedFile("ivr.png", b"\x89PNG", content_type="image/png")
    response = client.post(reverse("playbooks:step-complete", args=[step.pk]),
                           {"file": upload}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-testid="evidence-file"' in html(response)


def test_attach_by_hand_from_the_page(client, responder, make_playbook, severity):
    make_playbook(name="PCI exposure")
    incident = incident_services.incident_declare(by=responder, title="Card numbers in logs",
                                                  severity=severity["SEV1"])
    client.force_login(responder)
    page = html(client.get(incident.get_absolute_url()))
    assert 'data-testid="attach-playbook"' in page
    refused = client.post(reverse("playbooks:attach", args=["incident", incident.pk]), {},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "Choose the playbook" in html(refused)
    playbook = Playbook.objects.get(name="PCI exposure")
    client.post(reverse("playbooks:attach", args=["incident", incident.pk]),
                {"playbook": playbook.pk})
    assert PlaybookRun.objects.of(incident).filter(playbook=playbook).exists()


@pytest.mark.parametrize(("role", "works"), [
    (Role.MANAGER, True), (Role.INCIDENT_RESPONDER, True), (Role.ESCALATION_LEAD, False),
    (Role.VENDOR_MANAGER, False), (Role.FINANCE, False), (Role.VIEWER, False)])
def test_who_works_incident_steps(client, make_user, incident, role, works):
    client.force_login(make_user(role))
    page = html(client.get(incident.get_absolute_url()))
    assert 'data-testid="playbook-run"' in page  # everyone who reads incidents sees it
    assert ('data-testid="complete-step"' in page) is works
    step = StepRun.objects.filter(owned_by(incident, "run__")).order_by("position")[1]
    response = client.post(reverse("playbooks:step-complete", args=[step.pk]), {})
    assert (response.status_code == 302) is works
    assert (StepRun.objects.get(pk=step.pk).state == StepState.DONE) is works


def test_the_close_button_is_refused_naming_the_required_steps(client, manager, make_playbook,
                                                               severity, channel):
    make_playbook(rules=[{"channel": channel["voice"]}])
    incident = incident_services.incident_declare(by=manager, title="Calls failing",
                                                  severity=severity["SEV3"],
                                                  channels=[channel["voice"]])
    incident_services.incident_triage(incident=incident, by=manager, commander=manager)
    incident_services.incident_resolve(incident=incident, by=manager, summary="Fixed")
    client.force_login(manager)
    response = client.post(reverse("incidents:transition", args=[incident.pk, "close"]), {},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Finish first: Carrier outage step 1" in html(response)


def test_the_incident_list_shows_playbook_progress_in_constant_queries(
        client, responder, carrier, severity, channel):
    def declare():
        return incident_services.incident_declare(by=responder, title="Calls failing",
                                                  severity=severity["SEV2"],
                                                  channels=[channel["voice"]])

    declare()
    client.force_login(responder)
    client.get(reverse("incidents:index"))
    with CaptureQueriesContext(connection) as one:
        page = html(client.get(reverse("incidents:index")))
    assert 'data-testid="playbook-progress"' in page and "0/3" in page
    for _ in range(5):
        declare()
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("incidents:index"))
    assert len(six) == len(one)


def test_the_escalation_page_and_queue_show_the_checklist(client, lead, make_playbook, customer):
    from escalations import services as escalation_services

    make_playbook(name="VIP complaint", kind="escalation", rules=[{"customer_tier": "vip"}],
                  steps=[{"title": "Call the customer within the hour"}])
    escalation = escalation_services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P2", summary="Upset",
        owner=lead)
    client.force_login(lead)
    page = html(client.get(escalation.get_absolute_url()))
    assert "Call the customer within the hour" in page and 'data-testid="complete-step"' in page
    queue = html(client.get(reverse("escalations:index")))
    assert 'data-testid="playbook-progress"' in queue and "0/1" in queue


def test_evidence_files_are_served_only_to_those_who_may_read_the_incident(
        client, responder, make_user, make_playbook, settings, tmp_path, severity):
    settings.MEDIA_ROOT = tmp_path
    playbook = make_playbook(name="IVR", steps=[{"title": "Screenshot", "evidence": "file"}])
    incident = incident_services.incident_declare(by=responder, title="IVR broken",
                                                  severity=severity["SEV3"])
    services.playbook_attach(playbook=playbook, obj=incident, by=responder)
    step = StepRun.objects.get(owned_by(incident, "run__"))
    services.step_complete(step_run=step, by=responder,
                           file=SimpleUploadedFile("ivr.png", b"\x89PNG", "image/png"))
    url = reverse("playbooks:evidence", args=[step.pk])
    assert client.get(url).status_code == 302  # signed in first
    client.force_login(make_user(Role.VIEWER))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ivr.png"'
    assert b"".join(response.streaming_content) == b"\x89PNG"
    response.close()
    assert str(settings.MEDIA_URL) not in html(client.get(incident.get_absolute_url()))
