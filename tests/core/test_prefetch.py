"""``prefetch_foreign_keys``: several foreign keys to one table in one query."""

import pytest

from core.choices import Role
from core.prefetch import prefetch_foreign_keys
from incidents.models import Incident
from incidents.services import incident_declare

pytestmark = pytest.mark.django_db


def test_people_of_many_incidents_in_one_query(manager, make_user,
                                               django_assert_num_queries):
    responder = make_user(Role.INCIDENT_RESPONDER)
    incident_declare(by=manager, title="Carrier outage", commander=responder)
    incident_declare(by=manager, title="IVR down")
    incidents = list(Incident.objects.order_by("pk"))
    with django_assert_num_queries(1):
        prefetch_foreign_keys(incidents, "declared_by", "commander", "scribe")
    with django_assert_num_queries(0):
        people = [(i.declared_by, i.commander, i.scribe) for i in incidents]
    assert people[0] == (manager, responder, None)
    assert people[1][1] is None


def test_nothing_to_read_reads_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert prefetch_foreign_keys([], "commander") == []


def test_keys_to_different_tables_are_refused(manager):
    incident = incident_declare(by=manager, title="Chat down")
    with pytest.raises(ValueError, match="more than one model"):
        prefetch_foreign_keys([incident], "commander", "severity")
