"""The intake's integration lookup kept per web process: read again after any change
to an integration commits (in this process or another one), never kept for unknown
tokens, and not kept at all with a process-local cache."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from integrations import services, token_cache
from integrations.models import Integration

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    token_cache._entries.clear()
    cache.delete(token_cache.GENERATION_KEY)
    yield
    token_cache._entries.clear()


@pytest.fixture
def kept(settings):
    """As with a shared cache (CACHE_URL): the unit tests' locmem cache is shared by
    everything in this one process."""
    settings.INTEGRATIONS_TOKEN_CACHE = "on"


def test_with_a_process_local_cache_every_lookup_reads_the_database(
        make_integration, django_assert_num_queries):
    integration = make_integration()
    assert not token_cache.enabled()  # the test settings' locmem cache
    for _ in range(2):
        with django_assert_num_queries(1):
            assert services.integration_for_token(integration.token) == integration


def test_a_known_token_is_read_once(kept, make_integration, django_assert_num_queries):
    integration = make_integration()
    with django_assert_num_queries(1):
        assert services.integration_for_token(integration.token) == integration
    with django_assert_num_queries(0):
        assert services.integration_for_token(integration.token) == integration


def test_an_unknown_token_is_read_every_time(kept, django_assert_num_queries):
    for _ in range(2):
        with django_assert_num_queries(1):
            assert services.integration_for_token("sbi_nobody") is None
    assert token_cache._entries == {}


def test_disabling_answers_410_at_the_next_request(
        kept, make_integration, manager, post_alert, django_capture_on_commit_callbacks):
    integration = make_integration()
    assert post_alert(integration, samples.alertmanager()).status_code == 202
    with django_capture_on_commit_callbacks(execute=True):
        services.integration_set_enabled(integration=integration, by=manager, enabled=False)
    assert post_alert(integration, samples.alertmanager()).status_code == 410


def test_a_rotated_token_stops_working_at_once(
        kept, make_integration, manager, client, django_capture_on_commit_callbacks):
    integration = make_integration()
    old = integration.token
    assert services.integration_for_token(old) == integration
    with django_capture_on_commit_callbacks(execute=True):
        _, new = services.integration_rotate_token(integration=integration, by=manager)
    assert services.integration_for_token(old) is None
    assert services.integration_for_token(new) == integration
    response = client.post(reverse("integration-intake", args=[old]), samples.alertmanager(),
                           content_type="application/json")
    assert response.status_code == 404


def test_nothing_changes_for_other_processes_before_the_change_commits(
        kept, make_integration, manager, django_capture_on_commit_callbacks):
    integration = make_integration()
    services.integration_for_token(integration.token)
    generation = cache.get(token_cache.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.integration_update(integration=integration, by=manager, name="Renamed")
    # Announced before the commit, another process could read the old row again and
    # keep it under the new generation.
    assert cache.get(token_cache.GENERATION_KEY) == generation
    for callback in callbacks:
        callback()
    assert cache.get(token_cache.GENERATION_KEY) != generation
    assert services.integration_for_token(integration.token).name == "Renamed"


def test_a_change_announced_by_another_process_is_read_again(kept, make_integration):
    integration = make_integration()
    services.integration_for_token(integration.token)
    # Another web process disabled it: the row changed, and so did the generation.
    Integration.objects.filter(pk=integration.pk).update(enabled=False)
    cache.set(token_cache.GENERATION_KEY, "from-another-process", timeout=None)
    assert services.integration_for_token(integration.token).enabled is False


def test_without_a_readable_cache_the_database_answers(
        kept, make_integration, monkeypatch, django_assert_num_queries):
    integration = make_integration()

    def unreadable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(token_cache.cache, "get", unreadable)
    for _ in range(2):
        with django_assert_num_queries(1):
            assert services.integration_for_token(integration.token) == integration
