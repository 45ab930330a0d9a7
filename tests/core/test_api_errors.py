"""One error body everywhere: status, code, detail, errors (+ allowed transitions on 409)."""

import pytest
from django.contrib.auth.models import Permission

from tests.testapp.models import Ticket, TicketState

pytestmark = pytest.mark.django_db

BODY_KEYS = {"status", "code", "detail", "errors"}


@pytest.fixture
def responder(make_user):
    user = make_user(username="ivan")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_ticket", "change_ticket", "add_ticket"])
    )
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def ticket():
    return Ticket.objects.create(title="Carrier drops calls")


def test_successful_transition_through_the_api(api_as, responder, ticket):
    response = api_as(responder).post(
        f"/api/test-tickets/{ticket.pk}/resolve/", {"resolution": "Carrier rerouted"}
    )
    assert response.status_code == 200
    assert response.json()["state"] == TicketState.RESOLVED
    assert Ticket.history.filter(id=ticket.pk).first().history_user == responder


def test_impossible_transition_is_409_with_the_allowed_ones(api_as, responder, ticket):
    response = api_as(responder).post(f"/api/test-tickets/{ticket.pk}/close/")

    assert response.status_code == 409
    body = response.json()
    assert set(body) == BODY_KEYS | {"transition", "current_state", "allowed_transitions"}
    assert body["code"] == "transition_not_allowed"
    assert body["current_state"] == "open"
    assert body["allowed_transitions"] == ["resolve", "start"]
    assert body["errors"] == {}


def test_missing_requirement_is_400_naming_the_field(api_as, responder, ticket):
    response = api_as(responder).post(f"/api/test-tickets/{ticket.pk}/start/")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "requirement_missing"
    assert body["errors"] == {"owner": ["An owner is required to start work."]}
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.OPEN


def test_invalid_input_is_400_naming_the_field(api_as, responder, ticket):
    response = api_as(responder).post(f"/api/test-tickets/{ticket.pk}/resolve/", {})

    assert response.status_code == 400
    body = response.json()
    assert set(body) == BODY_KEYS
    assert body["code"] == "invalid"
    assert body["errors"] == {"resolution": ["This field is required."]}
    assert "resolution" in body["detail"]


def test_malformed_json_is_a_clear_400(api_as, responder, ticket):
    response = api_as(responder).post(
        f"/api/test-tickets/{ticket.pk}/resolve/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_transition_permission_is_403(api_as, responder, ticket):
    client = api_as(responder)
    client.post(f"/api/test-tickets/{ticket.pk}/resolve/", {"resolution": "Done"})

    response = client.post(f"/api/test-tickets/{ticket.pk}/close/")

    assert response.status_code == 403
    body = response.json()
    assert set(body) == BODY_KEYS
    assert body["code"] == "permission_denied"
    assert "close" in body["detail"]


def test_action_needs_the_model_permission(api_as, make_user, ticket):
    reader = make_user()
    reader.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    reader = type(reader).objects.get(pk=reader.pk)

    response = api_as(reader).post(f"/api/test-tickets/{ticket.pk}/start/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_state_is_read_only_in_the_api(api_as, responder, ticket):
    response = api_as(responder).patch(
        f"/api/test-tickets/{ticket.pk}/", {"state": "closed", "title": "Renamed"}
    )
    assert response.status_code == 200
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.state, stored.title) == (TicketState.OPEN, "Renamed")


def test_unknown_object_is_404_in_the_same_shape(api_as, responder):
    response = api_as(responder).post("/api/test-tickets/999/start/")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404, "code": "not_found", "detail": "No Ticket matches the given query.",
        "errors": {},
    }


def test_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.fixture
def crash_client(client):
    client.raise_request_exception = False
    return client


def test_unexpected_error_on_the_api_is_a_json_500(crash_client):
    response = crash_client.get("/api/test-crash/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "deliberate" not in response.content.decode()  # no internals leak


def test_unexpected_error_on_a_page_is_the_friendly_500_page(crash_client):
    response = crash_client.get("/test-crash/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


ID_FILTERS = [
    ("/api/action-items/", "incident"),
    ("/api/escalations/", "customer"),
    ("/api/playbook-versions/", "playbook"),
    ("/api/playbook-runs/", "incident"),
    ("/api/playbook-runs/", "escalation"),
    ("/api/playbook-runs/", "playbook"),
    ("/api/step-runs/", "run"),
]


@pytest.mark.parametrize(("url", "name"), ID_FILTERS)
@pytest.mark.parametrize("value", ["3.7e+44", "99999999999999999999", "1.5", "0"])
def test_an_id_filter_that_is_no_id_is_a_400_naming_it(api_as, manager, url, name, value):
    # A decimal filter let 3.7e+44 reach the database: SQLite cannot bind it (a 500).
    response = api_as(manager).get(url, {name: value})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]


@pytest.mark.parametrize(("url", "name"), ID_FILTERS)
def test_an_id_filter_finds_by_id(api_as, manager, url, name):
    response = api_as(manager).get(url, {name: "12345"})

    assert response.status_code == 200
    assert response.json()["count"] == 0
