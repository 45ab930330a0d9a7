import pytest

from core.choices import Role
from incidents.models import Channel, Severity
from incidents.services import incident_declare


@pytest.fixture
def responder(make_user):
    return make_user(Role.INCIDENT_RESPONDER, username="ivan", first_name="Ivan",
                     last_name="Petrov")


@pytest.fixture
def sev2(db):
    return Severity.objects.get(key="SEV2")


@pytest.fixture
def sev1(db):
    return Severity.objects.get(key="SEV1")


@pytest.fixture
def chat(db):
    return Channel.objects.get(key="chat")


@pytest.fixture
def declared(responder, sev2, chat):
    return incident_declare(by=responder, title="Chat widget not loading", severity=sev2,
                            channels=[chat], summary="Customers see a blank chat panel.")
