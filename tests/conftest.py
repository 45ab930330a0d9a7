import os

import pytest
from rest_framework.test import APIClient

from core.choices import Role
from tests.factories import UserFactory


def services_required():
    """True when a missing service must fail the run instead of skipping (CI=true)."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason):
    if services_required():
        pytest.fail(f"{reason} (CI=true: nothing may be skipped for a missing service)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttling and axes counters live in the cache; tests must not share them.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    def make(role=None, **kwargs):
        roles = [role] if role else []
        return UserFactory(roles=roles, **kwargs)

    return make


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, username="maria", is_staff=True)


@pytest.fixture
def viewer(make_user):
    return make_user(Role.VIEWER, username="vera")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    """An API client authenticated as the given user."""

    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login
