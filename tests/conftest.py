import os

import pytest
from rest_framework.test import APIClient

from core.choices import Role
from tests.factories import ANONYMOUS, UserFactory


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



@pytest.fixture
def as_role(api_client, make_user):
    """An API client signed in as a new user with the given role (``ANONYMOUS``: not
    signed in), for the permission matrices."""

    def login(role):
        if role != ANONYMOUS:
            api_client.force_authenticate(make_user(role, username=f"u-{role}".replace(" ", "")))
        return api_client

    return login


def _uses_database(item):
    return item.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.fixture(scope="session", autouse=True)
def _without_starter_playbooks(request, django_db_blocker):
    """The starter playbooks are seeded by a migration, and attach themselves to
    incidents and escalations (a VIP complaint gets the high-value playbook, whose
    required steps block closing). Tests start without them — transactional tests
    flush them anyway — and the playbook tests load them where they need them
    (``starter_library`` fixture)."""
    from django.apps import apps

    from playbooks.models import Playbook

    if not any(_uses_database(item) for item in request.session.items):
        return  # no test here touches the database (it is not even created)
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        Playbook.objects.all().delete()
        # Deleting wrote history rows; a fresh installation's audit trail has none.
        for model in apps.get_app_config("playbooks").get_models():
            if model.__name__.startswith("Historical"):
                model.objects.all().delete()


@pytest.fixture
def starter_library(db):
    from django.apps import apps
    from django.utils import timezone

    from core.audit import system_user
    from playbooks.seeds import load_starter_library

    load_starter_library(apps, by=system_user(), at=timezone.now())
