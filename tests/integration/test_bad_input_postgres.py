"""Bad input on PostgreSQL: a clear 400 naming the field, never a 500.

Some bad input only failed on PostgreSQL, inside the database: a NUL character in a
slug or reference lookup (``DataError: PostgreSQL text fields cannot contain NUL``)
and a UTC offset beyond ±15:59 in a date filter (``time zone displacement out of
range``); SQLite simply found nothing. These tests send them through the real
client to the real test database, then run the whole fuzz of
``tests/nasty_input.py`` (every API operation, filter page and form) there too.
"""

import pytest
from django.db import connection, transaction

from tests import nasty_input

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NUL_MESSAGE = "Null characters are not allowed."
OFFSET_MESSAGE = "Use a UTC offset between -14:00 and +14:00 (the widest any time zone uses)."


@pytest.fixture
def world():
    assert connection.vendor == "postgresql"
    return nasty_input.build_world()


@pytest.fixture
def api(world, api_client):
    api_client.force_authenticate(world.user)
    return api_client


def assert_invalid(response, field, message):
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["status"] == 400
    assert body["errors"] == {field: [message]}
    assert field in body["detail"]


@pytest.mark.parametrize(("parameter", "path"), [
    ("severity", "/api/incidents/"),
    ("channel", "/api/incidents/"),
    ("search", "/api/escalations/"),
])
def test_nul_in_a_filter(api, parameter, path):
    assert_invalid(api.get(f"{path}?{parameter}=%00"), parameter, NUL_MESSAGE)


@pytest.mark.parametrize("path", ["/api/severities/%00/", "/api/channels/chat%00/"])
def test_nul_in_a_slug_lookup(api, path):
    assert_invalid(api.get(path), "key", NUL_MESSAGE)


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/playbooks/{playbooks}/rules/", {"min_severity": "\x00"}, "min_severity"),
    ("/api/playbooks/{playbooks}/rules/", {"channel": "chat\x00"}, "channel"),
    ("/api/escalations/{escalations}/link-incident/", {"incident": "INC\x00"}, "incident"),
    ("/api/escalations/{escalations}/unlink-incident/", {"incident": "\x00"}, "incident"),
    ("/api/incidents/{incidents}/severity/", {"severity": "SEV1\x00"}, "severity"),
    ("/api/escalations/", {"customer": 1, "summary": "x", "team": "\x00"}, "team"),
])
def test_nul_in_a_json_reference(api, world, path, body, field):
    response = api.post(path.format_map(world.ids), body, format="json")
    assert_invalid(response, field, NUL_MESSAGE)
    # The transaction is still usable: the database never saw the NUL.
    assert api.get("/api/incidents/").status_code == 200


def test_nul_in_a_page_parameter(world, client):
    client.force_login(world.user)
    response = client.get("/incidents/declare/?channel=%00")
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


@pytest.mark.parametrize(("path", "parameter"), [
    ("/api/incidents/", "declared_after"),
    ("/api/incidents/", "declared_before"),
    ("/api/escalations/", "created_after"),
    ("/api/escalations/", "created_before"),
])
@pytest.mark.parametrize("offset", ["+23:00", "-15:59", "+16:00"])
def test_an_offset_postgresql_cannot_hold(api, path, parameter, offset):
    response = api.get(path, {parameter: f"2026-01-01T00:00:00{offset}"})
    assert_invalid(response, parameter, OFFSET_MESSAGE)


@pytest.mark.parametrize("path", ["incidents/statusupdate", "escalations/escalation"])
def test_an_admin_date_filter_postgresql_cannot_hold(world, client, path):
    client.force_login(world.user)
    field = "posted_at" if "statusupdate" in path else "created_at"
    response = client.get(f"/admin/{path}/", {f"{field}__gte": "2026-01-01T00:00:00+23:00"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


# --- The fuzz on PostgreSQL ----------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        assert connection.vendor == "postgresql"
        yield nasty_input.build_world()
        transaction.set_rollback(True)


# The fuzz sends thousands of requests, each in a savepoint; one transaction for all
# of them ran PostgreSQL out of lock slots ("out of shared memory") once the reports and
# budgets apps brought their tables. A share of the operations per test, each in its
# own transaction with its own world, keeps every transaction small.
CHUNKS = 6


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_no_api_operation_answers_500_on_postgresql(world, chunk):
    client = nasty_input.fuzz_client(world.user)
    failures = []
    for operation in nasty_input.api_operations()[chunk::CHUNKS]:
        failures += nasty_input.fuzz_operation(client, operation, world)
    assert failures == []


def test_no_page_or_form_answers_500_on_postgresql(shared_world):
    client = nasty_input.fuzz_client(shared_world.user)
    assert nasty_input.fuzz_pages(client, shared_world.ids) == []
    assert nasty_input.fuzz_forms(client, shared_world) == []
