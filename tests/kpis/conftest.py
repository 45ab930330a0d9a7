from datetime import UTC, datetime

import pytest

from core.choices import Role
from kpis import services
from kpis.models import COUNT_FIELDS, IntervalStat


@pytest.fixture
def victor(make_user):
    """A vendor manager (manages queues and imports)."""
    return make_user(Role.VENDOR_MANAGER, username="victor", is_staff=True)


@pytest.fixture
def responder(make_user):
    return make_user(Role.INCIDENT_RESPONDER, username="ivan")


@pytest.fixture
def support(manager):
    return services.queue_create(by=manager, name="Voice support", channel="voice",
                                 site="Leeds", import_name="VS_Support")


@pytest.fixture
def chat(manager):
    return services.queue_create(by=manager, name="Chat", channel="chat", site="Leeds",
                                 abandon_treatment="ignored")


def counts(**values):
    return {name: values.get(name, 0) for name in COUNT_FIELDS}


@pytest.fixture
def add_interval():
    def add(queue, start, length=30, **values):
        return IntervalStat.objects.create(queue=queue, start=start, length_minutes=length,
                                           **counts(**values))

    return add


def at(day, hour=9, minute=0, month=11, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)
