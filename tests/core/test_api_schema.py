"""The OpenAPI document says what the API answers (core/api/schema.py).

These pin the generic rules down one by one; tests/core/test_schema_conformance.py
checks the whole document against the live API for every role.
"""

import json

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


@pytest.fixture(scope="module")
def document():
    generator = SchemaGenerator(urlconf="config.urls")
    schema = generator.get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


def statuses(document, method, path):
    return sorted(int(code) for code in document["paths"][path][method]["responses"])


def component(document, name):
    return document["components"]["schemas"][name]


def test_the_schema_validates_without_warnings(tmp_path):
    # What `make` and CI would see: a warning is a place the schema guesses.
    call_command("spectacular", "--validate", "--fail-on-warn", "--urlconf", "config.urls",
                 "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.0.3")


@pytest.mark.parametrize(("method", "path", "expected"), [
    # Reads of one object: no input, so no 400.
    ("get", "/api/incidents/{id}/", [200, 403, 404, 429]),
    # Lists take filters (400) and pages (404 past the end).
    ("get", "/api/incidents/", [200, 400, 403, 404, 429]),
    # Creates read a body (413 too large, 415 in a media type they do not read).
    ("post", "/api/teams/", [201, 400, 403, 413, 415, 429]),
    # Transitions: a requirement missing (400), not allowed from this state (409).
    ("post", "/api/incidents/{id}/close/", [200, 400, 403, 404, 409, 429]),
    ("post", "/api/incidents/{id}/resolve/", [200, 400, 403, 404, 409, 413, 415, 429]),
    # A delete may find the object still in use.
    ("delete", "/api/teams/{id}/", [204, 400, 403, 404, 409, 429]),
    # Bad credentials and sign-in throttling on the token exchange.
    ("post", "/api/auth/token/", [200, 400, 403, 413, 415, 429]),
    # Open to load balancers, no throttling; a token that is sent must be valid (403).
    ("get", "/api/health/", [200, 403, 503]),
])
def test_each_operation_documents_the_errors_it_can_answer(document, method, path, expected):
    assert statuses(document, method, path) == expected


def test_every_error_answers_the_one_error_body(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if int(code) >= 400 and code != "503":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ApiError"}, (method, path)


def test_a_nullable_foreign_key_is_nullable_however_the_field_is_declared(document):
    escalation = component(document, "Escalation")["properties"]
    assert escalation["channel"]["nullable"] is True  # SlugRelatedField, no allow_null
    incident = component(document, "Incident")["properties"]
    assert incident["commander"]["nullable"] is True  # nested serializer


def test_a_blank_choice_or_url_admits_the_empty_string(document):
    previous_state = component(document, "Escalation")["properties"]["previous_state"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in previous_state["oneOf"]
    link = component(document, "StepRun")["properties"]["link"]
    assert {"type": "string", "maxLength": 0} in link["oneOf"]


def test_only_list_actions_are_filtered_and_paginated(document):
    page = document["paths"]["/api/incidents/"]["get"]["responses"]["200"]
    assert page["content"]["application/json"]["schema"]["$ref"] == \
        "#/components/schemas/PaginatedIncidentList"
    timeline = document["paths"]["/api/incidents/{id}/timeline/"]["get"]
    assert timeline["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array", "items": {"$ref": "#/components/schemas/TimelineEvent"}}
    # Nor does it filter: the incidents' filters are no timeline filters.
    assert [parameter["name"] for parameter in timeline["parameters"]] == ["id"]


def test_hours_and_minutes_are_not_called_rfc_3339_times(document):
    start = component(document, "WorkingHours")["properties"]["start"]
    assert start == {"type": "string", "pattern": r"^\d{2}:\d{2}$"}


def test_fields_some_roles_do_not_see_are_not_required(document):
    required = component(document, "Escalation")["required"]
    assert "compensation_approved" not in required
    assert "summary" in required
