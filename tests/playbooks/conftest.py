from datetime import timedelta

import pytest

from core.choices import Role
from incidents.models import Channel, Severity
from playbooks import services
from playbooks.models import Playbook


@pytest.fixture
def responder(make_user):
    return make_user(Role.INCIDENT_RESPONDER, username="rosa")


@pytest.fixture
def lead(make_user):
    return make_user(Role.ESCALATION_LEAD, username="elena")


@pytest.fixture
def severity():
    return {s.key: s for s in Severity.objects.all()}


@pytest.fixture
def channel():
    return {c.key: c for c in Channel.objects.all()}


@pytest.fixture
def make_playbook(manager):
    """A published incident playbook with the given steps and rules."""

    def make(name="Carrier outage", kind="incident", steps=None, rules=(), publish=True):
        playbook = services.playbook_create(by=manager, name=name, kind=kind, slug=name.lower()
                                            .replace(" ", "-"), purpose=f"When {name}.")
        draft = services.current_draft(playbook)
        for fields in steps if steps is not None else [
                {"title": "Open a P1 ticket with the carrier", "due_offset": timedelta(minutes=10),
                 "evidence": "link", "responsible_role": Role.INCIDENT_RESPONDER},
                {"title": "Enable the IVR outage message", "due_offset": timedelta(minutes=15)},
                {"title": "Brief agents", "required": False}]:
            services.step_save(version=draft, by=manager, **fields)
        for rule in rules:
            services.rule_save(playbook=playbook, by=manager, **rule)
        if publish:
            services.version_publish(version=draft, by=manager)
        return Playbook.objects.get(pk=playbook.pk)

    return make


@pytest.fixture
def customer(manager):
    from decimal import Decimal

    from escalations import services as escalation_services

    return escalation_services.customer_create(
        by=manager, name="Harriet Okafor", account_reference="ACC-104200", tier="vip",
        annual_value=Decimal("84000.00"))
