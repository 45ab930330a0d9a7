from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core import registry
from core.search import MAX_LENGTH, MIN_LENGTH, clean_query, global_search


class SearchHitSerializer(serializers.Serializer):
    title = serializers.CharField()
    reference = serializers.CharField()
    url = serializers.CharField(help_text="The object's page.")
    detail = serializers.CharField()


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.CharField(source="key", help_text="e.g. `escalations.escalation`.")
    label = serializers.CharField()
    results = SearchHitSerializer(source="hits", many=True)


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    groups = SearchGroupSerializer(many=True)


class SearchView(APIView):
    """Everything the caller may open that matches `q`, grouped by kind (at most 8 a
    kind): incidents and escalations by reference or title, escalations and customers
    by account number (and by name for roles that see personal data), vendors and
    contracts. Same results as the search box of the web pages."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Search everything",
        parameters=[
            OpenApiParameter("q", str, required=True,
                             description=f"{MIN_LENGTH} to {MAX_LENGTH} characters."),
            OpenApiParameter("kind", str, required=False,
                             description="Only this kind (a `kind` of the answer)."),
        ],
        responses={200: SearchResponseSerializer})
    def get(self, request):
        text = request.query_params.get("q", "")
        if len(text.strip()) > MAX_LENGTH:
            raise ValidationError({"q": f"At most {MAX_LENGTH} characters."})
        if not clean_query(text):
            raise ValidationError({"q": f"Give at least {MIN_LENGTH} characters to search for."})
        kind = request.query_params.get("kind")
        if kind:
            known = {s.key for s in registry.searchers(request.user)}
            if kind not in known:
                raise ValidationError({"kind": f"Not a kind you can search: {kind}. "
                                               f"Choose from: {', '.join(sorted(known))}."})
        groups = global_search(request.user, text, kinds=[kind] if kind else None)
        return Response(SearchResponseSerializer(
            {"query": clean_query(text), "groups": groups}).data)
