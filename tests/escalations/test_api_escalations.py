"""The escalation and SLA policy API: each transition endpoint (success, 409 with the
allowed transitions, 400 naming the field the guard checks), clocks started from the
matching policy, the permission matrix, personal data hidden in escalation payloads,
and a constant query count on the list."""
from datetime import timedelta

import pytest

from core.choices import Role
from escalations import services
from escalations.choices import EscalationState
from escalations.clock_kinds import CONTAINMENT_CLOCK, FIRST_RESPONSE_CLOCK, RESOLUTION_CLOCK
from escalations.models import Escalation, EscalationSlaPolicy
from tests.factories import ANONYMOUS

pytestmark = pytest.mark.django_db

S = EscalationState
BASE = "/api/escalations/"
POLICIES = "/api/escalation-policies/"
ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]
WORKS = {Role.MANAGER, Role.ESCALATION_LEAD}
SEES_PERSONAL = {Role.MANAGER, Role.ESCALATION_LEAD}
PERSONAL = {"name", "email", "phone", "address", "notes"}
# Permissions (2), count, page with customers and owners (1), the relations the page
# uses, prefetched (here policies and creators: 2), linked incidents with severities (1),
# clocks (1). A relation no row on the page uses costs nothing.
LIST_QUERIES = 8


def url(escalation, action=None):
    return f"{BASE}{escalation.pk}/" + (f"{action}/" if action else "")



@pytest.fixture
def policy():
    return EscalationSlaPolicy.objects.create(
        name="VIP complaints", order=10, customer_tier="vip", first_response=timedelta(hours=1),
        containment=timedelta(hours=4), resolution=timedelta(days=2),
    )


@pytest.fixture
def make_escalation(lead, customer):
    def make(**kwargs):
        values = {"category": "complaint", "priority": "P2", "summary": "Billed twice",
                  "owner": lead}
        values.update(kwargs)
        return services.escalation_create(by=lead, customer=customer, **values)

    return make


@pytest.fixture
def new(make_escalation):
    return make_escalation()


@pytest.fixture
def triaged(new, lead):
    return services.escalation_triage(escalation=new, by=lead)


@pytest.fixture
def contained(triaged, lead):
    return services.escalation_contain(escalation=triaged, by=lead, note="Called; refunded.")


@pytest.fixture
def resolved(triaged, lead):
    return services.escalation_resolve(escalation=triaged, by=lead, resolution="Refunded.")


@pytest.fixture
def review(resolved, lead):
    return services.escalation_start_review(escalation=resolved, by=lead)


@pytest.fixture
def awaiting(triaged, lead):
    return services.escalation_await_customer(escalation=triaged, by=lead, reason="Asked")


@pytest.fixture
def client(api_as, lead):
    return api_as(lead)


# --- Create -----------------------------------------------------------------------------


def test_create_with_a_matching_policy_starts_its_clocks(client, customer, policy, lead):
    response = client.post(BASE, {"customer": customer.pk, "category": "complaint",
                                  "priority": "P1", "summary": "Card 4111 1111 1111 1111",
                                  "owner": lead.pk})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "new" and body["reference"].startswith("ESC-")
    assert body["policy"] == policy.pk and body["policy_name"] == "VIP complaints"
    assert "4111 1111 1111 1111" not in body["summary"]
    assert {c["kind"] for c in body["clocks"]} == {FIRST_RESPONSE_CLOCK, CONTAINMENT_CLOCK,
                                                   RESOLUTION_CLOCK}
    clocks = client.get("/api/clocks/", {"owner_type": "escalations.escalation",
                                         "object_id": body["id"]})
    assert clocks.status_code == 200
    rows = clocks.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert {row["kind"] for row in rows} == {FIRST_RESPONSE_CLOCK, CONTAINMENT_CLOCK,
                                             RESOLUTION_CLOCK}


def test_create_without_a_summary_names_the_field(client, customer):
    response = client.post(BASE, {"customer": customer.pk, "summary": " "})
    assert response.status_code == 400
    assert "summary" in response.json()["errors"]


def test_no_delete(api_as, manager, new):
    assert api_as(manager).delete(url(new)).status_code == 405


# --- Transitions ------------------------------------------------------------------------

# action → (fixture in the source state, body, target state)
SUCCESS = {
    "triage": ("new", {}, S.TRIAGED),
    "contain": ("triaged", {"containment_note": "Called; credit applied."}, S.CONTAINED),
    "await-customer": ("contained", {"reason": "Asked for the invoice"}, S.AWAITING_CUSTOMER),
    "customer-replied": ("awaiting", {}, S.TRIAGED),
    "resolve": ("contained", {"resolution": "Refund agreed."}, S.RESOLVED),
    "start-review": ("resolved", {}, S.REVIEW),
    "close": ("review", {"root_cause_review": "Billing run doubled."}, S.CLOSED),
    "reopen": ("resolved", {"reason": "Charged again"}, S.TRIAGED),
    "withdraw": ("triaged", {"withdraw_reason": "Sorted it with the bank."}, S.WITHDRAWN),
}


@pytest.mark.parametrize("action", SUCCESS)
def test_transition_succeeds(request, client, action):
    source, body, target = SUCCESS[action]
    escalation = request.getfixturevalue(source)
    response = client.post(url(escalation, action), body)
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == target
    assert Escalation.objects.get(pk=escalation.pk).state == target


# action → (fixture in a state it is not allowed from, a body that passes the input)
CONFLICT = {
    "triage": ("triaged", {}),
    "contain": ("new", {"containment_note": "x"}),
    "await-customer": ("new", {"reason": "x"}),
    "customer-replied": ("triaged", {}),
    "resolve": ("new", {"resolution": "x"}),
    "start-review": ("triaged", {}),
    "close": ("resolved", {"root_cause_review": "x"}),
    "reopen": ("new", {"reason": "x"}),
    "withdraw": ("resolved", {"withdraw_reason": "x"}),
}


@pytest.mark.parametrize("action", CONFLICT)
def test_transition_from_the_wrong_state_is_a_409(request, client, action):
    source, body = CONFLICT[action]
    escalation = request.getfixturevalue(source)
    response = client.post(url(escalation, action), body)
    assert response.status_code == 409, response.json()
    error = response.json()
    assert error["code"] == "transition_not_allowed"
    assert error["current_state"] == Escalation.objects.get(pk=escalation.pk).state
    assert isinstance(error["allowed_transitions"], list) and error["allowed_transitions"]


# action → (fixture in the source state, the field the 400 names)
MISSING = {
    "contain": ("triaged", "containment_note"),
    "await-customer": ("triaged", "reason"),
    "resolve": ("triaged", "resolution"),
    "close": ("review", "root_cause_review"),
    "reopen": ("resolved", "reason"),
    "withdraw": ("triaged", "withdraw_reason"),
}


@pytest.mark.parametrize("action", MISSING)
def test_transition_without_its_requirement_names_the_field(request, client, action):
    source, field = MISSING[action]
    escalation = request.getfixturevalue(source)
    before = Escalation.objects.get(pk=escalation.pk).state
    response = client.post(url(escalation, action), {})
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert Escalation.objects.get(pk=escalation.pk).state == before


@pytest.mark.parametrize("field", ["priority", "owner", "category"])
def test_triage_without_priority_owner_or_category_names_it(client, make_escalation, field):
    # Only this one is missing.
    escalation = make_escalation(**{field: None if field == "owner" else ""})
    response = client.post(url(escalation, "triage"), {})
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]


def test_timeline_lists_what_happened(client, contained):
    response = client.get(url(contained, "timeline"))
    assert response.status_code == 200
    kinds = [event["kind"] for event in response.json()]
    assert kinds[0] == "created" and kinds.count("transition") == 2
    states = [e["params"]["state"] for e in response.json() if e["event"] == "state-changed"]
    assert states[-1] == "contained"


# --- Permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_read_matrix(as_role, new, role):
    client = as_role(role)
    statuses = {client.get(BASE).status_code, client.get(url(new)).status_code,
                client.get(url(new, "timeline")).status_code,
                client.get(POLICIES).status_code}
    assert statuses == ({403} if role == ANONYMOUS else {200})


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_write_matrix(as_role, customer, triaged, role):
    client = as_role(role)
    created = client.post(BASE, {"customer": customer.pk, "summary": "Angry tweet"})
    contained = client.post(url(triaged, "contain"), {"containment_note": "Called."})
    if role in WORKS:
        assert (created.status_code, contained.status_code) == (201, 200)
    else:
        assert (created.status_code, contained.status_code) == (403, 403)
        assert Escalation.objects.count() == 1
        assert Escalation.objects.get().state == S.TRIAGED


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_only_managers_write_policies(as_role, policy, role):
    client = as_role(role)
    created = client.post(POLICIES, {"name": "Regulatory", "order": 20,
                                     "category": "regulatory", "resolution": "3 00:00:00"})
    edited = client.patch(f"{POLICIES}{policy.pk}/", {"name": "VIP"})
    if role == Role.MANAGER:
        assert (created.status_code, edited.status_code) == (201, 200), edited.json()
        assert EscalationSlaPolicy.objects.get(order=20).history.get().history_change_reason \
            == "Created"
    else:
        assert (created.status_code, edited.status_code) == (403, 403)
        assert not EscalationSlaPolicy.objects.filter(order=20).exists()


def test_policy_validation_is_the_models(api_as, manager, policy):
    client = api_as(manager)
    response = client.post(POLICIES, {"name": "Bad", "order": 30, "resolution": "-1 00:00:00",
                                      "pause_in_awaiting_customer": ["nonsense"]})
    assert response.status_code == 400
    assert {"resolution", "pause_in_awaiting_customer"} & set(response.json()["errors"])
    response = client.patch(f"{POLICIES}{policy.pk}/", {"pause_in_awaiting_customer": ["x"]})
    assert response.status_code == 400
    assert "pause_in_awaiting_customer" in response.json()["errors"]


@pytest.mark.parametrize("role", ROLES)
def test_customer_personal_data_follows_the_visibility_rule(as_role, new, role):
    client = as_role(role)
    for body in (client.get(BASE).json()["results"][0]["customer"],
                 client.get(url(new)).json()["customer"]):
        assert body["account_reference"] == "ACC-104200"
        assert (set(body) >= PERSONAL) is (role in SEES_PERSONAL)
        assert not (PERSONAL & set(body)) or role in SEES_PERSONAL
    text = str(client.get(url(new)).json()) + str(client.get(BASE).json())
    assert ("Harriet" in text) is (role in SEES_PERSONAL)


# --- Filters and query count ------------------------------------------------------------


def test_filters_and_search(client, make_escalation, lead, manager, customer):
    mine = make_escalation(summary="Refund missing", category="billing")
    other = make_escalation(summary="Rude agent", owner=manager)

    def refs(**params):
        return {row["reference"] for row in client.get(BASE, params).json()["results"]}

    assert refs(owner="me") == {mine.reference}
    assert refs(owner=manager.pk) == {other.reference}
    assert refs(category="billing") == {mine.reference}
    assert refs(search="Rude") == {other.reference}
    assert refs(state="new", customer=customer.pk) == {mine.reference, other.reference}
    assert refs(tier="L2") == set()
    assert client.get(BASE, {"owner": "someone"}).status_code == 400
    assert client.get(BASE, {"ordering": "next_due"}).status_code == 200


@pytest.mark.parametrize("limit", [2000, 0])
def test_a_search_on_the_customer_finds_what_the_join_finds(client, make_escalation, customer,
                                                           lead, limit, monkeypatch):
    """``?search=`` matches the customer's account number on the customers first
    (their own index) and then by id, or past RELATED_IDS_LIMIT as a subquery: the
    same rows as the plain join, terms combined as DRF combines them."""
    from core import search

    monkeypatch.setattr(search, "RELATED_IDS_LIMIT", limit)
    other_customer = type(customer).objects.create(name="Other", account_reference="ACC-777")
    theirs = services.escalation_create(by=lead, customer=other_customer, category="complaint",
                                        priority="P2", summary="Line dead", owner=lead)
    ours = make_escalation(summary="Billed twice")

    def refs(text):
        return {row["reference"] for row in client.get(BASE, {"search": text}).json()["results"]}

    assert refs("ACC-777") == {theirs.reference}
    assert refs(customer.account_reference) == {ours.reference}
    assert refs("acc-") == {ours.reference, theirs.reference}
    assert refs("ACC-777 dead") == {theirs.reference}  # every term must match
    assert refs("ACC-777 billed") == set()
    assert refs(theirs.reference.lower()) == {theirs.reference}


def test_list_query_count_is_constant(api_as, django_assert_num_queries, lead,
                                      make_escalation, policy):
    # The user's permissions (2), the count, the page with its customers, owners and
    # policies (1), and the page's clocks (1): whatever the number of rows.
    for _ in range(2):
        make_escalation()
    client = api_as(type(lead).objects.get(pk=lead.pk))  # a fresh permission cache
    with django_assert_num_queries(LIST_QUERIES):
        small = client.get(BASE, {"page_size": 200})
    assert len(small.json()["results"]) == 2
    for _ in range(10):
        make_escalation()
    client = api_as(type(lead).objects.get(pk=lead.pk))  # a fresh permission cache
    # A search reads the matching customers first, on their own index (core.search).
    with django_assert_num_queries(LIST_QUERIES + 1):
        large = client.get(BASE, {"page_size": 200, "state": "new", "search": "Billed"})
    assert len(large.json()["results"]) == 12
    assert all(len(row["clocks"]) == 3 for row in large.json()["results"])
