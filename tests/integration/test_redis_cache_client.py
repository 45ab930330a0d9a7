"""core.cache.RedisCache (what CACHE_URL=redis://… selects): Django's Redis cache with
one redis.Redis client kept per connection pool instead of one built per call — the
same answers, from threads too."""

import threading

import pytest
from django.conf import settings

from core.cache import RedisCache

pytestmark = pytest.mark.integration


@pytest.fixture
def cache():
    # The broker's Redis (the integration tests' own database number), another prefix.
    cache = RedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": "test-core-cache"})
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match="test-core-cache:*"):  # only ours: not FLUSHDB
        client.delete(key)


def test_one_client_per_pool_and_the_cache_answers_as_django_s(cache):
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=False) is client  # one server: one pool
    assert cache.add("slot", 1, timeout=5) is True
    assert cache.add("slot", 2, timeout=5) is False  # add is still atomic
    assert cache.get_many(["slot", "missing"]) == {"slot": 1}
    cache.set("generation", "abc", timeout=None)
    assert cache.get("generation") == "abc"
    cache.delete("generation")
    assert cache.get("generation") is None


def test_the_shared_client_serves_many_threads(cache):
    results, errors = [], []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", i, timeout=30)
                results.append(cache.get(f"k{n}-{i}") == i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 400 and all(results)
