"""The intake endpoints: authenticated by the URL token (or PagerDuty's routing_key),
never by a session, so no CSRF and no sign-in; throttled by nothing but the server
(an alert storm is exactly when they must keep answering).

The request only validates the shape, stores the raw payload and answers 202; the
task does the rest (Grafana OnCall's integration endpoints work the same way).
"""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import ApiErrorSerializer

from ..choices import IntegrationKind
from ..formats import PayloadInvalid
from ..services import (
    IntegrationGone,
    SignatureInvalid,
    intake_accept,
    integration_for_token,
    verify_signature,
)

SIGNATURE_HEADER = "HTTP_X_SWITCHBOARD_SIGNATURE"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"
    default_detail = "This integration is disabled."


class BadSignature(exceptions.APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "bad_signature"


AcceptedSerializer = inline_serializer("IntakeAccepted", {
    "status": serializers.CharField(help_text="Always `success`."),
    "message": serializers.CharField(),
    "id": serializers.IntegerField(help_text="The stored payload's id."),
    "dedup_key": serializers.CharField(required=False,
                                       help_text="PagerDuty events: the alert's dedup key."),
})
ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="The payload does not have the "
                         "format's shape: `errors` names the field (`alerts[0].status`)."),
    401: OpenApiResponse(ApiErrorSerializer, description="The integration has an HMAC "
                         "secret and X-Switchboard-Signature is missing or wrong."),
    404: OpenApiResponse(ApiErrorSerializer, description="No integration has this token."),
    410: OpenApiResponse(ApiErrorSerializer, description="The integration is disabled."),
    413: OpenApiResponse(ApiErrorSerializer, description="The body is too large."),
}


def _payload(request):
    try:
        return json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise exceptions.ValidationError({"body": ["Send a JSON document."]}) from None


def _accept(request, integration, payload):
    try:
        verify_signature(integration, request.body, request.META.get(SIGNATURE_HEADER))
        event = intake_accept(integration=integration, payload=payload)
    except IntegrationGone as exc:
        raise Gone(str(exc)) from None
    except SignatureInvalid as exc:
        raise BadSignature(str(exc)) from None
    except PayloadInvalid as exc:
        raise exceptions.ValidationError(exc.errors) from None
    body = {"status": "success", "message": "Event accepted", "id": event.pk}
    if integration.kind == IntegrationKind.PAGERDUTY:
        body["dedup_key"] = payload.get("dedup_key") or f"event-{event.pk}"
    return Response(body, status=status.HTTP_202_ACCEPTED)


class IntakeView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    parser_classes = []  # the raw body is read once, here (the HMAC is over it)

    @extend_schema(
        summary="Send alerts to an integration",
        description="The body is the integration's own format (Alertmanager webhook v4, "
                    "Grafana alerting v1, PagerDuty Events v2, Opsgenie create alert, "
                    "generic JSON, Statuspage webhook). Answers 202 once the payload is "
                    "stored; it is processed in the background.",
        request=OpenApiTypes.OBJECT, responses={202: AcceptedSerializer, **ERRORS},
        auth=[], tags=["integrations"])
    def post(self, request, token):
        integration = integration_for_token(token)
        if integration is None:
            raise exceptions.NotFound("No integration has this token.")
        return _accept(request, integration, _payload(request))


class OpsgenieCloseView(APIView):
    """Opsgenie's close-alert call, on the integration's URL: a tool configured with
    ``api_url`` = the integration's intake URL (Alertmanager's ``opsgenie_configs``,
    Grafana's Opsgenie contact point) creates at ``…/v2/alerts`` and closes at
    ``…/v2/alerts/<alias>/close?identifierType=alias``."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    parser_classes = []

    @extend_schema(
        summary="Opsgenie close alert",
        description="Resolves the alert whose `alias` is in the path (the incident then "
                    "follows the integration's auto-resolve setting). Switchboard knows "
                    "Opsgenie alerts by alias only: `identifierType` must be `alias` "
                    "(or absent). The optional body is Opsgenie's: `user`, `source`, "
                    "`note`.",
        request=OpenApiTypes.OBJECT, responses={202: AcceptedSerializer, **ERRORS},
        auth=[], tags=["integrations"])
    def post(self, request, token, alias):
        integration = integration_for_token(token)
        if integration is None or integration.kind != IntegrationKind.OPSGENIE:
            raise exceptions.NotFound("No Opsgenie integration has this token.")
        if request.GET.get("identifierType", "alias") != "alias":
            raise exceptions.ValidationError({"identifierType": [
                "Switchboard knows Opsgenie alerts by alias: send identifierType=alias."]})
        body = _payload(request) if request.body else {}
        if not isinstance(body, dict):
            raise exceptions.ValidationError({"body": ["Send a JSON object."]})
        payload = {"action": "close", "alias": alias,
                   **{name: body[name] for name in ("user", "source", "note") if name in body}}
        return _accept(request, integration, payload)


class PagerDutyEnqueueView(APIView):
    """PagerDuty's own path and shape: any tool that can "send to PagerDuty" can send
    here, with the integration's token as ``routing_key``."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    parser_classes = []

    @extend_schema(
        summary="PagerDuty Events API v2 (enqueue)",
        description="`routing_key` is a PagerDuty-kind integration's token.",
        request=OpenApiTypes.OBJECT, responses={202: AcceptedSerializer, **ERRORS},
        auth=[], tags=["integrations"])
    def post(self, request):
        payload = _payload(request)
        token = payload.get("routing_key") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise exceptions.ValidationError({"routing_key": ["This field is required."]})
        integration = integration_for_token(token)
        if integration is None or integration.kind != IntegrationKind.PAGERDUTY:
            raise exceptions.NotFound("No PagerDuty integration has this routing_key.")
        return _accept(request, integration, payload)
