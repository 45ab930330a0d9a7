"""The playbook API: the library (playbooks, versions, steps, rules), runs attached by
hand, working the steps — each endpoint's success path, its bad input naming the field,
its refused transitions, a role × endpoint permission matrix and constant query counts
on the list endpoints."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from core.choices import Role
from escalations import services as escalation_services
from incidents import services as incident_services
from playbooks import services
from playbooks.choices import StepState, VersionState
from playbooks.models import AttachRule, PlaybookStep, StepRun

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
NOT_MANAGERS = [role for role in ROLES if role != Role.MANAGER]


def code(role, expected):
    """The status a role gets: ``expected`` maps the roles allowed, others get 403."""
    return expected.get(role, 403)



@pytest.fixture
def carrier(make_playbook):
    """Published v1: a link step due in 10 minutes, a step due in 15, an optional one."""
    return make_playbook()


@pytest.fixture
def incident(manager, severity):
    return incident_services.incident_declare(by=manager, title="Calls failing",
                                              severity=severity["SEV3"])


@pytest.fixture
def escalation(lead, customer):
    return escalation_services.escalation_create(by=lead, customer=customer,
                                                 category="complaint", priority="P3",
                                                 summary="Billed twice")


@pytest.fixture
def run(carrier, incident, manager):
    return services.playbook_attach(playbook=carrier, obj=incident, by=manager)


@pytest.fixture
def escalation_run(make_playbook, escalation, manager):
    playbook = make_playbook(name="VIP complaint", kind="escalation", steps=[
        {"title": "Call the customer"}, {"title": "Offer a goodwill gesture",
                                         "required": False}])
    return services.playbook_attach(playbook=playbook, obj=escalation, by=manager)


def steps_of(run):
    return list(run.steps.select_related("step").order_by("position"))


def draft_of(playbook):
    return services.current_draft(playbook)


def published_of(playbook):
    return services.published_version(playbook)


# --- Playbooks ---------------------------------------------------------------------------


def test_list_filters_by_kind_searches_and_orders_by_name(api_as, viewer, make_playbook):
    make_playbook(name="Carrier outage")
    make_playbook(name="Database outage", publish=False)
    make_playbook(name="VIP complaint", kind="escalation")
    client = api_as(viewer)
    body = client.get("/api/playbooks/").json()
    assert [row["name"] for row in body["results"]] == ["Carrier outage", "Database outage",
                                                        "VIP complaint"]
    assert body["results"][0]["published_version"] == 1
    assert body["results"][1]["published_version"] is None
    assert body["results"][1]["draft_version"] == 1
    escalations = client.get("/api/playbooks/?kind=escalation").json()["results"]
    assert [row["name"] for row in escalations] == ["VIP complaint"]
    found = client.get("/api/playbooks/?search=When Database").json()["results"]  # purpose
    assert [row["name"] for row in found] == ["Database outage"]
    backwards = client.get("/api/playbooks/?ordering=-name").json()["results"]
    assert backwards[0]["name"] == "VIP complaint"


def test_retrieve_shows_rules_and_versions(api_as, viewer, manager, make_playbook, severity,
                                           channel):
    playbook = make_playbook(rules=[{"min_severity": severity["SEV2"],
                                     "channel": channel["voice"]}])
    services.version_new_draft(playbook=playbook, by=manager, change_note="Faster")
    body = api_as(viewer).get(f"/api/playbooks/{playbook.pk}/").json()
    assert (body["published_version"], body["draft_version"]) == (1, 2)
    assert [(v["number"], v["state"], v["step_count"]) for v in body["versions"]] == [
        (2, "draft", 3), (1, "published", 3)]
    assert body["versions"][0]["change_note"] == "Faster"
    rule = body["rules"][0]
    assert (rule["min_severity"], rule["channel"]) == ("SEV2", "voice")
    assert rule["description"] == "severity SEV2 or worse, channel Voice / ACD"


def test_a_manager_creates_a_playbook_with_an_empty_draft(api_as, manager, responder):
    response = api_as(manager).post("/api/playbooks/", {
        "name": "CRM outage", "kind": "incident", "purpose": "When the CRM is down.",
        "slug": "crm-outage", "owner": responder.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["published_version"], body["draft_version"]) == (None, 1)
    assert body["owner"]["username"] == responder.username
    assert body["versions"][0]["step_count"] == 0 and body["rules"] == []


def test_creating_a_playbook_names_what_is_missing_or_taken(api_as, manager, carrier):
    client = api_as(manager)
    empty = client.post("/api/playbooks/", {}, format="json")
    assert empty.status_code == 400
    assert {"name", "kind", "purpose", "slug"} <= set(empty.json()["errors"])
    taken = client.post("/api/playbooks/", {"name": "Again", "kind": "incident",
                                            "purpose": "x", "slug": carrier.slug},
                        format="json")
    assert taken.status_code == 400 and "slug" in taken.json()["errors"]
    bad_kind = client.post("/api/playbooks/", {"name": "X", "kind": "vendor", "purpose": "x",
                                               "slug": "x"}, format="json")
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["errors"]


def test_patch_edits_name_purpose_and_owner_but_never_the_kind(api_as, manager, carrier,
                                                               responder):
    response = api_as(manager).patch(f"/api/playbooks/{carrier.pk}/", {
        "name": "Carrier down", "purpose": "Calls fail.", "owner": responder.pk,
        "kind": "escalation"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["name"], body["purpose"], body["owner"]["id"]) == ("Carrier down",
                                                                    "Calls fail.",
                                                                    responder.pk)
    assert body["kind"] == "incident"
    blank = api_as(manager).patch(f"/api/playbooks/{carrier.pk}/", {"name": ""},
                                  format="json")
    assert blank.status_code == 400 and "name" in blank.json()["errors"]


def test_new_draft_copies_the_steps_and_only_one_at_a_time(api_as, manager, carrier):
    client = api_as(manager)
    response = client.post(f"/api/playbooks/{carrier.pk}/new-draft/",
                           {"change_note": "Faster"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["state"], body["change_note"]) == (2, "draft", "Faster")
    assert [step["title"] for step in body["steps"]] == [
        step.title for step in published_of(carrier).steps.order_by("position")]
    again = client.post(f"/api/playbooks/{carrier.pk}/new-draft/", format="json")
    assert again.status_code == 400 and "version" in again.json()["errors"]


def test_diff_between_two_versions(api_as, viewer, manager, carrier):
    draft = services.version_new_draft(playbook=carrier, by=manager)
    services.step_save(version=draft, by=manager, title="Switch queues to callback")
    response = api_as(viewer).get(f"/api/playbooks/{carrier.pk}/diff/?from=1&to=2")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["from"], body["to"]) == (1, 2)
    assert "+4. Switch queues to callback [required, evidence: nothing]" in body["lines"]


@pytest.mark.parametrize(("query", "field"), [("from=1&to=9", "to"), ("from=7&to=1", "from"),
                                              ("to=1", "from"), ("from=1", "to"),
                                              ("from=one&to=1", "from"),
                                              # Beyond any version number the database
                                              # can hold (it was an OverflowError, a 500).
                                              ("from=7239362283667017401892221763876552704"
                                               "&to=1", "from")])
def test_diff_with_an_unknown_or_missing_version_names_it(api_as, viewer, carrier, query,
                                                          field):
    response = api_as(viewer).get(f"/api/playbooks/{carrier.pk}/diff/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_add_and_remove_an_incident_rule(api_as, manager, carrier):
    client = api_as(manager)
    response = client.post(f"/api/playbooks/{carrier.pk}/rules/", {
        "min_severity": "SEV2", "min_priority": "P2", "channel": "voice"}, format="json")
    assert response.status_code == 201, response.json()
    rule = response.json()
    assert (rule["min_severity"], rule["min_priority"], rule["channel"]) == ("SEV2", "P2",
                                                                             "voice")
    assert client.get(f"/api/playbooks/{carrier.pk}/").json()["rules"][0]["id"] == rule["id"]
    removed = client.delete(f"/api/playbooks/{carrier.pk}/rules/{rule['id']}/")
    assert removed.status_code == 204
    assert not AttachRule.objects.filter(pk=rule["id"]).exists()


def test_add_an_escalation_rule_by_regime_code(api_as, manager, make_playbook):
    playbook = make_playbook(name="Regulatory", kind="escalation")
    response = api_as(manager).post(f"/api/playbooks/{playbook.pk}/rules/", {
        "customer_tier": "vip", "category": "complaint", "regulatory": True,
        "regulatory_regime": "uk-fca-disp"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["customer_tier"], body["regulatory_regime"]) == ("vip", "uk-fca-disp")
    assert body["regulatory"] is True


@pytest.mark.parametrize(("body", "field"), [
    ({"category": "billing"}, "category"),        # an escalation condition
    ({"min_severity": "SEV9"}, "min_severity"),   # unknown key
    ({"channel": "carrier-pigeon"}, "channel"),
    ({"min_priority": "P7"}, "min_priority"),
    ({"regulatory_regime": "nowhere"}, "regulatory_regime"),
])
def test_a_bad_rule_names_the_field(api_as, manager, carrier, body, field):
    response = api_as(manager).post(f"/api/playbooks/{carrier.pk}/rules/", body,
                                    format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_rule_without_conditions_is_refused(api_as, manager, carrier):
    response = api_as(manager).post(f"/api/playbooks/{carrier.pk}/rules/", {}, format="json")
    assert response.status_code == 400
    assert "at least one condition" in str(response.json()["errors"])
    assert not carrier.rules.exists()


def test_removing_another_playbooks_rule_is_404(api_as, manager, carrier, make_playbook,
                                                channel):
    other = make_playbook(name="Other", rules=[{"channel": channel["voice"]}])
    rule = other.rules.get()
    response = api_as(manager).delete(f"/api/playbooks/{carrier.pk}/rules/{rule.pk}/")
    assert response.status_code == 404
    assert AttachRule.objects.filter(pk=rule.pk).exists()


# --- Versions ------------------------------------------------------------------------------


def test_versions_list_filters_by_playbook_and_state(api_as, viewer, manager, carrier,
                                                     make_playbook):
    services.version_new_draft(playbook=carrier, by=manager)
    make_playbook(name="Other")
    client = api_as(viewer)
    mine = client.get(f"/api/playbook-versions/?playbook={carrier.pk}").json()["results"]
    assert [(v["number"], v["state"]) for v in mine] == [(2, "draft"), (1, "published")]
    assert mine[0]["playbook_name"] == "Carrier outage" and mine[0]["step_count"] == 3
    drafts = client.get("/api/playbook-versions/?state=draft").json()["results"]
    assert [(v["playbook"], v["number"]) for v in drafts] == [(carrier.pk, 2)]


def test_a_version_shows_its_steps_in_order(api_as, viewer, carrier):
    version = published_of(carrier)
    body = api_as(viewer).get(f"/api/playbook-versions/{version.pk}/").json()
    assert [(s["position"], s["title"]) for s in body["steps"]] == [
        (1, "Open a P1 ticket with the carrier"), (2, "Enable the IVR outage message"),
        (3, "Brief agents")]
    first = body["steps"][0]
    assert (first["due_offset"], first["evidence"], first["responsible_role"]) == (
        "00:10:00", "link", Role.INCIDENT_RESPONDER)
    assert body["allowed_transitions"] == []  # a viewer may not retire it


def test_publishing_a_draft_retires_the_published_version(api_as, manager, carrier):
    first = published_of(carrier)
    draft = services.version_new_draft(playbook=carrier, by=manager)
    response = api_as(manager).post(f"/api/playbook-versions/{draft.pk}/publish/",
                                    {"change_note": "Callback queue"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["change_note"]) == ("published", "Callback queue")
    assert body["published_by"]["username"] == manager.username
    assert body["allowed_transitions"] == ["retire"]
    first.refresh_from_db()
    assert first.state == VersionState.RETIRED


def test_publishing_without_steps_names_steps_and_keeps_the_published_one(
        api_as, manager, carrier):
    draft = services.version_new_draft(playbook=carrier, by=manager)
    for step in list(draft.steps.all()):
        services.step_delete(step=step, by=manager)
    response = api_as(manager).post(f"/api/playbook-versions/{draft.pk}/publish/",
                                    format="json")
    assert response.status_code == 400
    assert "steps" in response.json()["errors"]
    # Retiring v1 came first; the refusal rolled it back.
    assert published_of(carrier).number == 1


def test_retiring_a_draft_is_409_with_the_allowed_transitions(api_as, manager, make_playbook):
    draft = draft_of(make_playbook(publish=False))
    response = api_as(manager).post(f"/api/playbook-versions/{draft.pk}/retire/")
    assert response.status_code == 409
    body = response.json()
    assert (body["current_state"], body["allowed_transitions"]) == ("draft", ["publish"])


def test_retire_then_publish_again_is_409(api_as, manager, carrier):
    version = published_of(carrier)
    client = api_as(manager)
    retired = client.post(f"/api/playbook-versions/{version.pk}/retire/")
    assert retired.status_code == 200 and retired.json()["state"] == "retired"
    again = client.post(f"/api/playbook-versions/{version.pk}/publish/", format="json")
    assert again.status_code == 409 and again.json()["allowed_transitions"] == []


# --- Steps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("due_offset", "expected"), [("00:15:00", "00:15:00"),
                                                      ("PT1H30M", "01:30:00"),
                                                      (None, None)])
def test_add_a_step_to_a_draft(api_as, manager, make_playbook, due_offset, expected):
    draft = draft_of(make_playbook(publish=False))
    response = api_as(manager).post(f"/api/playbook-versions/{draft.pk}/steps/", {
        "title": "Call the carrier", "instructions": "Use the *NOC* line.",
        "responsible_role": Role.INCIDENT_RESPONDER, "due_offset": due_offset,
        "required": False, "evidence": "note"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["position"], body["due_offset"], body["required"], body["evidence"]) == (
        4, expected, False, "note")


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "Late", "due_offset": "-00:05:00"}, "due_offset"),
    ({"title": "Late", "due_offset": "00:00:00"}, "due_offset"),
    ({"title": "Soon", "due_offset": "soon"}, "due_offset"),
    ({"title": "  "}, "title"),
    ({"instructions": "No title"}, "title"),
    ({"title": "Who", "responsible_role": "Astronaut"}, "responsible_role"),
    ({"title": "What", "evidence": "photo"}, "evidence"),
])
def test_a_bad_step_names_the_field(api_as, manager, make_playbook, body, field):
    draft = draft_of(make_playbook(publish=False))
    response = api_as(manager).post(f"/api/playbook-versions/{draft.pk}/steps/", body,
                                    format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert draft.steps.count() == 3


def test_change_move_and_remove_a_draft_step(api_as, manager, make_playbook):
    draft = draft_of(make_playbook(publish=False))
    ticket, message, briefing = draft.steps.order_by("position")
    client = api_as(manager)
    changed = client.patch(f"/api/playbook-steps/{message.pk}/",
                           {"title": "Enable the outage message", "evidence": "file",
                            "due_offset": None}, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["title"], changed.json()["evidence"],
            changed.json()["due_offset"]) == ("Enable the outage message", "file", None)
    moved = client.post(f"/api/playbook-steps/{briefing.pk}/move/", {"position": 1},
                        format="json")
    assert moved.status_code == 200, moved.json()
    assert [(s["position"], s["id"]) for s in moved.json()["steps"]] == [
        (1, briefing.pk), (2, ticket.pk), (3, message.pk)]
    removed = client.delete(f"/api/playbook-steps/{ticket.pk}/")
    assert removed.status_code == 204
    assert list(draft.steps.order_by("position").values_list("pk", "position")) == [
        (briefing.pk, 1), (message.pk, 2)]


def test_moving_out_of_range_names_position(api_as, manager, make_playbook):
    draft = draft_of(make_playbook(publish=False))
    step = draft.steps.first()
    client = api_as(manager)
    for position in (0, 9, "first"):
        response = client.post(f"/api/playbook-steps/{step.pk}/move/",
                               {"position": position}, format="json")
        assert response.status_code == 400, position
        assert "position" in response.json()["errors"]


def test_a_published_version_refuses_step_edits_naming_version(api_as, manager, carrier):
    version = published_of(carrier)
    step = version.steps.first()
    client = api_as(manager)
    for response in (
            client.post(f"/api/playbook-versions/{version.pk}/steps/", {"title": "New"},
                        format="json"),
            client.patch(f"/api/playbook-steps/{step.pk}/", {"title": "Changed"},
                         format="json"),
            client.post(f"/api/playbook-steps/{step.pk}/move/", {"position": 2},
                        format="json"),
            client.delete(f"/api/playbook-steps/{step.pk}/")):
        assert response.status_code == 400
        assert "version" in response.json()["errors"]
    assert list(version.steps.values_list("title", flat=True))[0] == step.title
    assert version.steps.count() == 3


# --- Runs ----------------------------------------------------------------------------------


def test_attach_by_hand_to_an_incident(api_as, responder, carrier, incident):
    response = api_as(responder).post("/api/playbook-runs/", {
        "playbook": carrier.pk, "incident": incident.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["playbook_name"], body["version_number"], body["attached_how"]) == (
        "Carrier outage", 1, "hand")
    assert body["owner"] == {"type": "incident", "id": incident.pk,
                             "reference": incident.reference}
    assert body["attached_by"]["username"] == responder.username
    assert body["rule"] is None and body["rule_description"] is None
    assert body["progress"] == {"total": 3, "done": 0, "skipped": 0, "pending": 3,
                                "overdue": 0}
    ticket, message, briefing = body["steps"]
    assert (ticket["position"], ticket["evidence"], ticket["responsible_role"],
            ticket["required"]) == (1, "link", Role.INCIDENT_RESPONDER, True)
    assert ticket["state"] == "pending" and ticket["done_by"] is None
    assert ticket["due_at"] is not None and briefing["due_at"] is None
    assert briefing["required"] is False and briefing["file"] is None


def test_attach_by_hand_to_an_escalation(api_as, lead, make_playbook, escalation):
    playbook = make_playbook(name="VIP complaint", kind="escalation")
    response = api_as(lead).post("/api/playbook-runs/", {
        "playbook": playbook.pk, "escalation": escalation.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["owner"] == {"type": "escalation", "id": escalation.pk,
                                        "reference": escalation.reference}


@pytest.mark.parametrize("owners", ["both", "neither", "nulls"])
def test_attach_needs_exactly_one_of_incident_or_escalation(api_as, manager, carrier,
                                                            incident, escalation, owners):
    body = {"playbook": carrier.pk, **{
        "both": {"incident": incident.pk, "escalation": escalation.pk},
        "neither": {},
        "nulls": {"incident": None, "escalation": None}}[owners]}
    response = api_as(manager).post("/api/playbook-runs/", body, format="json")
    assert response.status_code == 400
    assert {"incident", "escalation"} <= set(response.json()["errors"])


def test_attach_refusals_name_the_playbook(api_as, manager, carrier, incident, escalation,
                                           make_playbook):
    client = api_as(manager)
    assert client.post("/api/playbook-runs/", {"playbook": carrier.pk,
                                               "incident": incident.pk},
                       format="json").status_code == 201
    for body in ({"playbook": carrier.pk, "incident": incident.pk},      # twice
                 {"playbook": carrier.pk, "escalation": escalation.pk},  # wrong kind
                 {"playbook": make_playbook(name="Draft", publish=False).pk,
                  "incident": incident.pk},                               # not published
                 {"playbook": 999999, "incident": incident.pk}):          # unknown
        response = client.post("/api/playbook-runs/", body, format="json")
        assert response.status_code == 400, body
        assert "playbook" in response.json()["errors"], body
    unknown = client.post("/api/playbook-runs/", {"playbook": carrier.pk,
                                                  "incident": 999999}, format="json")
    assert unknown.status_code == 400 and "incident" in unknown.json()["errors"]


def test_a_run_attached_by_a_rule_says_which(api_as, viewer, make_playbook, manager,
                                             severity):
    playbook = make_playbook(name="Major", rules=[{"min_severity": severity["SEV2"]}])
    incident = incident_services.incident_declare(by=manager, title="Down",
                                                  severity=severity["SEV1"])
    [row] = api_as(viewer).get(f"/api/playbook-runs/?incident={incident.pk}").json()["results"]
    assert (row["attached_how"], row["rule"]) == ("rule", playbook.rules.get().pk)
    assert row["rule_description"] == "severity SEV2 or worse"


def test_runs_filter_by_incident_escalation_and_playbook(api_as, viewer, run, escalation_run,
                                                         incident, escalation, carrier):
    client = api_as(viewer)

    def ids(query):
        return [row["id"] for row in client.get(f"/api/playbook-runs/?{query}")
                .json()["results"]]

    assert ids(f"incident={incident.pk}") == [run.pk]
    assert ids(f"escalation={escalation.pk}") == [escalation_run.pk]
    assert ids(f"playbook={carrier.pk}") == [run.pk]
    assert ids("") == [run.pk, escalation_run.pk]
    one = client.get(f"/api/playbook-runs/{run.pk}/").json()
    assert one["id"] == run.pk and len(one["steps"]) == 3


def test_progress_counts_done_skipped_pending_and_overdue(api_as, viewer, responder, run):
    ticket, message, briefing = steps_of(run)
    services.step_complete(step_run=message, by=responder)
    services.step_skip(step_run=briefing, by=responder, reason="Night shift only")
    client = api_as(viewer)
    # The ticket step was due 10 minutes after attaching; the sweep has not run yet.
    with time_machine.travel(run.attached_at + timedelta(minutes=11), tick=False):
        body = client.get(f"/api/playbook-runs/?incident={run.object_id}").json()
    [row] = body["results"]
    assert row["progress"] == {"total": 3, "done": 1, "skipped": 1, "pending": 1,
                               "overdue": 1}
    steps = {step["position"]: step for step in row["steps"]}
    assert steps[1]["overdue"] is True
    assert steps[2]["overdue"] is False  # done in time: its clock stopped
    assert steps[3]["skip_reason"] == "Night shift only"
    assert steps[2]["done_by"]["username"] == responder.username
    with time_machine.travel(run.attached_at + timedelta(minutes=9), tick=False):
        early = client.get(f"/api/playbook-runs/{run.pk}/").json()
    assert early["progress"]["overdue"] == 0


# --- Working the steps ----------------------------------------------------------------------


def step_url(step_run, action=None):
    return f"/api/step-runs/{step_run.pk}/" + (f"{action}/" if action else "")


def test_a_link_step_needs_its_link(api_as, responder, run):
    ticket = steps_of(run)[0]
    client = api_as(responder)
    for body in ({}, {"link": ""}, {"link": "not a url"}, {"link": "ftp://noc.example.com"}):
        response = client.post(step_url(ticket, "complete"), body, format="json")
        assert response.status_code == 400, body
        assert "link" in response.json()["errors"], body
    done = client.post(step_url(ticket, "complete"),
                       {"link": "https://noc.example.com/tickets/4411"}, format="json")
    assert done.status_code == 200, done.json()
    body = done.json()
    assert (body["state"], body["link"], body["done_by"]["username"]) == (
        "done", "https://noc.example.com/tickets/4411", responder.username)
    assert body["done_at"] is not None
    assert body["overdue"] is False


def test_a_note_is_masked(api_as, responder, make_playbook, incident):
    playbook = make_playbook(name="Evidence", steps=[{"title": "Write it down",
                                                      "evidence": "note"}])
    run = services.playbook_attach(playbook=playbook, obj=incident, by=responder)
    [note] = steps_of(run)
    client = api_as(responder)
    blank = client.post(step_url(note, "complete"), {"note": "  "}, format="json")
    assert blank.status_code == 400 and "note" in blank.json()["errors"]
    done = client.post(step_url(note, "complete"), {"note": "Card 4111 1111 1111 1111 seen"},
                       format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["note"] == "Card [card •••• 1111] seen"


def test_a_file_step_takes_a_multipart_upload(api_as, responder, make_playbook, incident,
                                              settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    playbook = make_playbook(name="Evidence", steps=[{"title": "Screenshot the IVR message",
                                                      "evidence": "file"}])
    run = services.playbook_attach(playbook=playbook, obj=incident, by=responder)
    [screenshot] = steps_of(run)
    client = api_as(responder)
    missing = client.post(step_url(screenshot, "complete"), {"note": "Here"},
                          format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    upload = SimpleUploadedFile("ivr.png", b"\x89PNG fake", content_type="image/png")
    response = client.post(step_url(screenshot, "complete"),
                           {"file": upload, "note": "Message live"}, format="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "done" and body["note"] == "Message live"
    assert body["file"] == f"http://testserver/playbooks/steps/{screenshot.pk}/evidence/"
    assert body["file_name"] == "ivr.png"
    stored = StepRun.objects.get(pk=screenshot.pk).file
    assert stored.size == 9 and (tmp_path / stored.name).exists()


def test_completing_twice_is_409(api_as, responder, run):
    message = steps_of(run)[1]
    client = api_as(responder)
    assert client.post(step_url(message, "complete"), format="json").status_code == 200
    again = client.post(step_url(message, "complete"), format="json")
    assert again.status_code == 409
    assert (again.json()["current_state"], again.json()["allowed_transitions"]) == ("done",
                                                                                    [])
    briefing = steps_of(run)[2]  # optional: skipping is possible while pending
    assert client.post(step_url(briefing, "complete"), format="json").status_code == 200
    skip = client.post(step_url(briefing, "skip"), {"reason": "Done already"}, format="json")
    assert skip.status_code == 409 and skip.json()["allowed_transitions"] == []


def test_skipping_needs_a_reason_and_an_optional_step(api_as, responder, run):
    ticket, message, briefing = steps_of(run)
    client = api_as(responder)
    required = client.post(step_url(ticket, "skip"), {"reason": "No carrier"}, format="json")
    assert required.status_code == 400 and "reason" in required.json()["errors"]
    for body in ({}, {"reason": "  "}):
        response = client.post(step_url(briefing, "skip"), body, format="json")
        assert response.status_code == 400 and "reason" in response.json()["errors"]
    skipped = client.post(step_url(briefing, "skip"), {"reason": "Night shift only"},
                          format="json")
    assert skipped.status_code == 200, skipped.json()
    assert (skipped.json()["state"], skipped.json()["skip_reason"]) == ("skipped",
                                                                        "Night shift only")
    assert StepRun.objects.get(pk=ticket.pk).state == StepState.PENDING


def test_step_runs_list_and_retrieve(api_as, viewer, responder, run, escalation_run):
    services.step_complete(step_run=steps_of(run)[1], by=responder)
    client = api_as(viewer)
    mine = client.get(f"/api/step-runs/?run={run.pk}").json()["results"]
    assert [step["position"] for step in mine] == [1, 2, 3]
    assert {step["run"] for step in mine} == {run.pk}
    pending = client.get(f"/api/step-runs/?run={run.pk}&state=pending").json()["results"]
    assert [step["position"] for step in pending] == [1, 3]
    one = client.get(step_url(steps_of(run)[0])).json()
    assert one["title"] == "Open a P1 ticket with the carrier" and one["due_at"] is not None


# --- Who may do what ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_library_and_the_runs(as_role, role, run, manager):
    playbook, version = run.playbook, run.version
    services.version_new_draft(playbook=playbook, by=manager)
    client = as_role(role)
    for path in ("/api/playbooks/", f"/api/playbooks/{playbook.pk}/",
                 f"/api/playbooks/{playbook.pk}/diff/?from=1&to=2",
                 "/api/playbook-versions/", f"/api/playbook-versions/{version.pk}/",
                 f"/api/playbook-steps/{version.steps.first().pk}/",
                 "/api/playbook-runs/", f"/api/playbook-runs/{run.pk}/",
                 "/api/step-runs/", f"/api/step-runs/{run.steps.first().pk}/"):
        assert client.get(path).status_code == 200, path


def test_reading_needs_signing_in(api_client, run):
    for path in ("/api/playbooks/", "/api/playbook-runs/",
                 f"/api/step-runs/{run.steps.first().pk}/"):
        assert api_client.get(path).status_code in (401, 403), path


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_create_playbooks(as_role, role):
    response = as_role(role).post("/api/playbooks/", {
        "name": "Mine", "kind": "incident", "purpose": "x", "slug": "mine"}, format="json")
    assert response.status_code == code(role, {Role.MANAGER: 201})


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_publish_and_retire(as_role, role, make_playbook, carrier):
    draft = draft_of(make_playbook(name="Draft", publish=False))
    client = as_role(role)
    published = client.post(f"/api/playbook-versions/{draft.pk}/publish/", format="json")
    assert published.status_code == code(role, {Role.MANAGER: 200})
    retired = client.post(f"/api/playbook-versions/{published_of(carrier).pk}/retire/")
    assert retired.status_code == code(role, {Role.MANAGER: 200})


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_add_steps(as_role, role, make_playbook):
    draft = draft_of(make_playbook(publish=False))
    response = as_role(role).post(f"/api/playbook-versions/{draft.pk}/steps/",
                                  {"title": "Mine"}, format="json")
    assert response.status_code == code(role, {Role.MANAGER: 201})


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_make_other_library_changes(as_role, role, carrier, make_playbook):
    draft = draft_of(make_playbook(name="Draft", publish=False))
    step = draft.steps.first()
    client = as_role(role)
    expected = code(role, {Role.MANAGER: 200})
    assert client.patch(f"/api/playbooks/{carrier.pk}/", {"name": "Renamed"},
                        format="json").status_code == expected
    assert client.patch(f"/api/playbook-steps/{step.pk}/", {"title": "Renamed"},
                        format="json").status_code == expected
    assert client.post(f"/api/playbook-steps/{step.pk}/move/", {"position": 2},
                       format="json").status_code == expected
    assert client.post(f"/api/playbooks/{carrier.pk}/rules/", {"channel": "voice"},
                       format="json").status_code == code(role, {Role.MANAGER: 201})
    assert client.post(f"/api/playbooks/{carrier.pk}/new-draft/",
                       format="json").status_code == code(role, {Role.MANAGER: 201})
    assert client.delete(f"/api/playbook-steps/{step.pk}/").status_code == code(
        role, {Role.MANAGER: 204})
    assert PlaybookStep.objects.filter(pk=step.pk).exists() is (role != Role.MANAGER)


@pytest.mark.parametrize("role", ROLES)
def test_who_attaches_by_hand(as_role, role, carrier, make_playbook, incident, escalation):
    vip = make_playbook(name="VIP complaint", kind="escalation")
    client = as_role(role)
    on_incident = client.post("/api/playbook-runs/", {"playbook": carrier.pk,
                                                      "incident": incident.pk}, format="json")
    assert on_incident.status_code == code(role, {Role.MANAGER: 201,
                                                  Role.INCIDENT_RESPONDER: 201})
    on_escalation = client.post("/api/playbook-runs/", {"playbook": vip.pk,
                                                        "escalation": escalation.pk},
                                format="json")
    assert on_escalation.status_code == code(role, {Role.MANAGER: 201,
                                                    Role.ESCALATION_LEAD: 201})


@pytest.mark.parametrize("role", ROLES)
def test_who_completes_steps(as_role, role, run, escalation_run):
    client = as_role(role)
    incident_step = steps_of(run)[1]  # no evidence needed
    response = client.post(step_url(incident_step, "complete"), format="json")
    assert response.status_code == code(role, {Role.MANAGER: 200,
                                               Role.INCIDENT_RESPONDER: 200})
    escalation_step = steps_of(escalation_run)[0]
    response = client.post(step_url(escalation_step, "complete"), format="json")
    assert response.status_code == code(role, {Role.MANAGER: 200,
                                               Role.ESCALATION_LEAD: 200})
    expected_done = {Role.MANAGER: 2, Role.INCIDENT_RESPONDER: 1, Role.ESCALATION_LEAD: 1}
    assert StepRun.objects.filter(state=StepState.DONE).count() == expected_done.get(role, 0)


@pytest.mark.parametrize("role", ROLES)
def test_who_skips_steps(as_role, role, run, escalation_run):
    client = as_role(role)
    briefing = steps_of(run)[2]  # optional
    response = client.post(step_url(briefing, "skip"), {"reason": "Not needed"},
                           format="json")
    assert response.status_code == code(role, {Role.MANAGER: 200,
                                               Role.INCIDENT_RESPONDER: 200})
    gesture = steps_of(escalation_run)[1]  # optional
    response = client.post(step_url(gesture, "skip"), {"reason": "Declined"}, format="json")
    assert response.status_code == code(role, {Role.MANAGER: 200,
                                               Role.ESCALATION_LEAD: 200})


def test_an_escalation_lead_is_told_why_on_incident_steps(api_as, lead, run):
    response = api_as(lead).post(step_url(steps_of(run)[1], "complete"), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Your role cannot work playbook steps here."


# --- Query counts ----------------------------------------------------------------------------


def test_the_playbook_list_runs_in_constant_queries(api_as, viewer, make_playbook, manager,
                                                    django_assert_num_queries):
    client = api_as(viewer)
    for name in ("A", "B"):
        services.version_new_draft(playbook=make_playbook(name=name), by=manager)
    client.get("/api/playbooks/")  # warm the permission cache
    # count, page, versions
    with django_assert_num_queries(3):
        assert len(client.get("/api/playbooks/").json()["results"]) == 2
    for name in ("C", "D", "E", "F"):
        services.version_new_draft(playbook=make_playbook(name=name), by=manager)
    with django_assert_num_queries(3):
        assert len(client.get("/api/playbooks/").json()["results"]) == 6


def test_the_version_list_runs_in_constant_queries(api_as, viewer, make_playbook, manager,
                                                   django_assert_num_queries):
    client = api_as(viewer)
    for name in ("A", "B"):
        make_playbook(name=name)
    client.get("/api/playbook-versions/")
    # count, page (with step counts, playbook and people joined)
    with django_assert_num_queries(2):
        assert len(client.get("/api/playbook-versions/").json()["results"]) == 2
    for name in ("C", "D"):
        services.version_new_draft(playbook=make_playbook(name=name), by=manager)
    with django_assert_num_queries(2):
        assert len(client.get("/api/playbook-versions/").json()["results"]) == 6


def test_the_run_list_of_an_incident_runs_in_constant_queries(
        api_as, viewer, responder, make_playbook, incident, manager,
        django_assert_num_queries):
    client = api_as(viewer)
    path = f"/api/playbook-runs/?incident={incident.pk}"

    def attach(name):
        run = services.playbook_attach(playbook=make_playbook(name=name), obj=incident,
                                       by=manager)
        services.step_complete(step_run=steps_of(run)[1], by=responder)  # a done_by
        return run

    attach("A"), attach("B")
    client.get(path)
    # count, page (playbook, version, owner, people, rule joined), steps, step clocks
    with django_assert_num_queries(4):
        assert len(client.get(path).json()["results"]) == 2
    for name in ("C", "D", "E", "F"):
        attach(name)
    with django_assert_num_queries(4):
        body = client.get(path).json()
    assert len(body["results"]) == 6
    assert all(len(row["steps"]) == 3 and row["steps"][0]["due_at"] for row in body["results"])


def test_the_step_run_list_runs_in_constant_queries(api_as, viewer, make_playbook, incident,
                                                    manager, django_assert_num_queries):
    client = api_as(viewer)
    services.playbook_attach(playbook=make_playbook(name="A"), obj=incident, by=manager)
    client.get("/api/step-runs/")
    # count, page, step clocks
    with django_assert_num_queries(3):
        assert len(client.get("/api/step-runs/").json()["results"]) == 3
    services.playbook_attach(playbook=make_playbook(name="B"), obj=incident, by=manager)
    services.playbook_attach(playbook=make_playbook(name="C"), obj=incident, by=manager)
    with django_assert_num_queries(3):
        assert len(client.get("/api/step-runs/").json()["results"]) == 9

