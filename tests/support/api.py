"""Assertions that make API tests read as the spec (one body shape for every error)."""


def assert_conflict(response, *, transition, state, allowed):
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "transition_not_allowed"
    assert (body["transition"], body["current_state"]) == (transition, state)
    assert body["allowed_transitions"] == allowed


def assert_missing(response, field):
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body["errors"], body
    return body
