"""Incident pages through the HTTP client: the list, declaring, every form on the
incident page (with and without htmx), "my action items", and who sees and may do what.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from incidents import services
from incidents.choices import ActionItemKind, Audience, IncidentState, PostMortemState
from incidents.models import ActionItem, Incident, Severity

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
WORKERS = {Role.MANAGER, Role.INCIDENT_RESPONDER}
# The list's queries, whatever the page size: session, user, the user's group and own
# permissions, unread notifications (navigation), the commander filter's people, the
# severity and channel filter choices, the paginator's count, the page of incidents
# (with severity and commander), their channels, their running clocks, the clocks'
# calendars, the calendars' working hours and holidays, and the playbook progress.
LIST_QUERIES = 16


def url(name, *args):
    return reverse(f"incidents:{name}", args=args)


def step_url(incident, name):
    return url("transition", incident.pk, name)


def page_of(incident):
    return url("detail", incident.pk)


def text(response):
    return response.content.decode()


def steps_shown(response):
    return set(re.findall(r'data-testid="step-([a-z_]+)"', text(response)))


def reload(incident):
    return Incident.objects.get(pk=incident.pk)


def triaged(incident, by, commander=None):
    return services.incident_triage(incident=incident, by=by, commander=commander or by)


def resolved(incident, by):
    incident = triaged(incident, by)
    incident = services.incident_contain(incident=incident, by=by, summary="Backup widget on.")
    return services.incident_resolve(incident=incident, by=by, summary="Certificate renewed.")


def in_postmortem(incident, by):
    return services.incident_start_postmortem(incident=resolved(incident, by), by=by)


def published(incident, by, reviewer):
    incident = in_postmortem(incident, by)
    postmortem = incident.postmortem
    services.postmortem_edit(postmortem=postmortem, by=by, summary="Chat down 40 min",
                             root_cause="Expired CDN certificate", reviewer=reviewer)
    services.postmortem_transition(postmortem=postmortem, by=by, name="submit")
    services.postmortem_transition(postmortem=postmortem, by=reviewer, name="publish")
    return reload(incident)


@pytest.fixture
def olga(make_user):
    """A second responder: not the commander of anything."""
    return make_user(Role.INCIDENT_RESPONDER, username="olga", first_name="Olga",
                     last_name="Berg")


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


# --- The list ---------------------------------------------------------------------------


def test_list_shows_severity_chip_state_and_running_clock_badges(as_user, viewer, declared):
    body = text(as_user(viewer).get(url("index")))
    assert declared.reference in body
    assert 'class="severity-chip" style="--chip: #d1570a"' in body
    assert 'class="state-badge state-declared"' in body
    assert body.count('class="clock-badge clock-running"') == 4  # triage, containment, …
    assert 'data-testid="declare-incident"' not in body  # a viewer cannot declare


def test_list_offers_declaring_to_those_who_may(as_user, responder):
    assert 'data-testid="declare-incident"' in text(as_user(responder).get(url("index")))


def test_stopped_clocks_are_not_badged_on_the_list(as_user, responder, declared):
    resolved(declared, responder)  # stops the response clocks, starts the post-mortem one
    body = text(as_user(responder).get(url("index")))
    assert body.count('class="clock-badge clock-running"') == 1
    assert "Post-mortem due" in body
    assert "clock-met" not in body


@pytest.fixture
def three(responder, manager, sev1, sev2, chat):
    """Three incidents ten days apart: SEV1 voice (triaged, commanded), SEV2 chat
    (declared), SEV3 email (cancelled)."""
    from incidents.models import Channel

    now = timezone.now()
    voice = services.incident_declare(
        by=responder, title="Carrier drops calls", severity=sev1, commander=responder,
        channels=[Channel.objects.get(key="voice")], at=now - timedelta(days=30))
    chat_down = services.incident_declare(
        by=responder, title="Chat widget blank", severity=sev2, channels=[chat],
        at=now - timedelta(days=20))
    email = services.incident_declare(
        by=responder, title="Email backlog", severity=Severity.objects.get(key="SEV3"),
        channels=[Channel.objects.get(key="email")], at=now - timedelta(days=10))
    services.incident_cancel(incident=email, by=manager, reason="False alarm")
    voice = triaged(voice, responder)
    return {"voice": voice, "chat": chat_down, "email": email}


TITLES = {"voice": "Carrier drops calls", "chat": "Chat widget blank", "email": "Email backlog"}


def titles_in(response):
    body = text(response)
    return {key for key, title in TITLES.items() if title in body}


def days_ago(days):
    return (timezone.localdate() - timedelta(days=days)).isoformat()


@pytest.mark.parametrize(("query", "expected"), [
    ({}, {"voice", "chat", "email"}),
    ({"state": "cancelled"}, {"email"}),
    ({"state": "active"}, {"voice", "chat"}),
    ({"severity": "SEV1"}, {"voice"}),
    ({"channel": "chat"}, {"chat"}),
    ({"commander": "responder"}, {"voice"}),
    ({"declared_from": 25}, {"chat", "email"}),
    ({"declared_to": 25}, {"voice"}),
    ({"declared_from": 25, "declared_to": 15}, {"chat"}),
    ({"severity": "SEV1", "channel": "chat"}, set()),
])
def test_list_filters(as_user, viewer, responder, three, query, expected):
    query = dict(query)
    if "commander" in query:
        query["commander"] = responder.pk
    for name in ("declared_from", "declared_to"):
        if name in query:
            query[name] = days_ago(query[name])
    response = as_user(viewer).get(url("index"), query)
    assert response.status_code == 200
    assert titles_in(response) == expected


def test_an_invalid_filter_is_shown_and_left_out(as_user, viewer, three):
    response = as_user(viewer).get(url("index"), {"severity": "SEV9", "state": "cancelled"})
    assert "Select a valid choice" in text(response)
    assert titles_in(response) == {"email"}


@pytest.mark.parametrize(("sort", "order"), [
    ("", ["email", "chat", "voice"]),  # newest first
    ("declared", ["voice", "chat", "email"]),
    ("severity", ["voice", "chat", "email"]),  # SEV1 first
    ("-severity", ["email", "chat", "voice"]),
    ("state", ["chat", "voice", "email"]),  # lifecycle order: declared, triaged, …
    ("-state", ["email", "voice", "chat"]),
    ("nonsense", ["email", "chat", "voice"]),
])
def test_list_sorts(as_user, viewer, three, sort, order):
    body = text(as_user(viewer).get(url("index"), {"sort": sort} if sort else {}))
    positions = [body.index(TITLES[key]) for key in order]
    assert positions == sorted(positions)


def test_sortable_headers_link_to_the_other_direction(as_user, viewer, three):
    body = text(as_user(viewer).get(url("index"), {"sort": "severity", "state": "active"}))
    assert 'aria-sort="ascending"' in body
    assert "?sort=-severity&amp;state=active" in body


def test_list_paginates_fifty_a_page_keeping_the_filters(as_user, viewer, responder):
    for number in range(51):
        services.incident_declare(by=responder, title=f"IVR branch {number} broken")
    client = as_user(viewer)
    first = client.get(url("index"), {"state": "declared"})
    assert text(first).count('data-testid="incident-row"') == 50
    assert "Page 1 of 2" in text(first)
    assert "?state=declared&amp;page=2" in text(first)
    second = client.get(url("index"), {"state": "declared", "page": 2})
    assert text(second).count('data-testid="incident-row"') == 1
    assert "IVR branch 0 broken" in text(second)  # the oldest, last


def test_list_query_count_does_not_grow_with_the_page(as_user, responder, sev2, chat,
                                                     django_assert_num_queries):
    def declare(count):
        for number in range(count):
            services.incident_declare(by=responder, title=f"Chat outage {number}",
                                      severity=sev2, channels=[chat], commander=responder)

    client = as_user(responder)
    declare(2)
    client.get(url("index"))  # content types are cached process-wide after one request
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url("index"))
    assert text(response).count('data-testid="incident-row"') == 2
    declare(10)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url("index"))
    assert text(response).count('data-testid="incident-row"') == 12
    assert text(response).count("clock-badge clock-") == 12 * 4


def test_incident_page_query_count_does_not_grow_with_its_contents(as_user, responder, olga,
                                                                     declared, chat):
    def add_work(count):
        for number in range(count):
            services.incident_add_note(incident=declared, by=responder, text=f"Note {number}")
            services.status_update_post(incident=declared, by=responder,
                                        audience=Audience.CUSTOMER, body=f"Update {number}",
                                        channels=[chat])
            services.action_item_create(incident=declared, by=responder,
                                        kind=ActionItemKind.CORRECTIVE, title=f"Fix {number}",
                                        owner=olga, due_date=timezone.localdate())

    client = as_user(responder)
    add_work(1)
    client.get(page_of(declared))
    with CaptureQueriesContext(connection) as one:
        client.get(page_of(declared))
    add_work(5)
    with CaptureQueriesContext(connection) as six:
        response = client.get(page_of(declared))
    assert text(response).count('data-testid="action-item"') == 6
    assert len(six) == len(one)


# --- Declaring ---------------------------------------------------------------------------


def test_declare_creates_the_incident_and_opens_its_page(as_user, responder, sev2, chat):
    response = as_user(responder).post(url("declare"), {
        "title": "Chatbot loops on 'agent please'", "severity": sev2.pk, "priority": "P1",
        "channels": [chat.pk], "affected_services": "Web chat, bot",
        "customer_impact": "Customers cannot reach an agent", "summary": "Since 10:02",
        "commander": responder.pk, "contacts_affected": "1200", "agents_idle": "",
    })
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == page_of(incident)
    assert (incident.severity, incident.priority, incident.commander) == (sev2, "P1", responder)
    assert list(incident.channels.all()) == [chat]
    assert incident.contacts_affected == 1200
    page = as_user(responder).get(response.url)
    assert f"{incident.reference} declared." in text(page)


def test_declare_without_a_title_shows_the_services_message(as_user, responder):
    response = as_user(responder).post(url("declare"), {"title": "  ", "priority": "P2"})
    assert response.status_code == 400
    assert "Give the incident a title people will recognise." in text(response)
    assert not Incident.objects.exists()


# --- Transitions ---------------------------------------------------------------------------


def test_triage_without_a_commander_is_refused_next_to_the_field(as_user, responder, declared):
    response = as_user(responder).post(step_url(declared, "triage"),
                                       {"severity": declared.severity_id, "commander": ""})
    assert response.status_code == 400
    assert re.search(r'id="triage-commander_error">Assign an incident commander before triage.',
                     text(response))
    assert '<details class="step" open>' in text(response)
    assert reload(declared).state == IncidentState.DECLARED


def test_triage_assigns_the_commander_and_returns_to_the_page(as_user, responder, declared,
                                                              sev1):
    response = as_user(responder).post(step_url(declared, "triage"),
                                       {"severity": sev1.pk, "commander": responder.pk})
    assert response.status_code == 302
    assert response.url == page_of(declared)
    incident = reload(declared)
    assert (incident.state, incident.commander, incident.severity) == (
        IncidentState.TRIAGED, responder, sev1)


def test_contain_needs_a_summary(as_user, responder, declared):
    incident = triaged(declared, responder)
    client = as_user(responder)
    refused = client.post(step_url(incident, "contain"), {"containment_summary": " "})
    assert refused.status_code == 400
    assert "Describe how the impact was contained." in text(refused)
    done = client.post(step_url(incident, "contain"),
                       {"containment_summary": "Routed to the backup widget"})
    assert done.status_code == 302
    assert reload(incident).containment_summary == "Routed to the backup widget"


def test_resolve_needs_a_summary(as_user, responder, declared):
    incident = triaged(declared, responder)
    client = as_user(responder)
    refused = client.post(step_url(incident, "resolve"), {"resolution_summary": ""})
    assert refused.status_code == 400
    assert "Describe how the incident was resolved." in text(refused)
    assert client.post(step_url(incident, "resolve"),
                       {"resolution_summary": "Certificate renewed"}).status_code == 302
    assert reload(incident).state == IncidentState.RESOLVED


def test_start_postmortem_drafts_one(as_user, responder, declared):
    incident = resolved(declared, responder)
    response = as_user(responder).post(step_url(incident, "start_postmortem"))
    assert response.status_code == 302
    incident = reload(incident)
    assert incident.state == IncidentState.POSTMORTEM
    assert incident.postmortem.state == PostMortemState.DRAFT


def test_close_needs_the_postmortem_published(as_user, responder, manager, declared):
    incident = in_postmortem(declared, responder)
    client = as_user(manager)
    refused = client.post(step_url(incident, "close"))
    assert refused.status_code == 400
    assert "Publish the post-mortem before closing." in text(refused)
    postmortem = incident.postmortem
    services.postmortem_edit(postmortem=postmortem, by=responder, summary="Down 40 min",
                             root_cause="Expired certificate", reviewer=manager)
    services.postmortem_transition(postmortem=postmortem, by=responder, name="submit")
    services.postmortem_transition(postmortem=postmortem, by=manager, name="publish")
    assert client.post(step_url(incident, "close")).status_code == 302
    assert reload(incident).state == IncidentState.CLOSED


def test_close_needs_every_action_item_owned_and_dated(as_user, responder, manager, declared):
    incident = published(declared, responder, manager)
    services.action_item_create(incident=incident, by=responder, kind=ActionItemKind.CORRECTIVE,
                                title="Automate certificate renewal")
    refused = as_user(manager).post(step_url(incident, "close"))
    assert refused.status_code == 400
    assert "Every action item needs an owner and a due date before closing." in text(refused)


def test_cancel_needs_a_reason(as_user, manager, declared):
    response = as_user(manager).post(step_url(declared, "cancel"), {"reason": ""})
    assert response.status_code == 400
    assert re.search(r'id="cancel-reason_error">Say why the incident is cancelled',
                     text(response))


def test_cancel_as_a_duplicate_links_the_incidents(as_user, manager, responder, declared, sev2):
    other = services.incident_declare(by=responder, title="Chat broken again", severity=sev2)
    client = as_user(manager)
    unknown = client.post(step_url(other, "cancel"),
                          {"reason": "Same outage", "duplicate_of": "INC-1999-0001"})
    assert unknown.status_code == 400
    assert "No incident has the reference INC-1999-0001." in text(unknown)
    response = client.post(step_url(other, "cancel"), {
        "reason": "Same outage", "duplicate_of": declared.reference.lower()})
    assert response.status_code == 302
    other = reload(other)
    assert (other.state, other.duplicate_of) == (IncidentState.CANCELLED, declared)


def test_reopen_needs_a_reason(as_user, responder, declared):
    incident = resolved(declared, responder)
    client = as_user(responder)
    refused = client.post(step_url(incident, "reopen"), {"reason": ""})
    assert refused.status_code == 400
    assert "Say why the incident is reopened." in text(refused)
    assert client.post(step_url(incident, "reopen"),
                       {"reason": "Safari users still fail"}).status_code == 302
    assert reload(incident).state == IncidentState.TRIAGED


def test_a_transition_not_allowed_now_answers_409_with_the_allowed_ones(as_user, responder,
                                                                         declared):
    response = as_user(responder).post(step_url(declared, "contain"),
                                       {"containment_summary": "Backup widget"})
    assert response.status_code == 409
    assert "Contain is not allowed now; allowed: Triage." in text(response)
    assert reload(declared).state == IncidentState.DECLARED


def test_an_unknown_transition_is_404_and_get_is_405(as_user, responder, declared):
    client = as_user(responder)
    assert client.post(step_url(declared, "explode")).status_code == 404
    assert client.get(step_url(declared, "triage")).status_code == 405


def test_a_responder_who_is_not_the_commander_cannot_cancel(as_user, responder, olga, declared):
    incident = triaged(declared, responder)
    client = as_user(olga)
    assert client.post(step_url(incident, "cancel"), {"reason": "x"}).status_code == 403
    refused = client.post(step_url(incident, "cancel"), {"reason": "x"}, **HTMX)
    assert refused.status_code == 403
    assert "You may not &#x27;cancel&#x27; this incident." in text(refused)
    assert reload(incident).state == IncidentState.TRIAGED


def test_a_viewer_cannot_transition(as_user, viewer, declared, responder):
    response = as_user(viewer).post(step_url(declared, "triage"),
                                    {"commander": responder.pk})
    assert response.status_code == 403
    assert reload(declared).state == IncidentState.DECLARED


# --- htmx: the panel comes back -------------------------------------------------------------


def test_htmx_transition_returns_the_panel_not_the_page(as_user, responder, declared):
    response = as_user(responder).post(step_url(declared, "triage"),
                                       {"commander": responder.pk}, **HTMX)
    body = text(response)
    assert response.status_code == 200
    assert '<div id="incident-panel"' in body
    assert "<html" not in body
    assert 'data-testid="incident-state">Triaged<' in body
    assert f"{declared.reference}: triaged." in body  # the message travels in the panel
    assert steps_shown(response) == {"contain", "resolve", "cancel"}  # he commands it now


def test_htmx_refusal_returns_the_panel_with_the_message(as_user, responder, declared):
    response = as_user(responder).post(step_url(declared, "triage"), {"commander": ""}, **HTMX)
    assert response.status_code == 400
    assert "<html" not in text(response)
    assert "Assign an incident commander before triage." in text(response)


def test_htmx_409_shows_the_refusal_at_the_top_of_the_panel(as_user, responder, declared):
    response = as_user(responder).post(step_url(declared, "resolve"),
                                       {"resolution_summary": "Fixed"}, **HTMX)
    assert response.status_code == 409
    assert re.search(r'data-testid="refusal">Resolve is not allowed now; allowed: Triage.',
                     text(response))


def test_an_htmx_post_after_the_session_ended_sends_the_tab_to_log_in(client, declared):
    page = page_of(declared)
    response = client.post(url("add-note", declared.pk), {"text": "x"}, **HTMX,
                           HTTP_HX_CURRENT_URL=f"http://testserver{page}")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={page}"


def test_a_get_of_the_page_is_always_the_whole_page(as_user, responder, declared):
    # htmx restores history with a GET carrying HX-Request: it needs the full page.
    response = as_user(responder).get(page_of(declared), **HTMX)
    assert "<html" in text(response)


def test_the_page_asks_htmx_to_swap_refusals(as_user, viewer, declared):
    body = text(as_user(viewer).get(page_of(declared)))
    assert 'name="htmx-config"' in body
    assert '"code":"40[039]","swap":true' in body
    assert "css/pages.css" in body


# --- Which buttons show -----------------------------------------------------------------


def test_a_viewer_sees_everything_read_only(as_user, viewer, responder, manager, declared):
    incident = published(declared, responder, manager)
    services.action_item_create(incident=incident, by=responder, kind=ActionItemKind.DETECTIVE,
                                title="Synthetic chat probe", owner=responder)
    services.status_update_post(incident=reload(incident), by=responder,
                                audience=Audience.INTERNAL, body="Post-mortem out")
    response = as_user(viewer).get(page_of(incident))
    body = text(response)
    assert response.status_code == 200
    assert steps_shown(response) == set()
    assert "hx-post" not in body  # no form at all in the panel
    assert "Synthetic chat probe" in body and "Expired CDN certificate" in body
    assert "Post-mortem out" in body


def test_a_responder_sees_only_the_steps_he_may_take(as_user, responder, olga, declared):
    assert steps_shown(as_user(olga).get(page_of(declared))) == {"triage"}
    incident = triaged(declared, responder)  # responder commands it
    assert steps_shown(as_user(olga).get(page_of(incident))) == {"contain", "resolve"}
    assert steps_shown(as_user(responder).get(page_of(incident))) == {
        "contain", "resolve", "cancel"}


def test_close_shows_for_the_commander_or_a_manager_once_resolved(as_user, responder, olga,
                                                                   manager, declared):
    incident = resolved(declared, responder)
    assert steps_shown(as_user(olga).get(page_of(incident))) == {"start_postmortem", "reopen"}
    # Offered, but greyed with the reason until the post-mortem is published (issue 19).
    for person in (responder, manager):
        body = text(as_user(person).get(page_of(incident)))
        assert "close" not in set(re.findall(r'data-testid="step-([a-z_]+)"', body))
        assert 'data-testid="why-not-close"' in body
        assert "Publish the post-mortem before closing." in body


def test_a_manager_sees_close_after_the_postmortem_is_published(as_user, responder, manager,
                                                                declared):
    incident = published(declared, responder, manager)
    client = as_user(manager)
    assert steps_shown(client.get(page_of(incident))) == {"close", "reopen"}
    client.post(step_url(incident, "close"))
    response = client.get(page_of(incident))
    assert steps_shown(response) == set()
    assert "Nothing left to do: the incident is closed." in text(response)


# --- Talk track, status updates, notes, roles, severity ------------------------------------


def test_talk_track_is_shown_first_and_responders_edit_it(as_user, responder, viewer,
                                                          declared):
    response = as_user(responder).post(
        url("talk-track", declared.pk),
        {"talk_track": "Sorry, **chat is down**. Please call 0800 123 456."}, **HTMX)
    body = text(response)
    assert response.status_code == 200
    assert "<strong>chat is down</strong>" in body
    assert body.index('id="talk-track"') < body.index('id="status-updates"')
    assert reload(declared).timeline.filter(text="Agent talk track updated.").exists()
    viewer_page = text(as_user(viewer).get(page_of(declared)))
    assert "<strong>chat is down</strong>" in viewer_page
    assert 'id="talk-track-form"' not in viewer_page


def test_status_update_is_posted_and_rendered_sanitised(as_user, responder, declared, chat):
    client = as_user(responder)
    response = client.post(url("post-update", declared.pk), {
        "audience": Audience.CUSTOMER, "channels": [chat.pk],
        "body": "**Chat is down** in the EU.<script>alert(1)</script>",
    })
    assert response.status_code == 302
    assert response.url == page_of(declared) + "#status-updates"
    body = text(client.get(page_of(declared)))
    assert "<strong>Chat is down</strong> in the EU." in body
    assert "<script>alert(1)</script>" not in body
    assert 'class="audience-chip">Customer-facing<' in body
    assert declared.status_updates.get().channels.get() == chat


def test_an_empty_status_update_is_refused(as_user, responder, declared):
    response = as_user(responder).post(url("post-update", declared.pk),
                                       {"audience": Audience.INTERNAL, "body": " "})
    assert response.status_code == 400
    assert re.search(r'id="update-body_error">A status update needs a message.', text(response))


def test_no_update_composer_once_the_incident_is_over(as_user, manager, declared):
    services.incident_cancel(incident=declared, by=manager, reason="False alarm")
    body = text(as_user(manager).get(page_of(declared)))
    assert 'id="update-form"' not in body
    assert 'id="talk-track-form"' not in body


def test_a_pinned_note_goes_to_the_top_and_can_be_unpinned(as_user, responder, declared):
    client = as_user(responder)
    response = client.post(url("add-note", declared.pk),
                           {"text": "Carrier ticket 55-1234 opened", "pinned": "on"})
    assert response.status_code == 302
    note = declared.timeline.get(text="Carrier ticket 55-1234 opened")
    assert note.pinned
    body = text(client.get(page_of(declared)))
    assert body.index("Carrier ticket 55-1234") < body.index("incident declared by")
    assert client.post(url("pin", declared.pk, note.pk), {}).status_code == 302
    note.refresh_from_db()
    assert not note.pinned


def test_an_empty_note_is_refused(as_user, responder, declared):
    response = as_user(responder).post(url("add-note", declared.pk), {"text": ""})
    assert response.status_code == 400
    assert "A note cannot be empty." in text(response)


def test_a_note_of_another_incident_cannot_be_pinned_here(as_user, responder, declared, sev2):
    other = services.incident_declare(by=responder, title="IVR loops", severity=sev2)
    event = other.timeline.get()
    assert as_user(responder).post(url("pin", declared.pk, event.pk),
                                   {"pinned": "on"}).status_code == 404


def test_roles_are_given_and_taken_away(as_user, responder, olga, declared):
    client = as_user(responder)
    response = client.post(url("assign-role", declared.pk),
                           {"role": "scribe", "user": olga.pk}, **HTMX)
    assert response.status_code == 200
    assert reload(declared).scribe == olga
    assert client.post(url("assign-role", declared.pk),
                       {"role": "scribe", "user": ""}).status_code == 302
    assert reload(declared).scribe is None
    refused = client.post(url("assign-role", declared.pk), {"role": "scribe", "user": 99999})
    assert refused.status_code == 400
    assert "Select a valid choice" in text(refused)


def test_severity_change_needs_a_severity_and_a_reason(as_user, responder, declared, sev1):
    client = as_user(responder)
    no_severity = client.post(url("change-severity", declared.pk), {"reason": "Worse"})
    assert no_severity.status_code == 400
    assert 'id="severity-severity_error">This field is required.' in text(no_severity)
    refused = client.post(url("change-severity", declared.pk), {"severity": sev1.pk})
    assert refused.status_code == 400
    assert "Say why the severity changes." in text(refused)
    assert client.post(url("change-severity", declared.pk),
                       {"severity": sev1.pk, "reason": "All of chat is down"}).status_code == 302
    assert reload(declared).severity == sev1


# --- Post-mortem ----------------------------------------------------------------------------


def test_submitting_needs_a_root_cause_and_a_reviewer(as_user, responder, declared):
    incident = in_postmortem(declared, responder)
    response = as_user(responder).post(url("postmortem-edit", incident.pk), {
        "summary": "Chat down for 52 minutes", "then": "submit"})
    body = text(response)
    assert response.status_code == 400
    assert re.search(r'id="postmortem-root_cause_error">Write the root cause.', body)
    assert re.search(r'id="postmortem-reviewer_error">Choose a reviewer.', body)
    postmortem = reload(incident).postmortem
    assert postmortem.summary == "Chat down for 52 minutes"  # the draft is kept
    assert postmortem.state == PostMortemState.DRAFT


def test_postmortem_is_written_submitted_and_published(as_user, responder, manager, declared):
    incident = in_postmortem(declared, responder)
    client = as_user(responder)
    response = client.post(url("postmortem-edit", incident.pk), {
        "summary": "Chat down for 52 minutes", "root_cause": "Expired CDN certificate",
        "five_whys": "Why down?\nWhy expired?", "reviewer": manager.pk, "then": "submit",
    })
    assert response.status_code == 302
    assert reload(incident).postmortem.state == PostMortemState.IN_REVIEW
    # The responder is not the reviewer: no sign-off buttons, and the service says no.
    page = text(client.get(page_of(incident)))
    assert 'data-testid="postmortem-publish"' not in page
    assert client.post(url("postmortem-transition", incident.pk, "publish")).status_code == 403

    manager_client = as_user(manager)
    page = text(manager_client.get(page_of(incident)))
    assert 'data-testid="postmortem-publish"' in page
    assert 'data-testid="postmortem-request_changes"' in page
    assert manager_client.post(
        url("postmortem-transition", incident.pk, "publish"), **HTMX).status_code == 200
    postmortem = reload(incident).postmortem
    assert postmortem.state == PostMortemState.PUBLISHED
    page = text(manager_client.get(page_of(incident)))
    assert '<ol class="whys"><li>Why down?</li><li>Why expired?</li></ol>' in page
    assert 'id="postmortem-form"' not in page  # published is final


def test_the_reviewer_can_send_it_back(as_user, responder, manager, declared):
    incident = in_postmortem(declared, responder)
    postmortem = incident.postmortem
    services.postmortem_edit(postmortem=postmortem, by=responder, summary="s", root_cause="r",
                             reviewer=manager)
    services.postmortem_transition(postmortem=postmortem, by=responder, name="submit")
    response = as_user(manager).post(url("postmortem-transition", incident.pk,
                                          "request_changes"))
    assert response.status_code == 302
    assert reload(incident).postmortem.state == PostMortemState.DRAFT


def test_a_postmortem_transition_not_allowed_now_is_409(as_user, manager, responder, declared):
    incident = in_postmortem(declared, responder)
    response = as_user(manager).post(url("postmortem-transition", incident.pk, "publish"))
    assert response.status_code == 409
    assert "Publish is not allowed now; allowed: Submit for review." in text(response)


def test_the_postmortem_shows_the_incident_timeline(as_user, viewer, responder, declared):
    incident = in_postmortem(declared, responder)
    body = text(as_user(viewer).get(page_of(incident)))
    count = incident.timeline.count()
    assert f"The incident's timeline, for the write-up ({count} events)" in body
    assert 'id="postmortem-form"' not in body  # a viewer reads the draft


def test_no_postmortem_endpoint_without_one(as_user, responder, declared):
    assert as_user(responder).post(url("postmortem-edit", declared.pk),
                                   {"summary": "x"}).status_code == 404


# --- Action items ---------------------------------------------------------------------------


def test_an_action_item_is_added_with_owner_and_due_date(as_user, responder, olga, declared):
    due = timezone.localdate() + timedelta(days=14)
    client = as_user(responder)
    response = client.post(url("action-item-create", declared.pk), {
        "kind": ActionItemKind.PREVENTIVE, "title": "Alert before certificates expire",
        "owner": olga.pk, "due_date": due.isoformat()})
    assert response.status_code == 302
    assert response.url == page_of(declared) + "#action-items"
    item = declared.action_items.get()
    assert (item.owner, item.due_date) == (olga, due)
    body = text(client.get(page_of(declared)))
    assert "Alert before certificates expire" in body
    assert "Action item due" in body  # its due clock, as a badge


def test_an_action_item_needs_a_title(as_user, responder, declared):
    response = as_user(responder).post(url("action-item-create", declared.pk),
                                       {"kind": ActionItemKind.CORRECTIVE, "title": ""})
    assert response.status_code == 400
    assert 'id="action-item-new-title_error"' in text(response)
    assert not ActionItem.objects.exists()


@pytest.fixture
def item(declared, responder):
    return services.action_item_create(incident=declared, by=responder,
                                       kind=ActionItemKind.CORRECTIVE, title="Renew certificate")


def item_url(item, name=None):
    if name is None:
        return url("action-item-update", item.incident_id, item.pk)
    return url("action-item-transition", item.incident_id, item.pk, name)


def test_an_action_item_is_started_and_completed(as_user, responder, item):
    client = as_user(responder)
    assert client.post(item_url(item, "start")).status_code == 302
    item = ActionItem.objects.get(pk=item.pk)
    assert item.state == "in_progress"
    assert client.post(item_url(item, "complete"), **HTMX).status_code == 200
    item = ActionItem.objects.get(pk=item.pk)
    assert item.state == "done"
    assert client.post(item_url(item, "start")).status_code == 409


def test_declining_an_action_item_needs_a_reason(as_user, responder, item):
    client = as_user(responder)
    refused = client.post(item_url(item, "decline"), {"reason": ""})
    assert refused.status_code == 400
    assert re.search(rf'id="item-{item.pk}-decline-reason_error">Say why it won&#x27;t be done.',
                     text(refused))
    assert client.post(item_url(item, "decline"),
                       {"reason": "The vendor monitors it"}).status_code == 302
    item = ActionItem.objects.get(pk=item.pk)
    assert (item.state, item.wont_do_reason) == ("wont_do", "The vendor monitors it")


def test_an_action_items_owner_and_due_date_are_changed(as_user, responder, olga, item):
    due = timezone.localdate() + timedelta(days=7)
    response = as_user(responder).post(item_url(item),
                                       {"owner": olga.pk, "due_date": due.isoformat()})
    assert response.status_code == 302
    item = ActionItem.objects.get(pk=item.pk)
    assert (item.owner, item.due_date) == (olga, due)


def test_unknown_action_item_moves_and_other_incidents_items_are_404(as_user, responder, item,
                                                                      sev2):
    other = services.incident_declare(by=responder, title="IVR loops", severity=sev2)
    client = as_user(responder)
    assert client.post(item_url(item, "explode")).status_code == 404
    assert client.post(url("action-item-transition", other.pk, item.pk, "start")).status_code \
        == 404


def test_my_action_items_lists_only_my_open_ones(as_user, responder, olga, declared):
    due = timezone.localdate() + timedelta(days=3)
    mine = services.action_item_create(incident=declared, by=responder,
                                       kind=ActionItemKind.CORRECTIVE, title="Renew certificate",
                                       owner=olga, due_date=due)
    done = services.action_item_create(incident=declared, by=responder,
                                       kind=ActionItemKind.DETECTIVE, title="Add a probe",
                                       owner=olga)
    services.action_item_transition(item=done, by=olga, name="complete")
    services.action_item_create(incident=declared, by=responder, kind=ActionItemKind.PREVENTIVE,
                                title="Someone else's", owner=responder)
    client = as_user(olga)
    response = client.get(url("my-action-items"))
    body = text(response)
    assert body.count('data-testid="my-action-item"') == 1
    assert "Renew certificate" in body and "Add a probe" not in body
    assert "Someone else" not in body
    assert "Action item due" in body
    # Buttons there post to the incident's endpoint and come back.
    back = client.post(item_url(mine, "start"), {"next": url("my-action-items")})
    assert back.status_code == 302
    assert back.url == url("my-action-items")
    mine = ActionItem.objects.get(pk=mine.pk)
    assert mine.state == "in_progress"


def test_my_action_items_never_redirects_off_site(as_user, responder, item):
    response = as_user(responder).post(item_url(item, "start"),
                                       {"next": "https://evil.example/"})
    assert response.url == page_of(item.incident) + "#action-items"


def test_no_open_action_items(as_user, viewer):
    assert 'data-testid="no-action-items"' in text(as_user(viewer).get(url("my-action-items")))


# --- Permission matrix ------------------------------------------------------------------------


def page_urls(incident):
    return {"index": url("index"), "declare": url("declare"), "detail": page_of(incident),
            "my-action-items": url("my-action-items")}


@pytest.mark.parametrize("page", ["index", "declare", "detail", "my-action-items"])
@pytest.mark.parametrize("role", ROLES)
def test_page_permission_matrix(client, make_user, declared, role, page):
    client.force_login(make_user(role))
    expected = 403 if page == "declare" and role not in WORKERS else 200
    assert client.get(page_urls(declared)[page]).status_code == expected


@pytest.mark.parametrize("page", ["index", "declare", "detail", "my-action-items"])
def test_anonymous_visitors_are_sent_to_log_in(client, declared, page):
    path = page_urls(declared)[page]
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={path}"


@pytest.mark.parametrize("page", ["index", "declare", "detail", "my-action-items"])
def test_a_signed_in_user_without_a_role_is_refused(client, make_user, declared, page):
    client.force_login(make_user())
    assert client.get(page_urls(declared)[page]).status_code == 403


def write_requests(incident, responder):
    return {
        "triage": (step_url(incident, "triage"), {"commander": responder.pk}),
        "note": (url("add-note", incident.pk), {"text": "Seen on the wallboard"}),
        "update": (url("post-update", incident.pk), {"audience": "internal", "body": "Looking"}),
        "talk-track": (url("talk-track", incident.pk), {"talk_track": "Please call us"}),
        "role": (url("assign-role", incident.pk), {"role": "scribe", "user": responder.pk}),
        "action-item": (url("action-item-create", incident.pk),
                        {"kind": "corrective", "title": "Fix it"}),
    }


@pytest.mark.parametrize("action", ["triage", "note", "update", "talk-track", "role",
                                    "action-item"])
@pytest.mark.parametrize("role", ROLES)
def test_write_permission_matrix(client, make_user, responder, declared, role, action):
    client.force_login(make_user(role))
    path, data = write_requests(declared, responder)[action]
    expected = 302 if role in WORKERS else 403
    assert client.post(path, data).status_code == expected


@pytest.mark.parametrize("action", ["triage", "note", "update", "talk-track", "role",
                                    "action-item"])
def test_anonymous_writes_are_sent_to_log_in(client, responder, declared, action):
    path, data = write_requests(declared, responder)[action]
    response = client.post(path, data)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
