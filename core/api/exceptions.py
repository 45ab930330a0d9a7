"""One error body for the whole API.

Every error answers::

    {"status": 409, "code": "transition_not_allowed", "detail": "human sentence",
     "errors": {"field": ["message", ...]}, ...extra}

``errors`` is always present (empty when no field is at fault). Extra keys appear
only where they help the caller act: ``allowed_transitions`` and ``current_state``
on a refused transition, ``retry_after`` on throttling.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django_fsm import ConcurrentTransition
from django_fsm import TransitionNotAllowed as FsmTransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ConcurrentChange, DomainError


def error_body(*, status_code, code, detail, errors=None, **extra):
    return {"status": status_code, "code": code, "detail": detail, "errors": errors or {}, **extra}


def _flatten(detail):
    """DRF error details → plain {field: [str]} (nested serializers keep nesting)."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [str(item) for item in detail]
        return [_flatten(item) for item in detail]
    return [str(detail)]


def _validation_response(errors, detail=None):
    errors = _flatten(errors)
    if isinstance(errors, list):
        errors = {"non_field_errors": errors}
    if "__all__" in errors:  # a model's clean() about the whole object
        errors = {"non_field_errors": errors.pop("__all__"), **errors}
    if detail is None:
        fields = ", ".join(sorted(k for k in errors if k != "non_field_errors"))
        detail = f"Invalid input: {fields}." if fields else "Invalid input."
        if not fields and errors.get("non_field_errors"):
            detail = str(errors["non_field_errors"][0])
    body = error_body(status_code=400, code="invalid", detail=detail, errors=errors)
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    """DRF ``EXCEPTION_HANDLER``: map domain and framework errors to one body shape."""
    if isinstance(exc, DomainError):
        body = error_body(
            status_code=exc.status,
            code=exc.code,
            detail=exc.message,
            errors={k: list(v) for k, v in exc.errors.items()},
            **exc.extra(),
        )
        return Response(body, status=exc.status)
    if isinstance(exc, ConcurrentTransition):
        return exception_handler(ConcurrentChange(), context)
    if isinstance(exc, FsmTransitionNotAllowed):
        # A transition called without going through a service: still a clean 409.
        body = error_body(status_code=409, code="transition_not_allowed", detail=str(exc))
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return _validation_response(as_serializer_error(exc))
    if isinstance(exc, ProtectedError):
        body = error_body(
            status_code=409,
            code="protected",
            detail="This object is still referenced by others and cannot be deleted.",
        )
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling (logged, JSON body)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc.detail)

    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    extra = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra["retry_after"] = int(exc.wait)
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    response.data = error_body(
        status_code=response.status_code,
        code=code if isinstance(code, str) else "error",
        detail=str(detail),
        **extra,
    )
    return response
