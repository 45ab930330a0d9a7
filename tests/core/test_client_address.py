"""Who is the client? One setting (TRUSTED_PROXY_COUNT) answers it for the login
lock-out (axes), the API throttles and the logs, so a forged X-Forwarded-For escapes
none of them and a proxy's own address locks nobody out."""

import logging

import pytest
from axes.models import AccessAttempt
from django.core.checks import Warning as CheckWarning
from django.test import RequestFactory
from django.urls import reverse

from core.checks import check_shared_cache
from core.client_ip import ClientAddressLogFilter, client_ip
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"  # the load balancer every request arrives from
ALICE = "203.0.113.7"
BOB = "198.51.100.9"


def token_attempt(api_client, *, forwarded_for, username="nobody"):
    """A failed token request (a wrong password) from behind the proxy."""
    return api_client.post(
        reverse("api-token"), {"username": username, "password": "wrong"},
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for,
    )


# --- The address ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, "1.2.3.4", PROXY),  # no proxy trusted: the header is the client's own words
        (0, None, PROXY),
        (1, f"1.2.3.4, {ALICE}", ALICE),  # our proxy appended the address it saw
        (1, ALICE, ALICE),
        (1, None, PROXY),  # reached directly, bypassing the proxy
        (2, f"1.2.3.4, {ALICE}, 10.0.0.9", ALICE),  # CDN then load balancer
        (2, f" {ALICE} ,10.0.0.9 ", ALICE),
    ],
)
def test_the_client_address_is_the_one_the_trusted_proxies_saw(settings, count, forwarded_for,
                                                                expected):
    settings.TRUSTED_PROXY_COUNT = count
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, **extra)
    assert client_ip(request) == expected


# --- API throttling ------------------------------------------------------------------------


def test_a_rotating_forwarded_for_header_does_not_escape_the_login_throttle(api_client):
    """Without a trusted proxy the header is ignored: all 11 attempts come from one
    address, and the 11th is over the 10/minute login rate."""
    statuses = [
        token_attempt(api_client, forwarded_for=f"192.0.2.{n}", username=f"guess{n}").status_code
        for n in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    assert token_attempt(api_client, forwarded_for="192.0.2.99").json()["code"] == "throttled"


def test_behind_one_proxy_the_throttle_counts_the_address_the_proxy_saw(settings, api_client):
    settings.TRUSTED_PROXY_COUNT = 1
    # Alice forges a different left-hand address each time; the proxy appends hers.
    statuses = [
        token_attempt(api_client, forwarded_for=f"192.0.2.{n}, {ALICE}",
                      username=f"guess{n}").status_code
        for n in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    # Bob, behind the same proxy, has his own allowance.
    assert token_attempt(api_client, forwarded_for=BOB).status_code == 400


def test_the_anonymous_api_throttle_uses_the_same_address(settings, api_client, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES",
                        {**AnonRateThrottle.THROTTLE_RATES, "anon": "2/minute"})
    settings.TRUSTED_PROXY_COUNT = 1
    # The API docs page is open to anonymous callers and throttled like the rest.
    statuses = [
        api_client.get("/api/docs/", REMOTE_ADDR=PROXY,
                       HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ALICE}").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert api_client.get("/api/docs/", REMOTE_ADDR=PROXY,
                          HTTP_X_FORWARDED_FOR=BOB).status_code == 200


# --- Login lock-out (axes) -------------------------------------------------------------------


def test_behind_one_proxy_a_lock_out_is_for_the_attackers_address_only(settings, client,
                                                                          manager):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        client.post(reverse("login"), {"username": "maria", "password": "wrong"},
                    REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ALICE}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ALICE}

    locked = client.post(reverse("login"), {"username": "maria", "password": PASSWORD},
                         REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE)
    assert locked.status_code == 429
    # The real Maria, from her own address through the same proxy, still gets in.
    response = client.post(reverse("login"), {"username": "maria", "password": PASSWORD},
                           REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=BOB)
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_without_a_trusted_proxy_axes_ignores_the_forwarded_header(client, manager):
    for n in range(5):
        client.post(reverse("login"), {"username": "maria", "password": "wrong"},
                    REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ALICE}


# --- Logs --------------------------------------------------------------------------------------


def test_log_records_about_a_request_carry_the_client_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/missing/", REMOTE_ADDR=PROXY,
                                   HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ALICE}")
    with_request = logging.LogRecord("django.request", logging.WARNING, __file__, 1,
                                     "Not Found: %s", ("/missing/",), None)
    with_request.request = request
    without_request = logging.LogRecord("core.sweep", logging.INFO, __file__, 1, "swept", (),
                                        None)
    log_filter = ClientAddressLogFilter()
    assert log_filter.filter(with_request) and log_filter.filter(without_request)
    assert with_request.client_ip == ALICE
    assert without_request.client_ip == "-"


def test_the_console_log_shows_the_client_address():
    handler = logging.getLogger("django").handlers[0]
    assert any(isinstance(f, ClientAddressLogFilter) for f in handler.filters)
    assert "%(client_ip)s" in handler.formatter._fmt


# --- A shared cache in production ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "location", "warns"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", "", True),
        ("django.core.cache.backends.dummy.DummyCache", "", True),
        ("django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/1", False),
        ("django.core.cache.backends.db.DatabaseCache", "switchboard_cache", False),
    ],
)
def test_the_deploy_check_wants_a_cache_all_processes_share(settings, backend, location, warns):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location}}
    issues = check_shared_cache(app_configs=None)
    if warns:
        assert [issue.id for issue in issues] == ["switchboard.W001"]
        assert isinstance(issues[0], CheckWarning)
        assert "CACHE_URL" in issues[0].hint
    else:
        assert issues == []


def test_the_cache_check_runs_only_with_deploy():
    from django.core.checks import registry

    assert check_shared_cache in registry.registry.get_checks(include_deployment_checks=True)
    assert check_shared_cache not in registry.registry.get_checks(include_deployment_checks=False)
