"""The Integrations pages and API, per role: managers configure; everyone reads."""

import pytest
from django.urls import reverse

from core.choices import Role
from integrations.models import Alert, Integration

from . import samples

pytestmark = pytest.mark.django_db

ROLES = [Role.MANAGER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD, Role.VENDOR_MANAGER,
         Role.FINANCE, Role.VIEWER]


@pytest.fixture
def world(make_integration, post_alert):
    integration = make_integration()
    post_alert(integration, samples.alertmanager())
    return integration, Alert.objects.get()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_pages_and_only_managers_configure(client, make_user, world,
                                                               role):
    integration, alert = world
    client.force_login(make_user(role, username=f"u-{role}".replace(" ", "")))
    for url in (reverse("integrations:index"), reverse("integrations:detail",
                                                       args=[integration.pk]),
                reverse("integrations:alerts"), reverse("integrations:alert", args=[alert.pk])):
        assert client.get(url).status_code == 200, url
    manager = role == Role.MANAGER
    assert client.get(reverse("integrations:create")).status_code == (200 if manager else 403)
    assert client.get(reverse("integrations:edit", args=[integration.pk])).status_code == (
        200 if manager else 403)
    assert client.post(reverse("integrations:rotate", args=[integration.pk])).status_code == (
        302 if manager else 403)
    test = client.post(reverse("integrations:test", args=[integration.pk]))
    assert test.status_code in ((302,) if manager else (403, 302))
    if not manager:
        assert Alert.objects.filter(is_test=True).count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_api(api_as, make_user, world, role):
    integration, alert = world
    client = api_as(make_user(role, username=f"a-{role}".replace(" ", "")))
    listing = client.get("/api/alerts/")
    assert listing.status_code == 200
    assert listing.json()["results"][0]["incident"].startswith("INC-")
    assert client.get(f"/api/integrations/{integration.pk}/").status_code == 200
    assert "token" not in client.get(f"/api/integrations/{integration.pk}/").json()
    assert client.post("/api/integrations/", {"name": "x"}).status_code in (403, 405)


def test_anonymous_reads_nothing(client, api_client, world):
    assert client.get(reverse("integrations:index")).status_code == 302
    assert api_client.get("/api/alerts/").status_code == 403


def test_the_list_shows_stats(client, manager, world, post_alert):
    integration, _ = world
    post_alert(integration, samples.alertmanager())
    client.force_login(manager)
    page = client.get(reverse("integrations:index")).content.decode()
    assert integration.name in page
    [listed] = [i for i in page.split('data-testid="integration-row"')[1:]]
    assert ">2<" in listed.replace(" ", "")  # received
    assert ">1<" in listed.replace(" ", "")  # deduplicated, incidents


def test_a_manager_creates_an_integration_and_sees_the_url_once(client, manager,
                                                                django_capture_on_commit_callbacks):
    client.force_login(manager)
    response = client.post(reverse("integrations:create"), {
        "name": "Prometheus", "kind": "alertmanager", "default_severity": "medium",
        "auto_resolve": "contain", "flap_minutes": 30, "poll_minutes": 5, "enabled": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response.url).content.decode()  # the token rides the session once
    integration = Integration.objects.get()
    url = page.split('data-testid="intake-url">')[1].split("<")[0]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert integration.history.first().history_user == manager
    # The URL works; the page does not show the token again.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, samples.alertmanager(),
                           content_type="application/json").status_code == 202
    assert token not in client.get(integration.get_absolute_url()).content.decode()


def test_a_bad_form_names_the_field(client, manager):
    client.force_login(manager)
    response = client.post(reverse("integrations:create"), {
        "name": "X", "kind": "alertmanager", "default_severity": "medium",
        "auto_resolve": "contain", "flap_minutes": 30, "poll_minutes": 5,
        "severity_map": '{"warning": "dreadful"}'})
    assert response.status_code == 400
    assert "Map each source severity" in response.content.decode()


def test_send_test_alert_goes_through_intake(client, manager, make_integration,
                                             django_capture_on_commit_callbacks):
    integration = make_integration()
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:test", args=[integration.pk]))
    alert = Alert.objects.get()
    assert alert.is_test and alert.events.get().is_test


def test_the_alert_page_shows_raw_payload_normalisation_and_incident(client, viewer, world):
    _, alert = world
    client.force_login(viewer)
    page = client.get(reverse("integrations:alert", args=[alert.pk])).content.decode()
    assert "c6f4a5b1e2d3f4a5" in page  # dedup key
    assert "groupKey" in page  # the raw payload
    assert alert.group.incident.reference in page


def test_alert_filters(client, viewer, world):
    client.force_login(viewer)
    assert b"alert-row" in client.get(reverse("integrations:alerts") + "?status=firing").content
    assert b"alert-row" not in client.get(reverse("integrations:alerts")
                                          + "?status=resolved").content


def test_the_alert_api_list_takes_the_same_queries_whatever_its_length(
        api_as, viewer, make_integration, post_alert, django_assert_max_num_queries):
    integration = make_integration()
    client = api_as(viewer)
    for n in range(5):
        post_alert(integration, samples.alertmanager(fingerprint=f"fp-{n}", group_key=f"g{n}"))
        # The count and the page (joined), and the reader's permissions: never per row.
        with django_assert_max_num_queries(4):
            assert len(client.get("/api/alerts/").json()["results"]) == n + 1


def test_the_alert_filter_bar_shows_no_api_help(client, viewer, world):
    """The FilterSet's help texts document the API's parameters (`true`: …)."""
    client.force_login(viewer)
    page = client.get(reverse("integrations:alerts"), {"has_incident": "true"}).content.decode()
    assert "Opened an incident" in page and "alert-row" in page
    assert "`true`" not in page and "_helptext" not in page
