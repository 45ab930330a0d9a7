"""Incident lifecycle services: every guard and transition, clocks, timeline, audit."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.choices import ClockOutcome, ClockState
from core.clocks import clocks_of
from core.exceptions import RequirementMissing, TransitionNotAllowed
from core.models import Notification
from incidents import services
from incidents.choices import ActionItemKind, Audience, IncidentState, TimelineKind
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def running_kinds(incident):
    return sorted(c.kind for c in clocks_of(incident) if c.state == ClockState.RUNNING)


def test_declare_gives_a_reference_and_starts_the_severity_clocks(declared, responder):
    year = declared.declared_at.year
    assert declared.reference == f"INC-{year}-0001"
    assert declared.state == IncidentState.DECLARED
    assert running_kinds(declared) == [
        "incidents.containment", "incidents.resolution", "incidents.triage", "incidents.update",
    ]
    assert declared.timeline.get().kind == TimelineKind.DECLARED
    assert declared.history.first().history_user == responder


def test_references_count_up_within_the_year(declared, responder, sev2):
    second = services.incident_declare(by=responder, title="IVR loops", severity=sev2)
    assert second.reference.endswith("-0002")


def test_sev2_declaration_pages_managers_and_responders(manager, responder, sev2,
                                                         make_user):
    other = make_user("Incident Responder", username="olga")
    services.incident_declare(by=responder, title="Carrier dropping calls", severity=sev2)
    paged = set(Notification.objects.values_list("recipient__username", flat=True))
    assert paged == {manager.username, other.username}  # not the declarer


def test_viewer_cannot_declare(viewer, sev2):
    with pytest.raises(PermissionDenied):
        services.incident_declare(by=viewer, title="x", severity=sev2)
    assert not Incident.objects.exists()


def test_title_is_required(responder, sev2):
    with pytest.raises(ValidationError, match="title"):
        services.incident_declare(by=responder, title="  ", severity=sev2)


def test_triage_needs_a_commander(declared, responder):
    with pytest.raises(RequirementMissing) as refused:
        services.incident_triage(incident=declared, by=responder)
    assert refused.value.errors == {"commander": ["Assign an incident commander before triage."]}


def test_triage_needs_a_severity(responder):
    incident = services.incident_declare(by=responder, title="Something odd in WFM")
    with pytest.raises(RequirementMissing) as refused:
        services.incident_triage(incident=incident, by=responder, commander=responder)
    assert "severity" in refused.value.errors


def test_triage_stops_the_triage_clock_met(declared, responder):
    incident = services.incident_triage(incident=declared, by=responder, commander=responder)
    assert incident.state == IncidentState.TRIAGED
    triage = [c for c in clocks_of(incident) if c.kind == "incidents.triage"][0]
    assert (triage.state, triage.outcome) == (ClockState.STOPPED, ClockOutcome.MET)


def test_contain_needs_a_summary_and_resolve_needs_one_too(declared, responder):
    incident = services.incident_triage(incident=declared, by=responder, commander=responder)
    with pytest.raises(RequirementMissing) as refused:
        services.incident_contain(incident=incident, by=responder, summary=" ")
    assert "containment_summary" in refused.value.errors
    incident = services.incident_contain(incident=incident, by=responder,
                                         summary="Routed chat to the backup widget.")
    with pytest.raises(RequirementMissing) as refused:
        services.incident_resolve(incident=incident, by=responder, summary="")
    assert "resolution_summary" in refused.value.errors


def test_impossible_transition_lists_the_allowed_ones(declared, responder):
    with pytest.raises(TransitionNotAllowed) as refused:
        services.incident_resolve(incident=declared, by=responder, summary="Fixed")
    assert refused.value.allowed == ["triage"]  # cancel needs the close permission


def worked_to_resolved(incident, by):
    incident = services.incident_triage(incident=incident, by=by, commander=by)
    incident = services.incident_contain(incident=incident, by=by, summary="Backup widget on.")
    return services.incident_resolve(incident=incident, by=by, summary="CDN config fixed.")


def test_resolve_stops_response_clocks_and_starts_the_postmortem_clock(declared, responder):
    incident = worked_to_resolved(declared, responder)
    assert running_kinds(incident) == ["incidents.postmortem"]
    assert incident.resolved_at >= incident.contained_at >= incident.triaged_at


def test_close_needs_a_published_postmortem_and_owned_action_items(declared, responder,
                                                                    manager):
    incident = worked_to_resolved(declared, responder)
    incident = services.incident_start_postmortem(incident=incident, by=responder)

    with pytest.raises(RequirementMissing) as refused:
        services.incident_close(incident=incident, by=manager)
    assert "postmortem" in refused.value.errors

    postmortem = incident.postmortem
    services.postmortem_edit(postmortem=postmortem, by=responder, summary="Chat down 40 min",
                             root_cause="Expired CDN certificate", reviewer=manager)
    services.postmortem_transition(postmortem=postmortem, by=responder, name="submit")
    services.postmortem_transition(postmortem=postmortem, by=manager, name="publish")
    services.action_item_create(incident=incident, by=responder, kind=ActionItemKind.PREVENTIVE,
                                title="Alert 30 days before certificates expire")

    with pytest.raises(RequirementMissing) as refused:
        services.incident_close(incident=incident, by=manager)
    assert refused.value.errors == {
        "action_items": ["Every action item needs an owner and a due date before closing."]
    }

    item = incident.action_items.get()
    services.action_item_update(item=item, by=responder, owner=responder,
                                due_date=date.today() + timedelta(days=14))
    incident = services.incident_close(incident=incident, by=manager)
    assert incident.state == IncidentState.CLOSED
    assert running_kinds(incident) == []


def test_only_a_manager_or_the_commander_closes(declared, responder, make_user):
    other = make_user("Incident Responder", username="olga")
    incident = services.incident_triage(incident=declared, by=responder, commander=responder)
    with pytest.raises(PermissionDenied):
        services.incident_cancel(incident=incident, by=other, reason="False alarm")
    incident = services.incident_cancel(incident=incident, by=responder, reason="False alarm")
    assert incident.state == IncidentState.CANCELLED


def test_sev3_closes_without_a_postmortem(responder, manager):
    from incidents.models import Severity

    incident = services.incident_declare(by=responder, title="Slow CRM screen pops",
                                         severity=Severity.objects.get(key="SEV3"))
    incident = worked_to_resolved(incident, responder)
    assert services.incident_close(incident=incident, by=manager).state == IncidentState.CLOSED


def test_cancel_as_duplicate_links_both(declared, responder, manager, sev2):
    dup = services.incident_declare(by=responder, title="Chat broken again", severity=sev2)
    dup = services.incident_cancel(incident=dup, by=manager, reason="Same outage",
                                   duplicate_of=declared)
    assert dup.duplicate_of == declared
    assert declared.timeline.filter(kind=TimelineKind.LINK).exists()
    assert running_kinds(dup) == []


def test_cancel_needs_a_reason(declared, manager):
    with pytest.raises(RequirementMissing):
        services.incident_cancel(incident=declared, by=manager, reason="")


def test_reopen_restarts_response_clocks_as_new_cycles(declared, responder):
    incident = worked_to_resolved(declared, responder)
    incident = services.incident_reopen(incident=incident, by=responder,
                                        reason="Chat failing again for Safari users")
    assert incident.state == IncidentState.TRIAGED
    assert incident.resolved_at is None
    resolution = [c for c in clocks_of(incident) if c.kind == "incidents.resolution"]
    assert [c.cycle for c in resolution] == [2, 1]
    assert resolution[0].state == ClockState.RUNNING


def test_raising_severity_retargets_running_clocks(declared, responder, sev1):
    services.incident_change_severity(incident=declared, by=responder, severity=sev1,
                                      reason="All chat down, not just EU")
    resolution = [c for c in clocks_of(declared) if c.kind == "incidents.resolution"][0]
    assert resolution.target == sev1.resolution_target
    assert resolution.due_at == resolution.started_at + sev1.resolution_target
    assert declared.timeline.filter(kind=TimelineKind.SEVERITY).exists()


def test_customer_status_update_restarts_the_update_clock(declared, responder, chat):
    services.status_update_post(incident=declared, by=responder, audience=Audience.CUSTOMER,
                                body="We are aware chat is unavailable.", channels=[chat])
    update_clocks = [c for c in clocks_of(declared) if c.kind == "incidents.update"]
    assert [c.cycle for c in update_clocks] == [2, 1]


def test_card_numbers_in_updates_and_notes_are_masked(declared, responder):
    update = services.status_update_post(
        incident=declared, by=responder, audience=Audience.INTERNAL,
        body="Customer read out 4111 1111 1111 1111 on the call")
    assert "4111 1111 1111 1111" not in update.body
    assert "[card •••• 1111]" in update.body
    note = services.incident_add_note(incident=declared, by=responder,
                                      text="Card 5555555555554444 failed")
    assert note.text == "Card [card •••• 4444] failed"
    assert declared.timeline.filter(text__contains="masked").count() == 2


def test_stage_time_corrections_never_go_backwards(declared, responder):
    incident = services.incident_triage(incident=declared, by=responder, commander=responder)
    earlier = incident.declared_at - timedelta(minutes=20)
    incident = services.incident_correct_timestamp(
        incident=incident, by=responder, field="declared_at", value=earlier,
        reason="Monitoring shows chat failing 20 minutes before we declared")
    assert incident.declared_at == earlier
    with pytest.raises(ValidationError, match="earlier than the stage before"):
        services.incident_correct_timestamp(incident=incident, by=responder,
                                            field="triaged_at",
                                            value=earlier - timedelta(minutes=1), reason="x")
    assert incident.timeline.filter(kind=TimelineKind.CORRECTION).count() == 1
    assert incident.history.first().history_change_reason.startswith("Corrected declared_at")


def test_action_item_wont_do_needs_a_reason(declared, responder):
    item = services.action_item_create(incident=declared, by=responder,
                                       kind=ActionItemKind.DETECTIVE, title="Synthetic chat probe")
    with pytest.raises(RequirementMissing):
        services.action_item_transition(item=item, by=responder, name="decline")
    item = services.action_item_transition(item=item, by=responder, name="decline",
                                           reason="Vendor already monitors it")
    assert item.state == "wont_do"


def test_action_item_due_date_runs_a_clock_for_the_owner(declared, responder):
    item = services.action_item_create(
        incident=declared, by=responder, kind=ActionItemKind.CORRECTIVE,
        title="Renew certificate", owner=responder, due_date=timezone.localdate() + timedelta(1))
    clocks = list(clocks_of(item))
    assert [c.kind for c in clocks] == ["incidents.action_item"]
    services.action_item_transition(item=item, by=responder, name="complete")
    assert list(clocks_of(item))[0].outcome == ClockOutcome.MET


def test_edit_changes_descriptive_fields_only_and_audits_them(declared, responder, chat):
    incident = services.incident_edit(
        incident=declared, by=responder, talk_track="We're sorry, chat is down; please call.",
        contacts_affected=1200, channels=[chat])
    assert incident.contacts_affected == 1200
    assert incident.history.first().history_change_reason == (
        "Edited: contacts_affected, talk_track")
    assert incident.timeline.filter(text="Agent talk track updated.").exists()
    with pytest.raises(ValidationError):
        services.incident_edit(incident=declared, by=responder, state="closed")


def test_protected_state_models_still_refresh_from_the_database(declared, responder):
    services.incident_triage(incident=declared, by=responder, commander=responder)
    declared.refresh_from_db()
    assert declared.state == IncidentState.TRIAGED


def test_an_edit_that_changes_nothing_writes_no_history(declared, responder):
    before = declared.history.count()
    services.incident_edit(incident=declared, by=responder, title=declared.title)
    assert declared.history.count() == before


def test_a_reopened_sev2_resolved_again_starts_a_new_postmortem_clock(declared, responder):
    incident = worked_to_resolved(declared, responder)
    incident = services.incident_reopen(incident=incident, by=responder, reason="Back again")
    incident = services.incident_resolve(incident=incident, by=responder, summary="Fixed for real")
    postmortem_clocks = [c for c in clocks_of(incident) if c.kind == "incidents.postmortem"]
    assert [(c.cycle, c.state) for c in postmortem_clocks] == [
        (2, ClockState.RUNNING), (1, ClockState.STOPPED)]
