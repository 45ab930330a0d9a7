"""Nasty input for every API operation and page: nothing may answer 500.

The API's operations, their query parameters and their request bodies are read from
the OpenAPI schema (drf-spectacular), so a new endpoint or filter is fuzzed without
anyone remembering to add it. Each parameter and each body field gets, one at a time,
values chosen for its type: NUL characters (PostgreSQL refuses them in text), a
superscript digit (``str.isdigit()`` says yes, ``int()`` says no), numbers too big
for a column, far dates and impossible UTC offsets, durations that overflow date
arithmetic, time zone names that are folders of the zone database.

Used twice: by ``tests/core/test_bad_input.py`` on SQLite and by
``tests/integration/test_bad_input_postgres.py`` on PostgreSQL, where several of
these only fail there. Every request runs in a savepoint rolled back after it, so
each sees the same objects and one failure does not poison the next request.
"""

import re
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal
from functools import cache
from urllib.parse import quote

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache as django_cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

# --- Values ---------------------------------------------------------------------------

NUL = "\x00"
TEXT = [NUL, f"SEV2{NUL}", "¹", "x" * 300]
NUMBERS = ["¹", "٣", 10**30, -(10**30), 2**63, -1, 1.5, "1e309", "NaN", "Infinity", NUL]
DATETIMES = [
    "2026-01-01T00:00:00+23:00",     # beyond PostgreSQL's ±15:59
    "2026-01-01T00:00:00-15:59",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",     # before the first instant Python can hold in UTC
    "9999-12-31T23:59:59-15:00",     # after the last one
    "9999-12-31T23:59:59Z",
    "1900-01-01T00:00:00Z",
    "2026-13-45T99:99:99Z",
    NUL,
]
DATES = ["0001-01-01", "9999-12-31", "1900-01-01", "2026-02-30", NUL]
DURATIONS = ["P999999999D", "999999999 00:00:00", "-P1D", "P99999D", "PT0S", NUL]
ZONES = ["Europe", "America", "x" * 300, "../../etc/passwd", "", NUL, "UTC\x00"]
ANYTHING = [None, [], {}, {"a": NUL}, [NUL], True]


def values_for(schema: dict, name: str = "") -> list:
    """The nasty values worth sending for a parameter or field of this schema."""
    schema = schema or {}
    if "allOf" in schema or "oneOf" in schema or "anyOf" in schema:
        parts = schema.get("allOf") or schema.get("oneOf") or schema.get("anyOf")
        return [v for part in parts for v in values_for(part, name)] + ANYTHING
    kind, fmt = schema.get("type"), schema.get("format", "")
    found = []
    if "zone" in name:
        found += ZONES
    if fmt == "date-time" or name.endswith(("_at", "_after", "_before")) or name == "start":
        found += DATETIMES
    elif fmt == "date" or name.endswith("date") or name.startswith("date"):
        found += DATES
    elif fmt == "duration" or name in {"duration", "due_offset", "pause_cap"}:
        found += DURATIONS
    if kind in {"integer", "number"}:
        found += NUMBERS
    elif kind == "boolean":
        found += [NUL, "¹", 2]
    elif kind == "array":
        found += [[v] for v in values_for(schema.get("items", {}), name)[:6]]
    elif kind == "object":
        found += [{NUL: NUL}]
    else:
        found += TEXT + NUMBERS[:3]
    return found + ANYTHING


# --- The objects the requests are about -----------------------------------------------


@dataclass
class World:
    """One of everything, so every ``{id}`` in a path names a real object."""

    user: object
    ids: dict
    bodies: dict  # "METHOD /path/{id}/" → a valid body, each field of which is spoiled in turn
    forms: dict   # page URL → valid form data for a POST, spoiled field by field likewise


def build_world():
    """A superuser (every permission: no request stops at a 403 before its input is
    read) and one object of each kind the API addresses."""
    from core.calendars import calendar_save, holiday_save
    from core.models import BusinessCalendar, Holiday, Notification
    from escalations import services as escalations
    from escalations.models import EscalationSlaPolicy, RegulatoryRegime
    from incidents import services as incidents
    from incidents.models import Channel, Severity
    from playbooks import services as playbooks
    from playbooks.models import PlaybookRun
    from tests.factories import TeamFactory, UserFactory

    user = UserFactory(username="fuzzer", is_superuser=True, is_staff=True)
    calendar = calendar_save(
        calendar=BusinessCalendar(name="Fuzz office", time_zone="Europe/London"),
        ranges=[(day, time(9), time(17)) for day in range(5)], by=user, reason="fuzz")
    holiday = holiday_save(holiday=Holiday(calendar=calendar, date=timezone.localdate(),
                                           name="Fuzz day"), by=user, reason="fuzz")
    team = TeamFactory()
    severity = Severity.objects.get(key="SEV2")
    chat = Channel.objects.get(key="chat")

    playbook = playbooks.playbook_create(by=user, name="Fuzz playbook", kind="incident",
                                         slug="fuzz-playbook", purpose="Fuzzing.")
    draft = playbooks.current_draft(playbook)
    playbooks.step_save(version=draft, by=user, title="Check the carrier",
                               due_offset=timedelta(minutes=10), evidence="link")
    rule = playbooks.rule_save(playbook=playbook, by=user, min_severity=severity)
    playbooks.version_publish(version=draft, by=user)
    new_draft = playbooks.version_new_draft(playbook=playbook, by=user)
    manual = playbooks.playbook_create(by=user, name="Manual playbook", kind="incident",
                                       slug="manual-playbook", purpose="Attached by hand.")
    playbooks.step_save(version=playbooks.current_draft(manual), by=user, title="Look")
    playbooks.version_publish(version=playbooks.current_draft(manual), by=user)

    incident = incidents.incident_declare(by=user, title="Chat down", severity=severity,
                                          channels=[chat])
    incident = incidents.incident_triage(incident=incident, by=user, commander=user)
    item = incidents.action_item_create(incident=incident, by=user, kind="corrective",
                                        title="Alert on certificates", owner=user,
                                        due_date=timezone.localdate() + timedelta(days=7))
    other_incident = incidents.incident_declare(by=user, title="Voice down")
    run = PlaybookRun.objects.of(incident).first()
    step_run = run.steps.first()

    customer = escalations.customer_create(by=user, name="Harriet Okafor",
                                           account_reference="ACC-1", tier="vip",
                                           annual_value=Decimal("1000.00"))
    policy = EscalationSlaPolicy.objects.create(
        name="Fuzz policy", order=1, first_response=timedelta(hours=1),
        containment=timedelta(hours=4), resolution=timedelta(days=2), calendar=calendar)
    regime = RegulatoryRegime.objects.order_by("pk").first()
    escalation = escalations.escalation_create(
        by=user, customer=customer, category="complaint", priority="P2",
        summary="Billed twice", owner=user, regulatory_regime=regime)
    escalations.escalation_link_incident(escalation=escalation, incident=incident, by=user)
    notification = Notification.objects.create(recipient=user, title="Fuzz", body="", url="/")
    from core.models import SlaClock

    clock = SlaClock.objects.filter(
        content_type=ContentType.objects.get_for_model(incident), object_id=incident.pk).first()
    ids = {
        "calendars": calendar.pk, "holidays": holiday.pk, "teams": team.pk,
        "users": user.pk, "severities": severity.key, "channels": chat.key,
        "incidents": incident.pk, "action-items": item.pk, "clocks": clock.pk,
        "notifications": notification.pk, "customers": customer.pk,
        "escalations": escalation.pk, "escalation-policies": policy.pk,
        "regulatory-regimes": regime.pk, "playbooks": playbook.pk,
        "playbook-versions": new_draft.pk, "playbook-steps": new_draft.steps.first().pk,
        "playbook-runs": run.pk,
        "step-runs": step_run.pk, "rules": rule.pk, "test-tickets": 1,
    }
    now = timezone.now()
    hours = [{"weekday": 0, "start": "09:00", "end": "17:00"}]
    bodies = {
        "POST /api/calendars/{id}/preview/": {"start": now.isoformat(), "duration": "PT2H"},
        "POST /api/calendars/": {"name": "New", "time_zone": "UTC", "working_hours": hours},
        "PUT /api/calendars/{id}/": {"name": calendar.name, "time_zone": "UTC",
                                     "working_hours": hours},
        "POST /api/calendars/{id}/generate-holidays/": {"country": "GB", "year_from": 2026,
                                                        "year_to": 2026},
        "POST /api/holidays/": {"calendar": calendar.pk, "date": "2026-12-24",
                                "name": "Christmas Eve", "closed_from": "13:00"},
        "PUT /api/holidays/{id}/": {"calendar": calendar.pk, "date": "2026-12-24",
                                    "name": "Christmas Eve"},
        "POST /api/incidents/": {"title": "Voice down", "severity": "SEV2",
                                 "channels": ["chat"], "commander": user.pk},
        "POST /api/incidents/{id}/correct-timestamp/": {
            "field": "declared_at", "value": (incident.declared_at - timedelta(hours=1))
            .isoformat(), "reason": "It began earlier."},
        "POST /api/incidents/{id}/action-items/": {
            "kind": "corrective", "title": "Fix", "owner": user.pk,
            "due_date": (now + timedelta(days=3)).date().isoformat()},
        "PATCH /api/action-items/{id}/": {"due_date": (now + timedelta(days=3)).date()
                                          .isoformat(), "owner": user.pk},
        "POST /api/incidents/{id}/severity/": {"severity": "SEV1", "reason": "Worse"},
        "POST /api/incidents/{id}/escalations/": {"escalations": [escalation.pk]},
        "POST /api/escalations/": {
            "customer": customer.pk, "summary": "Cut off", "category": "complaint",
            "priority": "P2", "owner": user.pk, "regulatory_regime": regime.code,
            "received_at": (now - timedelta(hours=2)).isoformat(), "channel": "chat",
            "team": team.slug},
        "POST /api/escalations/{id}/link-incident/": {"incident": other_incident.reference},
        "POST /api/escalations/{id}/unlink-incident/": {"incident": incident.reference},
        "POST /api/escalations/{id}/offer-compensation/": {"amount": "20.00", "note": "Sorry"},
        "POST /api/escalation-policies/": {
            "name": "New policy", "order": 5, "first_response": "PT1H",
            "resolution": "P2D", "calendar": calendar.pk, "pause_cap": "PT2H"},
        "POST /api/regulatory-regimes/": {
            "name": "New regime", "code": "new-regime", "final_response_days": 15,
            "counting": "business_days", "calendar": calendar.pk},
        "POST /api/playbooks/{id}/rules/": {"min_severity": "SEV2", "channel": "chat",
                                            "min_priority": "P2"},
        "POST /api/playbook-versions/{id}/steps/": {"title": "Call", "due_offset": "PT15M"},
        "PATCH /api/playbook-steps/{id}/": {"title": "Call", "due_offset": "PT15M"},
        "POST /api/playbook-runs/": {"playbook": manual.pk, "incident": incident.pk},
        "POST /api/step-runs/{id}/complete/": {"link": "https://example.com/ticket"},
        "POST /api/teams/": {"name": "New team", "slug": "new-team"},
        "POST /api/customers/": {"name": "Ann", "account_reference": "ACC-2",
                                 "tier": "standard"},
    }
    local = timezone.localtime(now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    due = (now + timedelta(days=3)).date().isoformat()
    forms = {
        "/escalations/new/": {
            "customer": customer.pk, "summary": "Cut off", "category": "complaint",
            "priority": "P2", "owner": user.pk, "regulatory_regime": regime.pk,
            "received_at": local},
        f"/escalations/{escalation.pk}/actions/link/": {"incident": other_incident.reference},
        f"/escalations/{escalation.pk}/actions/edit/": {"summary": "Cut off twice",
                                                        "owner": user.pk},
        f"/escalations/{escalation.pk}/actions/compensation/": {"amount": "20", "note": "x"},
        f"/escalations/incidents/{incident.pk}/link/": {"escalations": [escalation.pk]},
        "/incidents/declare/": {"title": "Voice down", "severity": severity.pk,
                                "priority": "P2", "channels": [chat.pk],
                                "commander": user.pk},
        f"/incidents/{incident.pk}/action-items/": {
            "kind": "corrective", "title": "Fix", "owner": user.pk, "due_date": due},
        f"/incidents/{incident.pk}/action-items/{item.pk}/": {"owner": user.pk,
                                                              "due_date": due},
        f"/incidents/{incident.pk}/roles/": {"role": "scribe", "user": user.pk},
        f"/incidents/{incident.pk}/severity/": {"severity": severity.pk, "reason": "x"},
        f"/playbooks/{playbook.pk}/actions/add-step/": {"title": "Call", "due_minutes": 15,
                                                        "evidence": "none"},
        f"/playbooks/{playbook.pk}/actions/add-rule/": {"min_severity": severity.pk,
                                                        "channel": chat.pk},
        f"/playbooks/{playbook.pk}/actions/move-step/{new_draft.steps.first().pk}/": {
            "position": 1},
    }
    world = World(user=user, ids=ids, bodies=bodies, forms=forms)
    # Each app's tests add their own objects (tests/<app>/fuzz_world.py: extend(world)),
    # so a new app's endpoints are fuzzed without editing this file.
    for module in _app_world_modules():
        module.extend(world)
    return world


def _app_world_modules():
    import importlib
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    for path in sorted(tests.glob("*/fuzz_world.py")):
        yield importlib.import_module(f"tests.{path.parent.name}.fuzz_world")


# --- The operations --------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str             # with {placeholders}
    query: tuple           # (name, schema) of each query parameter
    body: tuple            # (name, schema) of each request body field

    def __str__(self):
        return f"{self.method} {self.path}"


@cache
def api_operations() -> tuple[Operation, ...]:
    """Every operation of the API schema, with its query parameters and body fields."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})

    def resolve(node):
        while isinstance(node, dict) and "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[1]]
        return node or {}

    found = []
    for path, methods in schema["paths"].items():
        if "test-tickets" in path or path.endswith(("/schema/", "/token/")):
            continue  # the test-only app; the login endpoint is throttled on purpose
        for method, spec in methods.items():
            query = tuple((p["name"], resolve(p.get("schema"))) for p in spec.get("parameters", [])
                          if p["in"] == "query")
            body = ()
            content = (spec.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                fields = resolve(content["application/json"]["schema"]).get("properties", {})
                body = tuple((name, resolve(field)) for name, field in fields.items())
            found.append(Operation(method.upper(), path, query, body))
    return tuple(found)


PATH_PARAMETER = re.compile(r"\{[^}]+\}")
PATH_VALUES = [NUL, f"SEV2{NUL}", "¹", str(10**30), "-1", "x" * 300]


def concrete_path(path: str, ids: dict) -> str:
    """``/api/incidents/{id}/`` → ``/api/incidents/12/``, the id of the world's object."""
    parts = path.strip("/").split("/")
    out = []
    for index, part in enumerate(parts):
        if part.startswith("{"):
            name = part.strip("{}")
            resource = "rules" if name == "rule_id" else parts[index - 1]
            part = str(ids[resource])
        out.append(part)
    # Kept as the route has it: PagerDuty's own path (…/v2/enqueue) has no slash.
    return "/" + "/".join(out) + ("/" if path.endswith("/") else "")


# --- Sending them -----------------------------------------------------------------------


def fuzz_client(user) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def send(client, method, url, body=None, **extra):
    """One request in a savepoint rolled back after it. Returns (status, error), the
    error being the exception a 500 came from."""
    django_cache.clear()  # throttling counts live in the cache: thousands of requests here
    savepoint = transaction.savepoint()
    try:
        call = getattr(client, method.lower())
        if body is None:
            response = call(url, **extra)
        else:
            response = call(url, body, content_type="application/json", **extra)
        return response.status_code, ""
    except Exception as exc:  # noqa: BLE001 - reported as the 500 it would have been
        return 500, f"{type(exc).__name__}: {str(exc)[:160]}"
    finally:
        transaction.savepoint_rollback(savepoint)


def fuzz_operation(client, operation: Operation, world: World) -> list[str]:
    """Every nasty value in every query parameter and body field of ``operation``
    (the other fields valid where the world has a valid body for it); returns a line
    for each request that ended in a 500."""
    ids = world.ids
    base = world.bodies.get(str(operation), {})
    url = concrete_path(operation.path, ids)
    failures = []
    for placeholder in PATH_PARAMETER.findall(operation.path):
        for value in PATH_VALUES:
            bad_url = concrete_path(operation.path.replace(placeholder, quote(value, safe="")),
                                    ids)
            status, error = send(client, operation.method, bad_url, base if operation.body
                                 else None)
            if status >= 500:
                failures.append(f"{operation} with {placeholder}={value!r}: {error}")
    for name, schema in operation.query:
        for value in values_for(schema, name):
            if isinstance(value, list | dict) or value is None:
                continue
            status, error = send(client, "GET" if operation.method == "GET" else operation.method,
                                 f"{url}?{quote(name)}={quote(str(value))}")
            if status >= 500:
                failures.append(f"{operation} ?{name}={value!r}: {error}")
    for name, schema in operation.body:
        for value in values_for(schema, name):
            status, error = send(client, operation.method, url, {**base, name: value})
            if status >= 500:
                failures.append(f"{operation} {{{name!r}: {value!r}}}: {error}"[:400])
    return failures


# --- Pages ------------------------------------------------------------------------------

# Pages and the query parameters their filter forms read.
PAGES = {
    "/": [],
    "/my-work/": ["page"],
    "/calendars/": [],
    "/calendars/{calendars}/": ["start", "hours"],
    "/incidents/": ["state", "severity", "channel", "commander", "declared_from",
                    "declared_to", "sort", "page"],
    "/incidents/declare/": ["title", "customer_impact", "channel"],
    "/incidents/action-items/mine/": ["state", "page", "sort", "overdue"],
    "/incidents/{incidents}/": [],
    "/escalations/": ["state", "category", "priority", "tier", "channel", "customer_tier",
                      "owner", "breached", "regulatory", "mine", "sort", "page"],
    "/escalations/{escalations}/": [],
    "/escalations/customers/": ["q", "tier", "page"],
    "/escalations/customers/{customers}/": [],
    "/playbooks/": ["kind", "q", "page"],
    "/playbooks/{playbooks}/": ["from", "to", "version"],
}
# Fewer values than for the API: a page renders in full for each request.
PAGE_VALUES = [NUL, "¹", str(10**30), "-1", "x" * 300, "Europe", "0001-01-01", "9999-12-31",
               "0001-01-01T00:00", "2026-01-01T00:00:00+23:00", "P999999999D"]


def fuzz_pages(client, ids) -> list[str]:
    failures = []
    for path, params in PAGES.items():
        url = path.format(**ids)
        for name in params:
            for value in PAGE_VALUES:
                status, error = send(client, "GET", f"{url}?{name}={quote(str(value))}")
                if status >= 500:
                    failures.append(f"GET {url}?{name}={value!r}: {error}")
    return failures


def fuzz_forms(client, world: World) -> list[str]:
    """Every nasty value in every field of the web forms, the other fields valid."""
    failures = []
    for url, data in world.forms.items():
        for name in data:
            for value in PAGE_VALUES:
                savepoint_data = {**data, name: value}
                status, error = send_form(client, url, savepoint_data)
                if status >= 500:
                    failures.append(f"POST {url} {name}={value!r}: {error}")
    return failures


def send_form(client, url, data):
    """``send`` for a form POST (``multipart/form-data``, as browsers send files)."""
    django_cache.clear()
    savepoint = transaction.savepoint()
    try:
        return client.post(url, data).status_code, ""
    except Exception as exc:  # noqa: BLE001 - reported as the 500 it would have been
        return 500, f"{type(exc).__name__}: {str(exc)[:160]}"
    finally:
        transaction.savepoint_rollback(savepoint)
