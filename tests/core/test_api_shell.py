"""The API shell: auth, schema, docs, health, pagination, filtering, throttling."""

import json

import pytest
from django.db.utils import ConnectionHandler
from django.urls import reverse
from rest_framework.authtoken.models import Token

from core.choices import Role
from core.health import check_database, record_heartbeat
from tests.factories import PASSWORD, TeamFactory

pytestmark = pytest.mark.django_db


def test_api_root_needs_authentication(api_client):
    response = api_client.get("/api/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_token_authentication(api_client, manager):
    response = api_client.post(
        reverse("api-token"), {"username": "maria", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=manager).key == token

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get(reverse("api-me")).json()
    assert me["username"] == "maria"
    assert me["roles"] == [Role.MANAGER]


def test_bad_credentials_for_a_token_are_a_clear_400(api_client, manager):
    response = api_client.post(
        reverse("api-token"), {"username": "maria", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["non_field_errors"] == [
        "Unable to log in with provided credentials."
    ]


def test_token_endpoint_locks_out_after_repeated_failures(api_client, manager):
    for _ in range(5):
        api_client.post(reverse("api-token"), {"username": "maria", "password": "x"})
    response = api_client.post(reverse("api-token"), {"username": "maria", "password": PASSWORD})
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out"
    assert "Try again in 15 minutes" in body["detail"]
    assert not Token.objects.exists()


def test_schema_lists_the_shell_endpoints(api_as, viewer):
    response = api_as(viewer).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/health/", "/api/me/", "/api/teams/", "/api/users/"} <= set(paths)


def test_schema_is_generated_once_per_process(api_as, viewer, manager):
    from core.api.docs import CachedSchemaView

    CachedSchemaView._cache.clear()
    first = api_as(viewer).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert len(CachedSchemaView._cache) == 1
    (cached,) = CachedSchemaView._cache.values()
    # Another user, another format: the same document, not generated again.
    second = api_as(manager).get("/api/schema/?format=json")
    assert len(CachedSchemaView._cache) == 1
    assert first.json() == second.json() == json.loads(json.dumps(cached))
    yaml_body = api_as(viewer).get("/api/schema/").content.decode()
    assert yaml_body.startswith("openapi: 3")


def test_docs_are_served_without_a_cdn(client, viewer):
    client.force_login(viewer)
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    # That nothing comes from another site: tests/core/test_security_headers.py.
    redoc = client.get("/api/docs/redoc/").content.decode()
    # The sidecar's Redoc bundle, through core.api.docs (which drops its CDN logo).
    assert '<script src="/api/docs/redoc.standalone.js?v=' in redoc


def test_health_reports_database_broker_and_worker(api_client):
    record_heartbeat(hostname="worker-1")
    response = api_client.get("/api/health/")
    body = response.json()
    assert response.status_code == 200
    assert body["healthy"] is True
    assert body["database"]["ok"]
    assert body["broker"]["ok"]
    assert body["worker"]["state"] == "ok"
    assert "detail" not in body["database"]  # anonymous callers get no host names


@pytest.mark.parametrize("who", ["anonymous", "viewer"])
def test_health_names_no_host_to_anyone_but_staff(client, viewer, who):
    record_heartbeat(hostname="worker-7.internal")
    if who == "viewer":
        client.force_login(viewer)  # signed in, but not staff nor a manager
    response = client.get("/api/health/")
    body = response.json()
    assert response.status_code == 200
    assert body["worker"]["state"] == "ok"
    assert "hostname" not in body["worker"]
    assert "detail" not in body["database"]
    assert "detail" not in body["broker"]
    assert "worker-7" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.MANAGER, None])
def test_staff_and_managers_see_the_health_details(client, make_user, role):
    record_heartbeat(hostname="worker-7.internal")
    # A Manager who is not staff, and a staff member with no role (an operator).
    client.force_login(make_user(role, is_staff=role is None))  # a real session
    body = client.get("/api/health/").json()
    assert body["worker"]["hostname"] == "worker-7.internal"
    assert body["database"]["detail"]
    assert body["broker"]["detail"]


def test_staff_see_the_email_outbox_in_the_health_report(client, manager, settings):
    from core.notifications import email_outbox_send, notify

    settings.EMAIL_BACKEND = "tests.support.mail.RefusingEmailBackend"
    settings.EMAIL_MAX_ATTEMPTS = 1
    notify([manager], title="Never delivered")
    email_outbox_send()
    notify([manager], title="Waiting")
    client.force_login(manager)

    body = client.get("/api/health/").json()

    assert body["email"] == {"pending": 1, "overdue": 0, "failed": 1}
    client.logout()
    assert "email" not in client.get("/api/health/").json()


def test_health_says_never_before_the_first_heartbeat(api_client):
    assert api_client.get("/api/health/").json()["worker"]["state"] == "never"


def test_health_is_503_when_the_broker_is_down(api_client, manager, monkeypatch):
    # A real connection attempt to a port where nothing listens. Celery reads the
    # CELERY_BROKER_URL environment variable before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    api_client.force_authenticate(manager)
    response = api_client.get("/api/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["healthy"] is False
    assert body["broker"]["ok"] is False
    assert "Error" in body["broker"]["detail"]


def test_database_check_reports_an_unreachable_database():
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1",
                     "PORT": "1", "NAME": "nowhere", "USER": "nobody"}}
    )
    ok, detail = check_database(handler["default"])
    assert ok is False
    assert "OperationalError" in detail


def test_teams_list_is_paginated_filtered_and_searchable(api_as, viewer):
    TeamFactory(name="Escalation desk", slug="escalation-desk")
    TeamFactory(name="Night shift", slug="night-shift", description="Overnight voice queues")
    client = api_as(viewer)

    page = client.get("/api/teams/", {"page_size": 1}).json()
    assert page["count"] == 2
    assert len(page["results"]) == 1
    assert page["next"]

    assert [t["slug"] for t in client.get("/api/teams/", {"search": "voice"}).json()["results"]] \
        == ["night-shift"]
    assert [t["name"] for t in client.get("/api/teams/", {"slug": "escalation-desk"})
            .json()["results"]] == ["Escalation desk"]
    names = [t["name"] for t in client.get("/api/teams/", {"ordering": "-name"}).json()["results"]]
    assert names == ["Night shift", "Escalation desk"]


def test_team_list_query_count_does_not_grow_with_teams(api_client, viewer, make_user,
                                                        django_assert_num_queries):
    def fresh_viewer():
        # A fresh user object each time, as in a real request (no permission cache).
        api_client.force_authenticate(type(viewer).objects.get(pk=viewer.pk))

    for _ in range(3):
        TeamFactory(lead=make_user()).members.add(make_user(), make_user())
    # 2 permission lookups, count, page of teams with leads, members of the page
    fresh_viewer()
    with django_assert_num_queries(5):
        assert len(api_client.get("/api/teams/").json()["results"]) == 3
    for _ in range(10):
        TeamFactory(lead=make_user()).members.add(make_user(), make_user())
    fresh_viewer()
    with django_assert_num_queries(5):
        assert len(api_client.get("/api/teams/").json()["results"]) == 13


def test_requests_over_the_rate_are_throttled_with_a_retry_hint(api_as, viewer, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(
        UserRateThrottle, "THROTTLE_RATES", {**UserRateThrottle.THROTTLE_RATES, "user": "2/minute"}
    )
    client = api_as(viewer)
    statuses = [client.get("/api/teams/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    body = client.get("/api/teams/").json()
    assert body["code"] == "throttled"
    assert 0 < body["retry_after"] <= 60


@pytest.mark.parametrize(
    ("role", "method", "expected"),
    [
        (Role.VIEWER, "get", 200),
        (Role.VIEWER, "post", 403),
        (Role.INCIDENT_RESPONDER, "get", 200),
        (Role.INCIDENT_RESPONDER, "post", 403),
        (Role.ESCALATION_LEAD, "post", 403),
        (Role.VENDOR_MANAGER, "post", 403),
        (Role.FINANCE, "post", 403),
        (Role.MANAGER, "post", 201),
        (None, "get", 403),
    ],
)
def test_team_endpoint_permissions_per_role(api_as, make_user, role, method, expected):
    client = api_as(make_user(role))
    if method == "get":
        response = client.get("/api/teams/")
    else:
        response = client.post("/api/teams/", {"name": "Social desk", "slug": "social-desk"})
    assert response.status_code == expected


def test_creating_a_team_through_the_api_is_audited(api_as, manager):
    response = api_as(manager).post("/api/teams/", {"name": "Social desk", "slug": "social"})
    assert response.status_code == 201
    from core.models import Team

    assert Team.history.get(slug="social").history_user == manager
