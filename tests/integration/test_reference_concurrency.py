"""Twenty people declare at the same moment on PostgreSQL: twenty distinct references.

References come from a counter row locked in the declaring transaction
(``core.references``), so concurrent declarations queue on it instead of racing to
"highest existing + 1" (which answered 500 after five collisions).
"""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.choices import Role
from escalations.choices import EscalationCategory, EscalationPriority
from escalations.models import Customer, Escalation
from escalations.services import escalation_create
from incidents.models import Incident, Severity
from tests.integration.test_incident_concurrency import run_together

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CONCURRENT = 20


def test_concurrent_declarations_through_the_api_get_distinct_references(make_user):
    assert connection.vendor == "postgresql"
    responders = [make_user(Role.INCIDENT_RESPONDER, username=f"r{n}") for n in range(CONCURRENT)]
    sev3 = Severity.objects.get(key="SEV3").key

    def declare(user, n):
        def call():
            client = APIClient()
            client.force_authenticate(user)
            return client.post("/api/incidents/", {"title": f"Chat slow #{n}", "severity": sev3},
                               format="json")
        return call

    responses = run_together(*(declare(user, n) for n, user in enumerate(responders)))

    assert [getattr(r, "status_code", r) for r in responses] == [201] * CONCURRENT
    references = sorted(r.json()["reference"] for r in responses)
    year = references[0].split("-")[1]
    assert references == [f"INC-{year}-{n:04d}" for n in range(1, CONCURRENT + 1)]
    assert Incident.objects.count() == CONCURRENT


def test_concurrent_escalations_get_distinct_references(make_user):
    lead = make_user(Role.ESCALATION_LEAD, username="lead")
    customer = Customer.objects.create(name="Kestrel Ltd", account_reference="ACC-1")

    def open_one(n):
        return lambda: escalation_create(
            by=lead, customer=customer, category=EscalationCategory.COMPLAINT,
            priority=EscalationPriority.P3, summary=f"Dropped call #{n}").reference

    references = run_together(*(open_one(n) for n in range(CONCURRENT)))

    assert all(isinstance(r, str) for r in references), references
    assert len(set(references)) == CONCURRENT
    assert Escalation.objects.count() == CONCURRENT
