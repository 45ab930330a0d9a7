"""Pieces every API viewset shares: the documented error responses and input parsing."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ApiErrorSerializer(serializers.Serializer):
    """The one error body of the API (see core/api/exceptions.py)."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    transition = serializers.CharField(required=False)
    current_state = serializers.CharField(required=False)
    allowed_transitions = serializers.ListField(child=serializers.CharField(), required=False)


ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Invalid input or a missing "
                         "requirement; `errors` names the fields."),
    403: OpenApiResponse(ApiErrorSerializer, description="Not allowed for you."),
    404: OpenApiResponse(ApiErrorSerializer, description="No such object."),
}
TRANSITION_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(ApiErrorSerializer, description="Not allowed from the current "
                         "state; `allowed_transitions` lists what is."),
}


def validated_input(view, serializer_class, **kwargs):
    """Validate the request body with an action's own input serializer."""
    serializer = serializer_class(data=view.request.data,
                                  context=view.get_serializer_context(), **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
