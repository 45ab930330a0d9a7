"""Pieces every API viewset shares: the schema generator, the documented error responses
and input parsing.

``SwitchboardAutoSchema`` (``DEFAULT_SCHEMA_CLASS``) makes the OpenAPI schema say what
the API really answers, once for every view instead of per-view decorators:

* the error responses each operation can give, with the one error body
  (``core/api/exceptions.py``): 400 where it takes input or writes, 403, 404 on an
  object or a page, 409 on delete, 415 where it reads a body, 429 where throttled;
  transition actions add their own 409 (``TRANSITION_ERRORS``);
* a field that can be null (a nullable column, or one reached through a nullable
  foreign key) is ``nullable`` in responses, and a text or choice column that may be
  blank admits ``""``, even where the serializer declares the field read-only (DRF then
  drops ``allow_blank``) or declares it by hand without ``allow_null``;
* only ``list`` actions take filters and pages (DRF filters and paginates nowhere
  else: other actions that answer many objects answer a plain array);
* a time rendered with a custom format is documented as that format, not as RFC 3339;
* fields a serializer shows only to some roles are not ``required``.

The schema is checked against the live API for every role by
``tests/core/test_schema_conformance.py`` (schemathesis).
"""

import re
from contextlib import contextmanager

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import ISO_8601, permissions, serializers
from rest_framework.settings import api_settings


class ApiErrorSerializer(serializers.Serializer):
    """The one error body of the API (see core/api/exceptions.py)."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        help_text="Field name → list of messages (`non_field_errors` for the whole "
                  "input); a nested input's errors nest the same way. Empty when no "
                  "field is at fault.")
    transition = serializers.CharField(required=False)
    current_state = serializers.CharField(required=False)
    allowed_transitions = serializers.ListField(child=serializers.CharField(), required=False)
    retry_after = serializers.IntegerField(
        required=False, help_text="On 429: seconds to wait before trying again.")


# Transition actions declare it: ``responses={200: ..., **TRANSITION_ERRORS}``. The other
# error statuses follow from how a view is built (``SwitchboardAutoSchema``).
TRANSITION_ERRORS = {
    409: OpenApiResponse(ApiErrorSerializer, description="Not allowed from the current "
                         "state (`allowed_transitions` lists what is), or changed by "
                         "someone else meanwhile (reload and retry)."),
}

# What each error status means, for operations that did not describe it themselves.
ERROR_DESCRIPTIONS = {
    400: "Invalid input or a missing requirement; `errors` names the fields.",
    403: "Not signed in (`not_authenticated`, or a bad token), or not allowed for your "
         "role.",
    404: "No such object (or no such page of a list).",
    409: "Still in use by other records, so it cannot be deleted.",
    413: "The body is larger than the server reads (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB "
         "by default; files sent as multipart/form-data are not counted): send less.",
    415: "The body is in a media type this operation does not read.",
    429: "Too many requests (or failed sign-ins): `retry_after` says how many seconds "
         "to wait.",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# strftime directives → what they render, for times with a custom output format.
_STRFTIME_PATTERNS = {"%H": r"\d{2}", "%M": r"\d{2}", "%S": r"\d{2}"}


def _model_field_path(field):
    """The model fields a serializer field's ``source`` walks through, or ``[]`` when it
    is not (only) made of columns (a method, a property, a reverse relation,
    ``source="*"``)."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    path = []
    for attr in getattr(field, "source_attrs", None) or []:
        if model is None:
            return []
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return []
        if not model_field.concrete:  # a reverse relation: many objects, never null
            return []
        path.append(model_field)
        model = model_field.related_model if model_field.is_relation else None
    return path


def _can_answer(field):
    """``allow_null``/``allow_blank`` a response field needs to describe what it renders:
    a null anywhere along its source renders null (DRF's ``to_representation``), and a
    blank text column renders ``""`` however the field was declared."""
    path = _model_field_path(field)
    honest = {}
    if path and not field.allow_null and any(model_field.null for model_field in path):
        honest["allow_null"] = True
    if (path and path[-1].blank
            and isinstance(path[-1], models.CharField | models.TextField)
            and getattr(field, "allow_blank", True) is False):
        honest["allow_blank"] = True
    return honest


@contextmanager
def _honest_about_null_and_blank(fields):
    """Describe response fields with the flags they need, then put the fields back as
    they were (the same instances may describe a request next)."""
    saved = []
    for field in fields:
        for name, value in _can_answer(field).items():
            saved.append((field, name, getattr(field, name)))
            setattr(field, name, value)
    try:
        yield
    finally:
        for field, name, value in saved:
            setattr(field, name, value)


class SwitchboardAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, made to describe what our API really answers."""

    # --- Responses ----------------------------------------------------------------

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_statuses(operation):
            responses.setdefault(str(code), None)
        for code, response in list(responses.items()):
            # Every error answers the one error body, whether or not a view's decorator
            # described it (some gave only a description).
            if int(code) >= 400 and (response is None or "content" not in response):
                description = (response or {}).get("description") or \
                    ERROR_DESCRIPTIONS.get(int(code), "")
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ApiErrorSerializer, description=description), code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation):
        """The error statuses this operation can answer, from how its view is built."""
        view = self.view
        parameters = operation.get("parameters", [])
        takes_input = "requestBody" in operation or any(p["in"] == "query" for p in parameters)
        on_an_object = any(p["in"] == "path" for p in parameters)
        statuses = set()
        if takes_input or self.method in UNSAFE_METHODS:
            # Input validation, and refusals naming what is missing (a transition's
            # requirement, a published version that cannot change…).
            statuses.add(400)
        open_to_all = all(issubclass(permission, permissions.AllowAny)
                          for permission in view.permission_classes)
        if view.authentication_classes or not open_to_all:
            # Anonymous callers and bad credentials get 403 (not 401: session
            # authentication comes first, and it sends no WWW-Authenticate challenge).
            statuses.add(403)
        paginated = (self.method == "GET" and self._is_list_view()
                     and self._get_paginator() is not None)
        if on_an_object or paginated:
            statuses.add(404)  # no such object, or a page past the end
        if "requestBody" in operation:
            statuses.add(413)  # any body can be over the size the server reads
            statuses.add(415)  # a body in a media type the operation does not read
        if self.method == "DELETE":
            statuses.add(409)  # still referenced (ProtectedError) or in use
        if view.throttle_classes:
            statuses.add(429)
        return statuses

    def _answers_a_list_page(self):
        # DRF filters and paginates in ``list`` only. Other actions answering many
        # objects (timeline, notes, status updates…) answer a plain array of what
        # belongs to their object, whatever the query string says.
        return getattr(self.view, "action", "list") == "list"

    def _get_paginator(self):
        return super()._get_paginator() if self._answers_a_list_page() else None

    def get_filter_backends(self):
        return super().get_filter_backends() if self._answers_a_list_page() else []

    # --- Fields -------------------------------------------------------------------

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (direction == "response" and isinstance(field, serializers.TimeField)
                and schema is not None):
            self._time_format(field, schema)
        return schema

    @staticmethod
    def _time_format(field, schema):
        """A time with a custom output format ("%H:%M") is no RFC 3339 ``time``."""
        output_format = getattr(field, "format", None) or api_settings.TIME_FORMAT
        if output_format in (None, ISO_8601) or schema.get("format") != "time":
            return
        del schema["format"]
        pattern = re.escape(output_format)
        for directive, regex in _STRFTIME_PATTERNS.items():
            pattern = pattern.replace(re.escape(directive), regex)
        if "%" not in pattern:
            schema["pattern"] = f"^{pattern}$"

    def _map_basic_serializer(self, serializer, direction):
        if direction == "response":
            with _honest_about_null_and_blank(serializer.fields.values()):
                schema = super()._map_basic_serializer(serializer, direction)
        else:
            schema = super()._map_basic_serializer(serializer, direction)
        # Fields a serializer leaves out of the body for some readers (``Meta.
        # fields_shown_by_role``, e.g. compensation) may be absent: not required.
        conditional = set(getattr(getattr(serializer, "Meta", None), "fields_shown_by_role", ()))
        if conditional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in conditional]
            if not schema["required"]:
                del schema["required"]
        return schema


def validated_input(view, serializer_class, **kwargs):
    """Validate the request body with an action's own input serializer."""
    serializer = serializer_class(data=view.request.data,
                                  context=view.get_serializer_context(), **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
