"""Typed timeline events (core/timeline.py): a code and its params stored, worded when
drawn, the stored text the fallback for legacy rows and unknown codes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from core import timeline, work_items
from core.choices import ClockEventKind, Role
from core.clocks import clock_start
from core.sweep import sweep
from core.timeline import MissingParams, TimelineEventType
from escalations import services as escalation_services
from escalations.clock_kinds import RESOLUTION_CLOCK
from escalations.models import EscalationSlaPolicy
from incidents import services as incident_services
from incidents.clock_kinds import POSTMORTEM_CLOCK, TRIAGE_CLOCK
from incidents.models import Severity, TimelineEvent


@pytest.fixture
def catalogue():
    """Register for one test, then put the catalogue back as it was."""
    saved = dict(timeline._TYPES)
    yield timeline
    timeline._TYPES.clear()
    timeline._TYPES.update(saved)


# --- The catalogue --------------------------------------------------------------------


def test_a_registered_type_words_its_params(catalogue):
    catalogue.register_event_type(TimelineEventType(
        "test-heron", "Heron seen at {place} ({count} of them).", params=("place", "count")))

    assert timeline.render("test-heron", {"place": "the weir", "count": 2}, "stored") == \
        "Heron seen at the weir (2 of them)."


def test_a_callable_message_words_optional_parts(catalogue):
    catalogue.register_event_type(TimelineEventType(
        "test-gate", lambda p: "Gate " + ("open" if p["open"] else "shut"), params=("open",)))

    assert timeline.render("test-gate", {"open": True}, "") == "Gate open"
    assert timeline.render("test-gate", {"open": False}, "") == "Gate shut"


@pytest.mark.parametrize(("code", "params"), [
    ("", {"place": "x"}),                 # a note or a row written before typing
    ("test-never-registered", {}),        # a type removed since
    ("test-heron", {"place": "the weir"}),  # a param the wording needs is missing
])
def test_the_stored_text_is_the_fallback(catalogue, code, params):
    catalogue.register_event_type(TimelineEventType(
        "test-heron", "Heron seen at {place} ({count} of them).", params=("place", "count")))

    assert timeline.render(code, params, "As it was written.") == "As it was written."


def test_writing_without_a_needed_param_is_refused(catalogue):
    heron = catalogue.register_event_type(TimelineEventType(
        "test-heron", "Heron at {place}.", params=("place",)))

    with pytest.raises(MissingParams, match="place"):
        heron.format({})


def test_an_unknown_code_is_a_lookup_error():
    with pytest.raises(LookupError, match="test-nothing"):
        timeline.event_type("test-nothing")


def test_the_kernel_types_are_registered():
    codes = {event_type.code for event_type in timeline.event_types()}

    assert {"state-changed", "role-assigned", "clock-warning", "clock-breached",
            "clock-retargeted", "clock-paused", "clock-resumed", "playbook-attached",
            "playbook-step-done", "playbook-step-skipped", "playbook-step-due-soon",
            "playbook-step-overdue"} <= codes


@pytest.mark.parametrize(("detail", "expected"), [
    (None, "Closed."),
    ("", "Closed: "),
    ("Trunks back", "Closed: Trunks back"),
])
def test_a_state_change_says_its_detail_only_when_there_is_one(detail, expected):
    params = {"state": "closed", "label": "Closed", "detail": detail}

    assert timeline.render("state-changed", params, "") == expected


def test_card_numbers_are_masked_in_every_string_param():
    params, masked = timeline.mask_params({
        "note": "card 4111 1111 1111 1111", "count": 3,
        "nested": ["5500 0000 0000 0004", {"deep": "4111111111111111"}]})

    assert masked == 3
    assert params["note"] == "card [card •••• 1111]"
    assert params["count"] == 3
    assert params["nested"] == ["[card •••• 0004]", {"deep": "[card •••• 1111]"}]


def test_scrubbing_replaces_in_every_string_and_keeps_the_rest():
    scrubbed = timeline.scrub_params({"name": "Harriet Okafor", "user": 7,
                                      "list": ["ask Harriet Okafor"]},
                                     lambda value: value.replace("Harriet Okafor", "[erased]"))

    assert scrubbed == {"name": "[erased]", "user": 7, "list": ["ask [erased]"]}


# --- Clock wording: one formula for every work item -----------------------------------


def _old_clock_wording(label, kind, threshold, detail):
    """The sentence incidents and escalations each built by hand before (the oracle)."""
    return (f"{label}: {ClockEventKind(kind).label.lower()}"
            + (f" ({threshold}%)" if threshold else "")
            + (f" — {detail}" if detail else ""))


@given(kind=st.sampled_from(timeline.CLOCK_EVENTS),
       threshold=st.one_of(st.none(), st.integers(min_value=1, max_value=100)),
       detail=st.text(max_size=40))
def test_clock_entries_read_as_they_always_did(kind, threshold, detail):
    params = {"clock": TRIAGE_CLOCK, "clock_label": "ignored: the kind is registered",
              "event": kind, "threshold": threshold, "detail": detail}
    expected = _old_clock_wording("Triage", kind, threshold, detail)

    assert timeline.render(f"clock-{kind}", params, "fallback") == expected


def test_a_clock_of_a_kind_no_longer_registered_keeps_its_stored_name():
    params = {"clock": "gone.kind", "clock_label": "Old clock", "event": "breached"}

    assert timeline.render("clock-breached", params, "x") == "Old clock: deadline passed"


# --- On real work items ----------------------------------------------------------------


@pytest.fixture
def responder(make_user):
    return make_user(Role.INCIDENT_RESPONDER, username="rosa", first_name="Rosa",
                     last_name="Diaz")


@pytest.fixture
def declared(responder):
    return incident_services.incident_declare(
        by=responder, title="Calls failing", severity=Severity.objects.get(key="SEV3"))


@pytest.fixture
def incident(declared, responder):
    return incident_services.incident_triage(incident=declared, by=responder,
                                             commander=responder)


@pytest.mark.django_db
def test_a_transition_is_stored_typed_and_worded_as_before(incident, responder):
    incident_services.incident_contain(incident=incident, by=responder,
                                       summary="Trunks rerouted")

    entry = TimelineEvent.objects.get(event="state-changed", params__state="contained")
    assert entry.params == {"state": "contained", "label": "Contained",
                            "detail": "Trunks rerouted"}
    assert entry.text == "Contained: Trunks rerouted"
    assert entry.render() == entry.text


@pytest.mark.django_db
def test_a_role_change_is_typed_with_the_person(incident, responder):
    incident_services.incident_assign_role(incident=incident, by=responder, role="scribe",
                                           user=responder)

    entry = TimelineEvent.objects.get(event="role-assigned")
    assert entry.params == {"role": "scribe", "role_label": "Scribe", "user": responder.pk,
                            "name": "Rosa Diaz"}
    assert entry.render() == "Scribe: Rosa Diaz."


@pytest.mark.django_db
def test_new_wording_reaches_entries_written_before(catalogue, incident, responder):
    incident_services.incident_contain(incident=incident, by=responder, summary="Rerouted")
    entry = TimelineEvent.objects.get(event="state-changed", params__state="contained")

    catalogue.register_event_type(TimelineEventType(
        "state-changed", "Now {state}.", params=("state", "label")))

    assert TimelineEvent.objects.get(pk=entry.pk).render() == "Now contained."
    assert entry.text == "Contained: Rerouted"  # the stored fallback is untouched


@pytest.mark.django_db
def test_a_legacy_row_renders_its_text_on_the_page(client, incident, responder):
    TimelineEvent.objects.create(incident=incident, kind="note", at=timezone.now(),
                                 actor=responder, text="Written before events were typed")
    client.force_login(responder)

    page = client.get(incident.get_absolute_url())

    assert "Written before events were typed" in page.text


@pytest.mark.django_db
def test_the_page_draws_the_entry_from_its_params(catalogue, client, incident, responder):
    incident_services.incident_contain(incident=incident, by=responder, summary="Rerouted")
    catalogue.register_event_type(TimelineEventType(
        "state-changed", lambda p: f"Reached {p['state'].upper()} (test wording)",
        params=("state",)))
    client.force_login(responder)

    page = client.get(incident.get_absolute_url())

    assert "Reached CONTAINED (test wording)" in page.text
    assert "Reached TRIAGED (test wording)" in page.text  # the earlier entry too


@pytest.mark.django_db
def test_a_card_number_in_a_typed_param_is_masked_and_noted(incident, responder):
    work_items.timeline_add(incident, "transition", event="state-changed",
                            params={"state": "refunded", "label": "Refunded",
                                    "detail": "card 4111 1111 1111 1111"}, by=responder)

    entry = TimelineEvent.objects.get(event="state-changed", params__state="refunded")
    assert entry.params["detail"] == "card [card •••• 1111]"
    assert entry.text == entry.render() == "Refunded: card [card •••• 1111]"
    assert incident.timeline.filter(
        text="1 card number(s) masked to the last four digits.").exists()


@pytest.mark.django_db
def test_a_clock_breach_is_a_typed_entry_on_the_incident(declared):
    incident = declared  # its triage clock runs until triage
    started = incident.declared_at
    sweep(now=started + timedelta(days=3))

    entry = incident.timeline.get(event="clock-breached", params__clock=TRIAGE_CLOCK)
    assert entry.params["event"] == "breached"
    assert entry.render() == entry.text
    assert entry.text.startswith("Triage: deadline passed")


@pytest.mark.django_db
def test_a_clock_pause_is_typed_on_the_escalation_and_erasure_reaches_its_params(
        make_user, manager):
    lead = make_user(Role.ESCALATION_LEAD, username="elena")
    customer = escalation_services.customer_create(
        by=manager, name="Harriet Okafor", account_reference="ACC-104200", tier="vip")
    EscalationSlaPolicy.objects.create(
        name="Default", order=100, first_response=timedelta(hours=1),
        containment=timedelta(hours=4), resolution=timedelta(days=2),
        pause_in_awaiting_customer=[RESOLUTION_CLOCK], pause_cap=timedelta(hours=2))
    escalation = escalation_services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P2", owner=lead,
        summary="Billed twice")
    escalation_services.escalation_triage(escalation=escalation, by=lead)
    escalation_services.escalation_await_customer(escalation=escalation, by=lead,
                                                  reason="Harriet Okafor sends photos")
    paused = escalation.timeline.get(event="clock-paused")
    waiting = escalation.timeline.get(event="state-changed", params__state="awaiting_customer")
    assert "Harriet Okafor" in paused.render() and "Harriet Okafor" in waiting.render()

    escalation_services.customer_erase(customer=customer, by=manager, reason="DSAR-7")

    for entry in (paused, waiting):
        entry.refresh_from_db()
        assert "harriet" not in entry.render().lower()
        assert "harriet" not in str(entry.params).lower()
        assert "[erased]" in entry.render()
    for row in escalation.timeline.model.history.filter(escalation_id=escalation.pk):
        assert "harriet" not in str(row.params).lower()


@pytest.mark.django_db
def test_the_clock_hook_writes_nothing_for_starts(incident, manager):
    before = incident.timeline.count()

    clock_start(owner=incident, kind=POSTMORTEM_CLOCK, target=timedelta(days=5), by=manager)

    assert incident.timeline.count() == before
