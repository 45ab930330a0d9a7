"""The OpenAPI schema describes what the API really answers, for every role.

Clients generate code from /api/schema/, so a field the schema calls non-null that
comes back null, an undocumented status code or a list that is not the documented
page breaks them. Schemathesis generates requests for every operation from the schema
itself (valid and invalid input) and checks each answer against it: no 5xx, the status
code, content type, headers and body are the documented ones.

One test per operation and role (and anonymous): the same operation answers each role
differently (403 for one, a 200 with fewer fields for another). Requests go in-process
to the WSGI application, so the test database and its rollback apply. Every test
starts from the same seeded data, and generated ids are steered onto seeded objects
often enough that object reads, edits and transitions are reached, not only 404s.

Bounded and reproducible: a few examples per test, derandomized. The schema's own
rules are pinned down one by one in tests/core/test_api_schema.py.
"""

import json
from datetime import timedelta

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from core.choices import Role
from tests.factories import ANONYMOUS, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [*Role.values, ANONYMOUS]

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]


def openapi_document():
    """The document /api/schema/ serves (the project's URLs, not the test app's)."""
    generator = SchemaGenerator(urlconf="config.urls")
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None,
                                                                         public=True)))


def seed():
    """A few of everything, so object pages and transitions have something to act on.

    Returns {"segment:parameter": [values]}, e.g. {"incidents:id": [1, 2, 3]}, to steer
    generated path parameters onto real objects."""
    from core.models import BusinessCalendar, Holiday, Notification, SlaClock, Team
    from escalations import services as escalation_services
    from escalations.models import Customer, Escalation, EscalationSlaPolicy, RegulatoryRegime
    from incidents import services as incident_services
    from incidents.models import ActionItem, Channel, Incident, Severity
    from playbooks import services as playbook_services
    from playbooks.models import (
        AttachRule,
        Playbook,
        PlaybookRun,
        PlaybookStep,
        PlaybookVersion,
        StepRun,
    )

    manager = UserFactory(roles=[Role.MANAGER], username="seed-manager", is_staff=True)
    responder = UserFactory(roles=[Role.INCIDENT_RESPONDER], username="seed-responder")
    lead = UserFactory(roles=[Role.ESCALATION_LEAD], username="seed-lead")
    sev2 = Severity.objects.get(key="SEV2")
    chat = Channel.objects.get(key="chat")

    playbook = playbook_services.playbook_create(
        by=manager, name="Chat outage", kind="incident", slug="chat-outage",
        purpose="When chat is down.")
    draft = playbook_services.current_draft(playbook)
    playbook_services.step_save(version=draft, by=manager, title="Open a ticket",
                                due_offset=timedelta(minutes=10), evidence="link")
    playbook_services.step_save(version=draft, by=manager, title="Brief agents",
                                required=False)
    playbook_services.rule_save(playbook=playbook, by=manager, channel=chat)
    playbook_services.version_publish(version=draft, by=manager)
    playbook_services.version_new_draft(playbook=playbook, by=manager)

    incidents = [
        incident_services.incident_declare(by=responder, title=f"Chat down {n}", severity=sev2,
                                           channels=[chat], summary="Blank chat panel.")
        for n in range(3)
    ]
    triaged = incident_services.incident_triage(incident=incidents[1], by=responder,
                                                commander=responder)
    incident_services.incident_triage(incident=incidents[2], by=responder, commander=responder)
    contained = incident_services.incident_contain(incident=incidents[2], by=responder,
                                                   summary="Failover")
    resolved = incident_services.incident_resolve(incident=contained, by=responder,
                                                  summary="Fixed")
    incident_services.status_update_post(incident=triaged, by=responder, audience="internal",
                                         body="Investigating")
    incident_services.incident_add_note(incident=triaged, by=responder, text="Looking")
    incident_services.postmortem_get_or_create(incident=resolved, by=manager)
    incident_services.action_item_create(incident=resolved, by=manager, kind="corrective",
                                         title="Add a health check", owner=responder)

    escalation_services.policy_save(
        policy=EscalationSlaPolicy(name="VIP complaints", order=10, customer_tier="vip",
                                   first_response=timedelta(hours=1),
                                   resolution=timedelta(days=2)), by=manager)
    customer = escalation_services.customer_create(
        by=manager, name="Harriet Okafor", account_reference="ACC-1", tier="vip")
    escalations = [
        escalation_services.escalation_create(by=lead, customer=customer, category="complaint",
                                              priority="P2", summary=f"Billed twice {n}",
                                              owner=lead)
        for n in range(2)
    ]
    escalation_services.escalation_triage(escalation=escalations[1], by=lead)
    escalation_services.escalation_add_note(escalation=escalations[1], by=lead, text="Called")
    escalation_services.escalation_link_incident(escalation=escalations[1], incident=triaged,
                                                 by=responder)
    seeded = {
        "incidents": Incident, "action-items": ActionItem, "escalations": Escalation,
        "customers": Customer, "escalation-policies": EscalationSlaPolicy,
        "regulatory-regimes": RegulatoryRegime, "playbooks": Playbook,
        "playbook-versions": PlaybookVersion, "playbook-steps": PlaybookStep,
        "playbook-runs": PlaybookRun, "step-runs": StepRun, "teams": Team,
        "users": get_user_model(), "calendars": BusinessCalendar, "holidays": Holiday,
        "clocks": SlaClock, "notifications": Notification,
    }
    found = {f"{segment}:id": list(model.objects.order_by("pk").values_list("pk", flat=True))
             for segment, model in seeded.items()}
    found["playbooks:rule_id"] = list(AttachRule.objects.values_list("pk", flat=True))
    found["severities:key"] = list(Severity.objects.values_list("key", flat=True))
    found["channels:key"] = list(Channel.objects.values_list("key", flat=True))
    return found


SEEDED_IDS = {}  # "segment:parameter" -> seeded values, filled by the ``seeded`` fixture
TOKENS = {}  # role -> API token of a user with that role


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the whole module, inside a transaction rolled back at the end: each
    test's own transaction is a savepoint inside it (Django's setUpTestData does the same)."""
    with django_db_blocker.unblock(), transaction.atomic():
        # The callers first, so the seed's paging gives some of them notifications.
        for role in Role.values:
            user = UserFactory(roles=[role], username=f"api-{role}".replace(" ", "-").lower(),
                               is_staff=role == Role.MANAGER)
            TOKENS[role] = Token.objects.create(user=user).key
        SEEDED_IDS.update(seed())
        yield
        transaction.set_rollback(True)
    SEEDED_IDS.clear()
    TOKENS.clear()


@pytest.fixture(autouse=True)
def _keep_the_test_transaction(seeded):
    # Django's WSGI handler closes "old" connections around each request, which would
    # end the test's transaction; its test client disconnects the same receivers.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _generous_throttles(monkeypatch):
    # 429 is documented on every operation, but must not drown the run.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "100000/minute"))


schema = schemathesis.openapi.from_dict(openapi_document())
schema.app = WSGIHandler()
# The coverage phase sends every boundary value of every parameter (hundreds of requests
# per operation); generated examples, bounded by max_examples, keep the run to minutes.
schema.config.phases.update(phases=["examples", "fuzzing"])


@schema.hook
def map_path_parameters(context, path_parameters):
    """Three generated ids in four become a seeded object's (the rest mostly answer 404)."""
    if not isinstance(path_parameters, dict):
        return path_parameters
    segment = context.operation.path.split("/")[2]
    for name, value in path_parameters.items():
        known = SEEDED_IDS.get(f"{segment}:{name}")
        number = value if isinstance(value, int) else len(str(value))
        if known and number % 4 != 3:
            path_parameters[name] = known[number % len(known)]
    return path_parameters


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(max_examples=5, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, role):
    headers = {"Authorization": f"Token {TOKENS[role]}"} if role in TOKENS else {}
    case.call_and_validate(headers=headers, base_url="http://testserver", checks=CHECKS)
