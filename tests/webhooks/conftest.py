import pytest

from core.choices import Role
from incidents.models import Severity
from integrations.webhooks import services
from tests.webhooks.receiver import start_receiver


@pytest.fixture
def receiver():
    receiver = start_receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def responder(make_user):
    return make_user(Role.INCIDENT_RESPONDER, username="ravi")


@pytest.fixture
def sev2(db):
    return Severity.objects.get(key="SEV2")


@pytest.fixture
def subscribe(manager, receiver):
    """A subscription to ``receiver`` (a private address, allowed) for the events."""

    def make(*event_types, **kwargs):
        values = {"name": "Service desk", "url": receiver.url,
                  "event_types": list(event_types) or ["incident.declared"],
                  "allow_private_addresses": True}
        values.update(kwargs)
        return services.subscription_create(by=manager, **values)

    return make


@pytest.fixture
def declare(responder, sev2):
    from incidents.services import incident_declare

    def make(title="IVR not answering", **kwargs):
        return incident_declare(by=responder, title=title, severity=sev2, **kwargs)

    return make
