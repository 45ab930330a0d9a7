"""Playbook services: versions (one published, immutable, drafts copied), attach rules
re-evaluated on every change (and never twice), runs keeping their version, steps
(evidence, skips, clocks) and the closing guard."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from core.choices import ClockOutcome, ClockState, Role
from core.clocks import clocks_of
from core.exceptions import RequirementMissing
from core.models import Notification
from core.sweep import sweep
from escalations import services as escalation_services
from incidents import services as incident_services
from incidents.choices import TimelineKind
from playbooks import services
from playbooks.choices import StepState, VersionState
from playbooks.models import PlaybookRun, PlaybookVersion, StepRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def carrier(make_playbook, severity, channel):
    return make_playbook(rules=[{"min_severity": severity["SEV2"], "channel": channel["voice"]}])


def declare(by, severity=None, channels=(), **kwargs):
    return incident_services.incident_declare(by=by, title="Calls failing", severity=severity,
                                              channels=channels, **kwargs)


# --- Versions ---------------------------------------------------------------------------


def test_a_new_playbook_starts_as_an_empty_draft(manager):
    playbook = services.playbook_create(by=manager, name="CRM outage", kind="incident",
                                        slug="crm-outage", purpose="When the CRM is down.")
    draft = services.current_draft(playbook)
    assert (draft.number, draft.state) == (1, VersionState.DRAFT)
    assert services.published_version(playbook) is None


def test_publishing_without_steps_is_refused_naming_them(manager):
    playbook = services.playbook_create(by=manager, name="Empty", kind="incident",
                                        slug="empty", purpose="x")
    with pytest.raises(RequirementMissing) as error:
        services.version_publish(version=services.current_draft(playbook), by=manager)
    assert error.value.errors == {"steps": ["A version needs at least one step before it is "
                                            "published."]}


def test_publishing_a_new_version_retires_the_old_one(carrier, manager):
    first = services.published_version(carrier)
    draft = services.version_new_draft(playbook=carrier, by=manager, change_note="Faster")
    assert draft.number == 2 and draft.steps.count() == 3  # a copy of v1's steps
    services.step_save(version=draft, by=manager, title="Switch queues to callback")
    services.version_publish(version=draft, by=manager)
    first.refresh_from_db()
    assert first.state == VersionState.RETIRED and first.retired_at is not None
    assert services.published_version(carrier).number == 2
    assert PlaybookVersion.objects.filter(playbook=carrier, state="published").count() == 1


def test_the_database_refuses_a_second_published_version(carrier, manager):
    draft = services.version_new_draft(playbook=carrier, by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaybookVersion.objects.filter(pk=draft.pk).update(state="published")
    assert PlaybookVersion.objects.filter(playbook=carrier, state="published").count() == 1


def test_a_published_version_is_immutable(carrier, manager):
    published = services.published_version(carrier)
    step = published.steps.first()
    for change in (lambda: services.step_save(version=published, by=manager, title="New"),
                   lambda: services.step_save(version=published, by=manager, step=step,
                                              title="Changed"),
                   lambda: services.step_delete(step=step, by=manager),
                   lambda: services.step_move(step=step, by=manager, position=2)):
        with pytest.raises(ValidationError, match="start a new draft"):
            change()


def test_only_one_draft_at_a_time(carrier, manager):
    services.version_new_draft(playbook=carrier, by=manager)
    with pytest.raises(ValidationError, match="already a draft"):
        services.version_new_draft(playbook=carrier, by=manager)


def test_bad_steps_are_refused_naming_the_field(manager):
    playbook = services.playbook_create(by=manager, name="X", kind="incident", slug="x",
                                        purpose="x")
    draft = services.current_draft(playbook)
    with pytest.raises(ValidationError) as error:
        services.step_save(version=draft, by=manager, title="Late",
                           due_offset=timedelta(minutes=-5))
    assert "due_offset" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.step_save(version=draft, by=manager, title="  ")
    assert "title" in error.value.message_dict
    assert not draft.steps.exists()


def test_steps_move_and_renumber(manager):
    playbook = services.playbook_create(by=manager, name="X", kind="incident", slug="x",
                                        purpose="x")
    draft = services.current_draft(playbook)
    a, b, c = (services.step_save(version=draft, by=manager, title=t) for t in "ABC")
    services.step_move(step=c, by=manager, position=1)
    assert list(draft.steps.values_list("title", flat=True)) == ["C", "A", "B"]
    services.step_delete(step=a, by=manager)
    assert list(draft.steps.values_list("title", "position")) == [("C", 1), ("B", 2)]
    with pytest.raises(ValidationError) as error:
        services.step_move(step=b, by=manager, position=9)
    assert "position" in error.value.message_dict


def test_only_managers_edit_and_publish(carrier, responder, lead, viewer):
    for user in (responder, lead, viewer):
        with pytest.raises(PermissionDenied):
            services.version_new_draft(playbook=carrier, by=user)
        with pytest.raises(PermissionDenied):
            services.playbook_create(by=user, name="Mine", kind="incident", slug="mine",
                                     purpose="x")


def test_the_diff_between_versions_shows_what_changed(carrier, manager):
    draft = services.version_new_draft(playbook=carrier, by=manager)
    services.step_save(version=draft, by=manager, title="Switch queues to callback",
                       instructions="Use the *callback* toggle.")
    services.version_publish(version=draft, by=manager)
    older, newer = carrier.versions.order_by("number")
    lines = services.version_diff(older, newer)
    assert "+4. Switch queues to callback [required, evidence: nothing]" in lines
    assert "+    Use the *callback* toggle." in lines


# --- Rules -------------------------------------------------------------------------------


def test_a_rule_needs_a_condition_fit_for_its_kind(carrier, manager, channel):
    with pytest.raises(ValidationError, match="at least one condition"):
        services.rule_save(playbook=carrier, by=manager)
    with pytest.raises(ValidationError) as error:
        services.rule_save(playbook=carrier, by=manager, category="billing")
    assert "category" in error.value.message_dict  # an escalation condition


# --- Attaching ------------------------------------------------------------------------------


def test_declaring_a_matching_incident_attaches_the_playbook(carrier, responder, severity,
                                                              channel):
    incident = declare(responder, severity["SEV2"], [channel["voice"]])
    run = PlaybookRun.objects.of(incident).get()
    assert run.version.number == 1 and run.attached_how == "rule"
    assert run.steps.count() == 3 and run.steps.filter(state=StepState.PENDING).count() == 3
    assert incident.timeline.filter(kind=TimelineKind.PLAYBOOK,
                                    text__contains="Carrier outage").exists()


def test_a_non_matching_incident_gets_nothing(carrier, responder, severity, channel):
    declare(responder, severity["SEV3"], [channel["voice"]])
    declare(responder, severity["SEV1"], [channel["chat"]])
    assert not PlaybookRun.objects.exists()


def test_raising_the_severity_attaches_the_sev1_only_playbook(
        carrier, make_playbook, responder, severity, channel):
    platform = make_playbook(name="CCaaS outage", rules=[{"min_severity": severity["SEV1"]}])
    incident = declare(responder, severity["SEV2"], [channel["voice"]])
    assert list(PlaybookRun.objects.of(incident).values_list("playbook", flat=True)) == [carrier.pk]
    incident_services.incident_change_severity(incident=incident, by=responder,
                                               severity=severity["SEV1"], reason="Spreading")
    assert set(PlaybookRun.objects.of(incident).values_list("playbook", flat=True)) == {
        carrier.pk, platform.pk}
    # Changed again: nothing attaches twice.
    incident_services.incident_change_severity(incident=incident, by=responder,
                                               severity=severity["SEV2"], reason="Contained")
    incident_services.incident_change_severity(incident=incident, by=responder,
                                               severity=severity["SEV1"], reason="Back")
    assert PlaybookRun.objects.of(incident).count() == 2


def test_adding_a_channel_attaches_too(carrier, responder, severity, channel):
    incident = declare(responder, severity["SEV2"], [channel["chat"]])
    assert not PlaybookRun.objects.of(incident).exists()
    incident_services.incident_edit(incident=incident, by=responder,
                                    channels=[channel["chat"], channel["voice"]])
    assert PlaybookRun.objects.of(incident).count() == 1


def test_the_database_refuses_a_second_run(carrier, responder, severity, channel):
    incident = declare(responder, severity["SEV2"], [channel["voice"]])
    run = PlaybookRun.objects.of(incident).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaybookRun.objects.create(playbook=carrier, version=run.version, owner=incident,
                                   attached_by=responder, attached_at=run.attached_at,
                                   attached_how="hand")


def _two(kind, responder, lead, customer, severity):
    """Two open objects of ``kind``."""
    if kind == "incident":
        return [declare(responder, severity["SEV3"]) for _ in range(2)]
    return [escalation_services.escalation_create(by=lead, customer=customer,
                                                  category="billing", priority="P3",
                                                  summary=f"Invoice wrong {number}")
            for number in range(2)]


@pytest.mark.parametrize("kind", ["incident", "escalation"])
def test_the_owner_key_is_unique_per_playbook_on_each_kind(kind, make_playbook, manager,
                                                           responder, lead, customer, severity):
    playbook = make_playbook(name="By hand", kind=kind)
    first, second = _two(kind, responder, lead, customer, severity)
    run = services.playbook_attach(playbook=playbook, obj=first, by=manager)
    assert (run.content_type.model, run.object_id) == (kind, first.pk)

    def another(owner):
        return PlaybookRun.objects.create(playbook=playbook, version=run.version, owner=owner,
                                          attached_by=manager, attached_at=run.attached_at,
                                          attached_how="hand")

    with pytest.raises(IntegrityError), transaction.atomic():
        another(first)
    assert another(second).owner == second  # the same playbook on another object is fine
    assert list(PlaybookRun.objects.of(first)) == [run]


def test_runs_keep_the_version_they_started_with(carrier, manager, responder, severity,
                                                 channel):
    incident = declare(responder, severity["SEV2"], [channel["voice"]])
    draft = services.version_new_draft(playbook=carrier, by=manager)
    services.step_save(version=draft, by=manager, title="New step")
    services.version_publish(version=draft, by=manager)
    run = PlaybookRun.objects.of(incident).get()
    assert run.version.number == 1 and run.steps.count() == 3
    later = declare(responder, severity["SEV1"], [channel["voice"]])
    assert PlaybookRun.objects.of(later).get().version.number == 2


def test_a_retired_or_draft_playbook_does_not_attach(make_playbook, manager, responder,
                                                     severity, channel):
    make_playbook(name="Draft only", rules=[{"channel": channel["voice"]}], publish=False)
    retired = make_playbook(name="Old", rules=[{"channel": channel["voice"]}])
    services.version_retire(version=services.published_version(retired), by=manager)
    declare(responder, severity["SEV2"], [channel["voice"]])
    assert not PlaybookRun.objects.exists()


def test_attach_by_hand(make_playbook, responder, viewer, severity):
    privacy = make_playbook(name="PCI exposure")  # no rules: by hand only
    incident = declare(responder, severity["SEV1"])
    run = services.playbook_attach(playbook=privacy, obj=incident, by=responder)
    assert run.attached_how == "hand"
    with pytest.raises(ValidationError, match="already attached"):
        services.playbook_attach(playbook=privacy, obj=incident, by=responder)
    with pytest.raises(PermissionDenied):
        services.playbook_attach(playbook=privacy, obj=incident, by=viewer)


def test_an_incident_playbook_is_not_attached_to_an_escalation(make_playbook, lead, customer):
    privacy = make_playbook(name="PCI exposure")
    escalation = escalation_services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P2", summary="x")
    with pytest.raises(ValidationError, match="incident playbook"):
        services.playbook_attach(playbook=privacy, obj=escalation, by=lead)


def test_escalation_rules_match_tier_category_priority_and_regime(make_playbook, lead, manager,
                                                                  customer):
    from escalations.models import RegulatoryRegime

    vip = make_playbook(name="VIP complaint", kind="escalation",
                        rules=[{"customer_tier": "vip", "min_priority": "P2"}])
    regulator = make_playbook(name="Regulatory", kind="escalation", rules=[{"regulatory": True}])
    low = escalation_services.escalation_create(by=lead, customer=customer, category="complaint",
                                                priority="P3", summary="Low")
    assert not PlaybookRun.objects.of(low).exists()
    escalation_services.escalation_edit(escalation=low, by=lead, priority="P1")
    assert list(PlaybookRun.objects.of(low).values_list("playbook", flat=True)) == [vip.pk]
    escalation_services.escalation_edit(
        escalation=low, by=lead,
        regulatory_regime=RegulatoryRegime.objects.get(code="uk-fca-disp"))
    assert set(PlaybookRun.objects.of(low).values_list("playbook", flat=True)) == {
        vip.pk, regulator.pk}


def test_a_customer_becoming_high_value_attaches_to_their_open_escalations(
        make_playbook, lead, manager):
    playbook = make_playbook(name="High value", kind="escalation",
                             rules=[{"customer_tier": "high_value"}])
    customer = escalation_services.customer_create(by=manager, name="Acme", tier="standard",
                                                   account_reference="ACC-9",
                                                   annual_value=Decimal("10"))
    escalation = escalation_services.escalation_create(by=lead, customer=customer,
                                                       category="billing", priority="P3",
                                                       summary="Invoice wrong")
    escalation_services.customer_update(customer=customer, by=manager, tier="high_value")
    assert PlaybookRun.objects.of(escalation).get().playbook == playbook


# --- Steps -----------------------------------------------------------------------------------


@pytest.fixture
def run(carrier, responder, severity, channel):
    incident = declare(responder, severity["SEV2"], [channel["voice"]])
    return PlaybookRun.objects.of(incident).get()


def steps_of(run):
    return list(run.steps.select_related("step").order_by("position"))


def test_a_step_asking_for_a_link_needs_one(run, responder):
    ticket = steps_of(run)[0]
    with pytest.raises(ValidationError) as error:
        services.step_complete(step_run=ticket, by=responder)
    assert "link" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.step_complete(step_run=ticket, by=responder, link="not a url")
    assert "link" in error.value.message_dict
    done = services.step_complete(step_run=ticket, by=responder,
                                  link="https://noc.example.com/tickets/4411")
    assert (done.state, done.done_by) == (StepState.DONE, responder)
    assert done.history.first().history_change_reason.startswith("Done:")


def test_notes_and_files_as_evidence(make_playbook, responder, severity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    playbook = make_playbook(name="Evidence", steps=[
        {"title": "Write it down", "evidence": "note"},
        {"title": "Screenshot the IVR message", "evidence": "file"}])
    incident = declare(responder, severity["SEV3"])
    run = services.playbook_attach(playbook=playbook, obj=incident, by=responder)
    note, screenshot = steps_of(run)
    with pytest.raises(ValidationError) as error:
        services.step_complete(step_run=note, by=responder, note="  ")
    assert "note" in error.value.message_dict
    services.step_complete(step_run=note, by=responder, note="Card 4111 1111 1111 1111 seen")
    assert StepRun.objects.get(pk=note.pk).note == "Card [card •••• 1111] seen"
    with pytest.raises(ValidationError) as error:
        services.step_complete(step_run=screenshot, by=responder)
    assert "file" in error.value.message_dict
    upload = SimpleUploadedFile("ivr.png", b"\x89PNG fake", content_type="image/png")
    done = services.step_complete(step_run=screenshot, by=responder, file=upload)
    assert done.file.name.endswith("ivr.png") and done.file.size == 9


def test_skipping_needs_a_reason_and_an_optional_step(run, responder):
    ticket, message, briefing = steps_of(run)
    with pytest.raises(ValidationError, match="required"):
        services.step_skip(step_run=ticket, by=responder, reason="No carrier involved")
    with pytest.raises(ValidationError) as error:
        services.step_skip(step_run=briefing, by=responder, reason="")
    assert "reason" in error.value.message_dict
    skipped = services.step_skip(step_run=briefing, by=responder, reason="Night shift only")
    assert skipped.state == StepState.SKIPPED and skipped.skip_reason == "Night shift only"
    assert run.owner.timeline.filter(text__contains="skipped by").exists()


def test_a_done_step_cannot_be_done_again(run, responder):
    message = steps_of(run)[1]
    services.step_complete(step_run=message, by=responder)
    from core.exceptions import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        services.step_complete(step_run=message, by=responder)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FINANCE, Role.VENDOR_MANAGER,
                                  Role.ESCALATION_LEAD])
def test_who_cannot_work_incident_steps(run, make_user, role):
    with pytest.raises(PermissionDenied):
        services.step_complete(step_run=steps_of(run)[1], by=make_user(role))


def test_each_step_with_a_due_offset_runs_a_clock_from_attachment(run):
    ticket, message, briefing = steps_of(run)
    clock = clocks_of(ticket).get()
    assert clock.due_at == run.attached_at + timedelta(minutes=10)
    assert clocks_of(message).get().due_at == run.attached_at + timedelta(minutes=15)
    assert not clocks_of(briefing).exists()


def test_an_overdue_step_tells_the_responsible_people_once(run, responder, manager):
    incident = run.owner
    incident_services.incident_triage(incident=incident, by=manager, commander=responder)
    sweep(now=run.attached_at + timedelta(minutes=11))
    sweep(now=run.attached_at + timedelta(minutes=12))
    overdue = Notification.objects.filter(recipient=responder,
                                          title__contains="Playbook step breached")
    assert overdue.count() == 1
    assert incident.timeline.filter(text__contains="is overdue").count() == 1


def test_completing_a_step_stops_its_clock(run, responder):
    message = steps_of(run)[1]
    services.step_complete(step_run=message, by=responder)
    clock = clocks_of(message).get()
    assert (clock.state, clock.outcome) == (ClockState.STOPPED, ClockOutcome.MET)


# --- The closing guard -------------------------------------------------------------------------


def _to_closable(incident, by, severity):
    incident_services.incident_triage(incident=incident, by=by, commander=by)
    incident_services.incident_contain(incident=incident, by=by, summary="Rerouted")
    incident_services.incident_resolve(incident=incident, by=by, summary="Carrier fixed")


def test_closing_is_refused_while_required_steps_are_pending_and_names_them(
        make_playbook, manager, severity, channel):
    make_playbook(rules=[{"channel": channel["voice"]}])
    incident = declare(manager, severity["SEV3"], [channel["voice"]])  # no post-mortem needed
    _to_closable(incident, manager, severity)
    with pytest.raises(RequirementMissing) as error:
        incident_services.incident_close(incident=incident, by=manager)
    message = error.value.errors["playbook"][0]
    assert "Carrier outage step 1 “Open a P1 ticket with the carrier”" in message
    assert "step 2 “Enable the IVR outage message”" in message
    assert "Brief agents" not in message  # optional
    run = PlaybookRun.objects.of(incident).get()
    ticket, message_step, _ = steps_of(run)
    services.step_complete(step_run=ticket, by=manager, link="https://noc.example.com/1")
    services.step_complete(step_run=message_step, by=manager)
    incident_services.incident_close(incident=incident, by=manager)
    incident.refresh_from_db()
    assert incident.state == "closed"


def test_closing_an_escalation_is_guarded_too(make_playbook, lead, customer):
    make_playbook(name="VIP", kind="escalation", rules=[{"customer_tier": "vip"}],
                  steps=[{"title": "Call the customer within the hour"}])
    escalation = escalation_services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P2", summary="x",
        owner=lead)
    escalation_services.escalation_triage(escalation=escalation, by=lead)
    escalation_services.escalation_resolve(escalation=escalation, by=lead, resolution="Fixed")
    escalation_services.escalation_start_review(escalation=escalation, by=lead)
    with pytest.raises(RequirementMissing) as error:
        escalation_services.escalation_close(escalation=escalation, by=lead,
                                             root_cause_review="Training gap")
    assert "Call the customer within the hour" in error.value.errors["playbook"][0]


def test_a_cancelled_incident_stops_its_step_clocks(run, manager):
    incident_services.incident_cancel(incident=run.owner, by=manager, reason="False alarm")
    for step_run in run.steps.all():
        for clock in clocks_of(step_run):
            assert clock.state == ClockState.STOPPED
