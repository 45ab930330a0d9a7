"""Issue 19 item 7: governance a new manager trips over — reviewer ≠ author, playbook
step roles, annotations after close, "next update" that was never due, merging a
duplicate moves its escalations and alerts, timestamp correction on the page."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.choices import ClockOutcome, Role
from core.models import SlaClock
from escalations import services as escalation_services
from escalations.models import EscalationIncidentLink
from incidents import services
from incidents.clock_kinds import UPDATE_CLOCK
from incidents.models import Incident, Severity
from integrations import services as integration_services
from integrations.models import AlertGroup
from playbooks import services as playbook_services
from playbooks.models import StepRun

pytestmark = pytest.mark.django_db


def stored(incident):
    return Incident.objects.get(pk=incident.pk)


@pytest.fixture
def in_postmortem(declared, responder):
    incident = services.incident_triage(incident=declared, by=responder, commander=responder)
    incident = services.incident_resolve(incident=incident, by=responder, summary="CDN fixed.")
    return services.incident_start_postmortem(incident=incident, by=responder)


# --- Reviewer ≠ author ------------------------------------------------------------------


def test_the_author_cannot_be_the_reviewer(in_postmortem, responder):
    postmortem = stored(in_postmortem).postmortem
    with pytest.raises(ValidationError) as refused:
        services.postmortem_edit(postmortem=postmortem, by=responder, reviewer=responder)
    assert "other than the author" in str(refused.value.message_dict["reviewer"])


def test_a_manager_author_cannot_publish_their_own_postmortem(in_postmortem, manager,
                                                              responder, make_user):
    # The manager drafts it and names a reviewer; publishing it themselves is refused.
    postmortem = stored(in_postmortem).postmortem
    postmortem.author = manager
    postmortem.save()
    services.postmortem_edit(postmortem=postmortem, by=manager, summary="s", root_cause="r",
                             reviewer=responder)
    services.postmortem_transition(postmortem=postmortem, by=manager, name="submit")
    assert not manager.has_perm("incidents.sign_off_postmortem", stored(in_postmortem)
                                .postmortem)
    with pytest.raises(PermissionDenied, match="author cannot sign off"):
        services.postmortem_transition(postmortem=postmortem, by=manager, name="publish")
    other_manager = make_user(Role.MANAGER, username="second")
    services.postmortem_transition(postmortem=postmortem, by=other_manager, name="publish")


def test_the_rule_can_be_switched_off(settings, in_postmortem, responder):
    settings.SWITCHBOARD_POSTMORTEM_REVIEWER_NOT_AUTHOR = False
    postmortem = stored(in_postmortem).postmortem
    services.postmortem_edit(postmortem=postmortem, by=responder, reviewer=responder)
    assert stored(in_postmortem).postmortem.reviewer == responder


# --- Save and submit without a reviewer -------------------------------------------------


def test_save_and_submit_without_reviewer_says_the_draft_was_saved(client, in_postmortem,
                                                                   responder):
    client.force_login(responder)
    response = client.post(reverse("incidents:postmortem-edit", args=[in_postmortem.pk]), {
        "summary": "Chat down 40 minutes", "root_cause": "Expired certificate",
        "then": "submit"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Draft saved, but not submitted for review: Choose a reviewer." in body
    postmortem = stored(in_postmortem).postmortem
    assert postmortem.root_cause == "Expired certificate"
    assert postmortem.state == "draft"


# --- Playbook step roles ----------------------------------------------------------------


def test_a_step_for_another_role_is_refused_and_greyed(client, manager, responder, make_user,
                                                       declared):
    lead = make_user(Role.ESCALATION_LEAD, username="lead")
    playbook = playbook_services.playbook_create(by=manager, name="Carrier", kind="incident",
                                                 slug="carrier", purpose="When.")
    draft = playbook_services.current_draft(playbook)
    playbook_services.step_save(version=draft, by=manager, title="Approve the outage notice",
                                responsible_role=Role.MANAGER)
    playbook_services.version_publish(version=draft, by=manager)
    playbook_services.playbook_attach(playbook=playbook, obj=declared, by=manager)
    step = StepRun.objects.get()

    # The responder works the incident but the step is the Manager's.
    refusal = playbook_services.why_not_work_step(responder, step)
    assert refusal.is_permission and "Manager role" in str(refusal)
    with pytest.raises(PermissionDenied, match="Manager role"):
        playbook_services.step_complete(step_run=step, by=responder)
    client.force_login(responder)
    body = client.get(declared.get_absolute_url()).content.decode()
    assert 'data-testid="why-not-step"' in body
    assert f'id="complete-{step.pk}-form"' not in body
    assert lead.pk  # an escalation lead may not work incidents at all
    # The manager may.
    playbook_services.step_complete(step_run=step, by=manager)
    assert StepRun.objects.get().state == "done"


# --- After close ------------------------------------------------------------------------


def test_notes_and_action_items_after_close_are_marked(client, manager, responder, make_user):
    sev4 = Severity.objects.order_by("-rank").first()
    sev4.postmortem_required = False
    sev4.save()
    incident = services.incident_declare(by=responder, title="Wallboard stale", severity=sev4)
    before = services.incident_add_note(incident=incident, by=responder, text="Before close")
    incident = services.incident_triage(incident=incident, by=responder, commander=responder)
    incident = services.incident_resolve(incident=incident, by=responder, summary="Restarted")
    incident = services.incident_close(incident=incident, by=manager)
    after = services.incident_add_note(incident=incident, by=responder, text="Vendor RCA came")
    item = services.action_item_create(incident=incident, by=responder, kind="preventive",
                                       title="Monitor the wallboard feed")

    assert not before.after_close and after.after_close and item.after_close
    client.force_login(responder)
    body = client.get(incident.get_absolute_url()).content.decode()
    # The two annotations, and nothing written up to the close itself.
    assert body.count('data-testid="after-close"') == 2, body.count('data-testid="after-close"')


# --- Next update on an escalation that never sent one ---------------------------------


def test_next_update_is_no_longer_due_when_no_update_was_sent(declared, responder):
    incident = services.incident_triage(incident=declared, by=responder, commander=responder)
    services.incident_resolve(incident=incident, by=responder, summary="Fixed")
    clock = SlaClock.objects.get(kind=UPDATE_CLOCK)
    assert clock.outcome == ClockOutcome.NOT_DUE


def test_next_update_is_met_when_the_update_was_sent(declared, responder):
    services.status_update_post(incident=declared, by=responder, audience="customer",
                                body="We are on it")
    first = SlaClock.objects.filter(kind=UPDATE_CLOCK).order_by("cycle").first()
    assert first.outcome == ClockOutcome.MET


def test_escalation_resolved_without_an_update_shows_no_met(client, manager):
    from escalations.clock_kinds import UPDATE_CLOCK as ESCALATION_UPDATE
    from escalations.models import EscalationSlaPolicy

    EscalationSlaPolicy.objects.create(name="Any", order=1, first_response=timedelta(hours=1),
                                       update_cadence=timedelta(hours=4),
                                       resolution=timedelta(days=2))
    customer = escalation_services.customer_create(by=manager, name="Ada", tier="standard",
                                                   account_reference="ACC-1")
    escalation = escalation_services.escalation_create(
        by=manager, customer=customer, category="complaint", priority="P2",
        summary="Billed twice", owner=manager)
    escalation = escalation_services.escalation_triage(escalation=escalation, by=manager)
    escalation_services.escalation_resolve(escalation=escalation, by=manager,
                                           resolution="Refunded")
    clock = SlaClock.objects.get(kind=ESCALATION_UPDATE)
    assert clock.outcome == ClockOutcome.NOT_DUE
    client.force_login(manager)
    body = client.get(escalation.get_absolute_url()).content.decode()
    assert "No longer due" in body


# --- Merging a duplicate ----------------------------------------------------------------


def test_merging_a_duplicate_moves_its_escalations_and_alert_groups(manager, responder,
                                                                    declared):
    duplicate = services.incident_declare(by=responder, title="Chat broken again")
    customer = escalation_services.customer_create(by=manager, name="Ada", tier="standard",
                                                   account_reference="ACC-2")
    escalation = escalation_services.escalation_create(
        by=manager, customer=customer, category="complaint", priority="P2",
        summary="Chat gone", owner=manager)
    escalation_services.escalation_link_incident(escalation=escalation, incident=duplicate,
                                                 by=manager)
    integration, _ = integration_services.integration_create(by=manager, kind="alertmanager",
                                                             name="AM")
    now = timezone.now()
    group = AlertGroup.objects.create(integration=integration, group_key="chat",
                                      incident=duplicate, first_fired_at=now,
                                      last_fired_at=now)

    services.incident_cancel(incident=duplicate, by=manager, reason="Same outage",
                             duplicate_of=declared)

    link = EscalationIncidentLink.objects.get(escalation=escalation)
    assert link.incident_id == declared.pk
    assert AlertGroup.objects.get(pk=group.pk).incident_id == declared.pk
    assert "moved here from" in " ".join(declared.timeline.values_list("text", flat=True))
    assert link.history.first().history_change_reason.startswith("Moved from")


# --- Timestamp correction on the page -------------------------------------------------


def test_correct_a_stage_time_from_the_page(client, responder, declared):
    incident = services.incident_triage(incident=declared, by=responder, commander=responder)
    client.force_login(responder)
    assert 'id="correct-form"' in client.get(incident.get_absolute_url()).content.decode()
    earlier = timezone.localtime(incident.declared_at - timedelta(minutes=30))
    response = client.post(reverse("incidents:correct-timestamp", args=[incident.pk]), {
        "field": "declared_at", "value": earlier.strftime("%Y-%m-%dT%H:%M"),
        "reason": "Monitoring shows it started earlier"})
    assert response.status_code == 302
    assert stored(incident).declared_at == earlier.replace(second=0, microsecond=0)

    response = client.post(reverse("incidents:correct-timestamp", args=[incident.pk]), {
        "field": "triaged_at", "value": "2001-01-01T00:00", "reason": "typo"})
    assert response.status_code == 400
    assert "earlier than the stage before it" in response.content.decode()


def test_viewer_is_not_offered_the_correction(client, viewer, declared):
    client.force_login(viewer)
    assert 'id="correct-form"' not in client.get(declared.get_absolute_url()).content.decode()
