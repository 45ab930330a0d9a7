import pytest
from django.urls import reverse

from core.choices import Role
from core.models import Team
from integrations import services


@pytest.fixture
def responder(make_user):
    return make_user(Role.INCIDENT_RESPONDER, username="ivan", first_name="Ivan")


@pytest.fixture
def on_call_team(responder):
    return Team.objects.create(name="Voice on-call", slug="voice-on-call", lead=responder)


@pytest.fixture
def make_integration(manager):
    def make(kind="alertmanager", **fields):
        fields.setdefault("name", f"{kind} source")
        integration, token = services.integration_create(by=manager, kind=kind, **fields)
        integration.token = token
        return integration
    return make


@pytest.fixture
def post_alert(client, django_capture_on_commit_callbacks):
    """POST a payload to an integration's intake URL; the task queued on commit runs
    in-process (unit-test settings run tasks eagerly), as a worker would after the 202."""
    def post(integration_or_token, payload, **extra):
        token = getattr(integration_or_token, "token", integration_or_token)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("integration-intake", args=[token]), payload,
                               content_type="application/json", **extra)
    return post
