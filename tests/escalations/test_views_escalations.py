"""Escalation pages: the queue (SLA order, filters, constant queries), opening, the
escalation page's transitions and tier ladder, personal data by role, who sees what."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.choices import ClockState, Role
from core.clocks import clocks_of
from escalations import services
from escalations.choices import EscalationState
from escalations.models import Escalation, EscalationSlaPolicy, TierChange

pytestmark = pytest.mark.django_db

S = EscalationState
ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
WORKS = {Role.MANAGER, Role.ESCALATION_LEAD}


def url(name, *args):
    return reverse(f"escalations:{name}", args=args)


@pytest.fixture
def policies():
    """P1: first response in 1h; P3: in 10h; nothing for P4 (no clocks)."""
    EscalationSlaPolicy.objects.create(name="P1", order=1, priority="P1",
                                       first_response=timedelta(hours=1),
                                       resolution=timedelta(days=2))
    EscalationSlaPolicy.objects.create(name="P3", order=2, priority="P3",
                                       first_response=timedelta(hours=10))


@pytest.fixture
def make_escalation(lead, customer, policies):
    def make(**kwargs):
        values = {"category": "complaint", "priority": "P3", "summary": "Billed twice",
                  "owner": lead}
        values.update(kwargs)
        return services.escalation_create(by=lead, customer=customer, **values)

    return make


@pytest.fixture
def escalation(make_escalation):
    return make_escalation(priority="P1")


def reload(escalation):
    return Escalation.objects.get(pk=escalation.pk)


def html_of(response):
    return response.content.decode()


# --- The queue ----------------------------------------------------------------------


def test_queue_orders_by_sla_urgency_without_clocks_last(client, lead, make_escalation):
    none = make_escalation(priority="P4", summary="No clock")
    later = make_escalation(priority="P3", summary="Due in ten hours")
    sooner = make_escalation(priority="P1", summary="Due in an hour")
    client.force_login(lead)
    html = html_of(client.get(url("index")))
    positions = [html.index(e.reference) for e in (sooner, later, none)]
    assert positions == sorted(positions)
    # Each row shows its own running clocks, and the one without a policy none.
    rows = {escalation.reference: row for row in html.split('data-testid="escalation-row"')[1:]
            for escalation in (none, later, sooner) if escalation.reference in row}
    for escalation in (later, sooner):
        running = [clock for clock in clocks_of(escalation) if clock.state == ClockState.RUNNING]
        assert running
        for clock in running:
            assert f'data-clock="{clock.pk}"' in rows[escalation.reference]
    assert "data-clock=" not in rows[none.reference]


def test_queue_lists_only_open_escalations_unless_a_state_is_chosen(
        client, lead, make_escalation):
    open_one = make_escalation(summary="Still open")
    gone = make_escalation(summary="Gone")
    services.escalation_withdraw(escalation=gone, by=lead, reason="Sorted it themselves")
    client.force_login(lead)
    html = html_of(client.get(url("index")))
    assert open_one.reference in html and gone.reference not in html
    html = html_of(client.get(url("index"), {"state": "withdrawn"}))
    assert gone.reference in html and open_one.reference not in html


def test_queue_filters(client, lead, manager, make_escalation):
    billing = make_escalation(category="billing", priority="P1")
    other = make_escalation(category="technical", priority="P3", owner=manager)
    services.escalation_escalate_tier(escalation=other, by=lead, reason="Needs the desk")
    client.force_login(lead)
    for params, shown, hidden in [
        ({"category": "billing"}, billing, other),
        ({"priority": "P3"}, other, billing),
        ({"tier": "L2"}, other, billing),
        ({"mine": "on"}, billing, other),
        ({"state": "new"}, billing, None),
    ]:
        html = html_of(client.get(url("index"), params))
        assert shown.reference in html, params
        if hidden:
            assert hidden.reference not in html, params
        assert re.search(r"\d escalations? match(es)? the filters", html), params


def test_queue_search_counts_as_a_filter_and_the_filters_show_no_api_help(
        client, lead, make_escalation):
    billing = make_escalation(category="billing", summary="Charged twice for roaming")
    other = make_escalation(category="technical", summary="Line drops at night")
    client.force_login(lead)
    html = html_of(client.get(url("index"), {"search": "roaming"}))
    assert billing.reference in html and other.reference not in html
    assert "1 escalation matches the filters" in html
    # The filterset's help texts document the API's parameters, not the page's.
    assert "Repeat for several" not in html and "The queue page shows" not in html


def test_queue_query_count_does_not_grow_with_the_page(client, lead, make_escalation):
    client.force_login(lead)
    make_escalation(priority="P1")
    make_escalation(priority="P3")
    client.get(url("index"))  # warm the content-type cache
    with CaptureQueriesContext(connection) as two:
        assert client.get(url("index")).status_code == 200
    for index in range(10):
        make_escalation(priority="P1" if index % 2 else "P3")
    with CaptureQueriesContext(connection) as twelve:
        response = client.get(url("index"))
    assert html_of(response).count('data-testid="escalation-row"') == 12
    assert len(twelve) == len(two)


def test_queue_paginates(client, lead, make_escalation, monkeypatch):
    from escalations.views import queue

    monkeypatch.setattr(queue, "ESCALATION_PAGE_SIZE", 2)
    for _ in range(3):
        make_escalation(priority="P4")
    client.force_login(lead)
    first = html_of(client.get(url("index")))
    assert first.count('data-testid="escalation-row"') == 2 and "Page 1 of 2" in first
    second = html_of(client.get(url("index"), {"page": 2}))
    assert second.count('data-testid="escalation-row"') == 1


# --- Opening ------------------------------------------------------------------------


def test_create_opens_an_escalation_and_starts_its_clocks(client, lead, customer, policies):
    client.force_login(lead)
    assert client.get(url("create")).status_code == 200
    response = client.post(url("create"), {
        "customer": customer.pk, "summary": "Charged twice", "category": "billing",
        "priority": "P1", "owner": lead.pk, "description": "Card 4111 1111 1111 1111"})
    escalation = Escalation.objects.get()
    assert response.status_code == 302 and response["Location"] == escalation.get_absolute_url()
    assert escalation.owner == lead and escalation.policy.name == "P1"
    assert "4111 1111 1111 1111" not in escalation.description
    page = html_of(client.get(response["Location"]))
    assert escalation.reference in page and 'data-testid="escalation-clocks"' in page


def test_create_without_a_summary_is_refused_next_to_the_field(client, lead, customer):
    client.force_login(lead)
    response = client.post(url("create"), {"customer": customer.pk, "summary": " "})
    assert response.status_code == 400
    assert "one-line summary" in html_of(response)
    assert not Escalation.objects.exists()


# --- Transitions ----------------------------------------------------------------------


def _step(step, escalation, by):
    kwargs = {"escalation": escalation, "by": by}
    if step == "contain":
        return services.escalation_contain(note="Called them", **kwargs)
    if step == "await":
        return services.escalation_await_customer(reason="Bank statement", **kwargs)
    if step == "resolve":
        return services.escalation_resolve(resolution="Refunded", **kwargs)
    if step == "review":
        return services.escalation_start_review(**kwargs)
    return services.escalation_close(root_cause_review="Bug", **kwargs)


def to_state(escalation, state, by):
    """Walk ``escalation`` to ``state`` through the services."""
    path = {
        S.TRIAGED: [], S.CONTAINED: ["contain"], S.AWAITING_CUSTOMER: ["await"],
        S.RESOLVED: ["resolve"], S.REVIEW: ["resolve", "review"],
        S.CLOSED: ["resolve", "review", "close"],
    }[state]
    escalation = services.escalation_triage(escalation=escalation, by=by)
    for step in path:
        escalation = _step(step, escalation, by)
    return escalation


# name: (state before, data that succeeds, state after, data missing what it needs,
#        the message asking for it)
TRANSITIONS = {
    "triage": (S.NEW, "owner-ok", S.TRIAGED, {"priority": "", "category": ""},
               "Assign an owner before triage."),
    "contain": (S.TRIAGED, {"containment_note": "Called; credit offered"}, S.CONTAINED,
                {"containment_note": ""}, "interim remedy"),
    "await_customer": (S.TRIAGED, {"reason": "Waiting for a statement"},
                       S.AWAITING_CUSTOMER, {"reason": ""}, "Give a reason."),
    "customer_replied": (S.AWAITING_CUSTOMER, {}, S.TRIAGED, None, None),
    "resolve": (S.CONTAINED, {"resolution": "Refunded"}, S.RESOLVED, {"resolution": ""},
                "Record the resolution"),
    "start_review": (S.RESOLVED, {}, S.REVIEW, None, None),
    "close": (S.REVIEW, {"root_cause_review": "Double billing bug"}, S.CLOSED,
              {"root_cause_review": ""}, "Write the root-cause review"),
    "reopen": (S.RESOLVED, {"reason": "Charged again"}, S.TRIAGED, {"reason": ""},
               "Give a reason."),
    "withdraw": (S.TRIAGED, {"withdraw_reason": "Sorted with their bank"}, S.WITHDRAWN,
                 {"withdraw_reason": ""}, "Say why the customer withdrew"),
}


def at_state(make_escalation, lead, state, **kwargs):
    escalation = make_escalation(**kwargs)
    return escalation if state == S.NEW else to_state(escalation, state, lead)


@pytest.mark.parametrize("name", TRANSITIONS)
def test_each_transition_succeeds_by_post(client, lead, make_escalation, name):
    before, data, after, _missing, _message = TRANSITIONS[name]
    escalation = at_state(make_escalation, lead, before)
    if data == "owner-ok":
        data = {"owner": lead.pk, "priority": "P2", "category": "billing"}
    client.force_login(lead)
    response = client.post(url("transition", escalation.pk, name), data)
    assert response.status_code == 302
    assert response["Location"] == escalation.get_absolute_url()
    assert reload(escalation).state == after
    follow = html_of(client.get(response["Location"]))
    assert f"{escalation.reference}: " in follow


@pytest.mark.parametrize("name", [n for n, t in TRANSITIONS.items() if t[3] is not None])
def test_each_transition_asks_for_what_its_guard_needs(client, lead, make_escalation, name):
    before, _data, _after, missing, message = TRANSITIONS[name]
    kwargs = {"owner": None} if name == "triage" else {}
    escalation = at_state(make_escalation, lead, before, **kwargs)
    client.force_login(lead)
    response = client.post(url("transition", escalation.pk, name), missing)
    assert response.status_code == 400
    assert message in html_of(response)
    assert reload(escalation).state == before


@pytest.mark.parametrize("name", TRANSITIONS)
def test_a_transition_not_allowed_now_says_what_is(client, lead, make_escalation, name):
    before, data, _after, _missing, _message = TRANSITIONS[name]
    wrong = S.CLOSED if before != S.CLOSED else S.NEW
    escalation = at_state(make_escalation, lead, wrong)
    if data == "owner-ok":
        data = {}
    client.force_login(lead)
    response = client.post(url("transition", escalation.pk, name), data or {})
    html = html_of(response)
    if name == "reopen":  # closed → reopen is allowed; from a withdrawn one it is not
        escalation = make_escalation()
        services.escalation_withdraw(escalation=escalation, by=lead, reason="Done")
        response = client.post(url("transition", escalation.pk, name), data)
        html = html_of(response)
    assert response.status_code == 409
    assert "is not allowed now; allowed:" in html
    assert 'data-testid="refusal"' in html


def test_htmx_post_answers_with_the_panel(client, lead, escalation):
    client.force_login(lead)
    response = client.post(url("transition", escalation.pk, "triage"), {},
                           HTTP_HX_REQUEST="true")
    html = html_of(response)
    assert response.status_code == 200
    assert html.startswith('{# ') is False and 'id="escalation-panel"' in html
    assert "<html" not in html
    assert reload(escalation).state == S.TRIAGED


def test_only_allowed_transition_buttons_are_shown(client, lead, viewer, escalation):
    client.force_login(lead)
    html = html_of(client.get(url("detail", escalation.pk)))
    assert 'data-testid="step-triage"' in html and 'data-testid="step-withdraw"' in html
    assert 'data-testid="step-resolve"' not in html and 'data-testid="step-close"' not in html
    client.force_login(viewer)
    html = html_of(client.get(url("detail", escalation.pk)))
    assert 'data-testid="step-' not in html
    assert "Read-only" in html


def test_a_viewer_posting_a_transition_is_forbidden(client, viewer, escalation):
    client.force_login(viewer)
    response = client.post(url("transition", escalation.pk, "withdraw"),
                           {"withdraw_reason": "x"})
    assert response.status_code == 403
    response = client.post(url("transition", escalation.pk, "withdraw"),
                           {"withdraw_reason": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and "You may not" in html_of(response)
    assert reload(escalation).state == S.NEW


# --- Tier ladder --------------------------------------------------------------------------


def test_escalate_needs_a_reason_then_a_lead_acknowledges(client, lead, manager, escalation):
    client.force_login(lead)
    refused = client.post(url("tier", escalation.pk, "escalate"), {"reason": ""})
    assert refused.status_code == 400 and "Give a reason." in html_of(refused)
    response = client.post(url("tier", escalation.pk, "escalate"),
                           {"reason": "Threatens to leave"})
    assert response.status_code == 302
    assert reload(escalation).tier == "L2"
    change = TierChange.objects.get()
    page = html_of(client.get(url("detail", escalation.pk)))
    assert 'data-testid="tier-pending"' in page
    # With no L2 team configured the managers lead it: the lead may not acknowledge.
    assert 'data-testid="tier-acknowledge"' not in page
    client.force_login(manager)
    page = html_of(client.get(url("detail", escalation.pk)))
    assert 'data-testid="tier-acknowledge"' in page
    response = client.post(url("tier-acknowledge", escalation.pk, change.pk))
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.acknowledged_by == manager
    page = html_of(client.get(url("detail", escalation.pk)))
    assert 'data-testid="tier-pending"' not in page and "Acknowledged by" in page


def test_acknowledge_by_someone_who_may_not_is_refused(client, lead, escalation):
    change = services.escalation_escalate_tier(escalation=escalation, by=lead, reason="Help")
    client.force_login(lead)
    response = client.post(url("tier-acknowledge", escalation.pk, change.pk),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and "Only a lead of L2" in html_of(response)


def test_deescalate_at_the_bottom_of_the_ladder_is_refused(client, lead, escalation):
    client.force_login(lead)
    response = client.post(url("tier", escalation.pk, "deescalate"), {"reason": "Calmer"})
    assert response.status_code == 400 and "bottom of the ladder" in html_of(response)
    services.escalation_escalate_tier(escalation=escalation, by=lead, reason="Help")
    response = client.post(url("tier", escalation.pk, "deescalate"), {"reason": "Calmer"})
    assert response.status_code == 302 and reload(escalation).tier == "L1"


# --- Personal data and who sees what ---------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_customer_name_only_for_roles_with_personal_data(client, make_user, escalation, role):
    client.force_login(make_user(role))
    sees = role in (Role.MANAGER, Role.ESCALATION_LEAD)
    for page in (url("index"), url("detail", escalation.pk)):
        html = html_of(client.get(page))
        assert "ACC-104200" in html
        assert ("Harriet Okafor" in html) is sees
        # Every role reads customers, so the account reference links to the customer.
        assert f'href="{escalation.customer.get_absolute_url()}"' in html


@pytest.mark.parametrize("role", [None, *ROLES])
def test_role_page_matrix(client, make_user, escalation, role):
    pages = {url("index"): 200, url("detail", escalation.pk): 200,
             url("create"): 200 if role in WORKS else 403}
    if role is None:
        for page in pages:
            response = client.get(page)
            assert response.status_code == 302 and "/login" in response["Location"]
        response = client.post(url("transition", escalation.pk, "triage"))
        assert response.status_code == 302 and "/login" in response["Location"]
        return
    client.force_login(make_user(role))
    for page, status in pages.items():
        assert client.get(page).status_code == status, page
    html = html_of(client.get(url("index")))
    assert ("Open escalation" in html) is (role in WORKS)
    detail = html_of(client.get(url("detail", escalation.pk)))
    assert ('data-testid="step-triage"' in detail) is (role in WORKS)
    assert ('data-testid="tier-escalate"' in detail) is (role in WORKS)


def test_an_expired_session_on_an_htmx_post_redirects_the_whole_tab(client, escalation):
    response = client.post(url("transition", escalation.pk, "triage"), HTTP_HX_REQUEST="true")
    assert "/login" in response["HX-Redirect"]


def test_unknown_transition_is_404(client, lead, escalation):
    client.force_login(lead)
    assert client.post(url("transition", escalation.pk, "explode")).status_code == 404
    assert client.post(url("tier", escalation.pk, "sideways"), {"reason": "x"}).status_code == 404
