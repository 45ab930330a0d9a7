from django.conf import settings
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import (
    HealthSerializer,
    MeSerializer,
    TeamSerializer,
    UserSummarySerializer,
)
from core.api.throttling import ScopedRateThrottle
from core.exceptions import LockedOut
from core.health import health_report_for
from core.models import Team


class HealthView(APIView):
    """Database, broker and worker status. 503 when the database or the broker is down.

    Open to load balancers without credentials. The details (database and broker
    addresses or errors, the worker's host name) are shown only to staff and
    Managers, signed in or with a token, since they name internal hosts.
    """

    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer})
    def get(self, request):
        report = health_report_for(request.user)
        return Response(report, status=200 if report["healthy"] else 503)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token.

    Failed attempts count towards the same lock-out as the login page.
    """

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # Axes flags the DRF request it was handed; its middleware only sees the
            # Django request, so the lock-out is reported here.
            if getattr(request, "axes_locked_out", False):
                minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
                raise LockedOut(
                    f"Too many failed attempts for this account from your address. "
                    f"Try again in {minutes} minutes, or ask a manager to unlock it."
                ) from None
            raise


class MeView(generics.RetrieveAPIView):
    """The signed-in user, with roles and teams."""

    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_object(self):
        return self.request.user


class TeamViewSet(viewsets.ModelViewSet):
    """Teams and their members. Managers edit; everyone with a role reads."""

    queryset = Team.objects.select_related("lead").prefetch_related("members").order_by("name")
    serializer_class = TeamSerializer
    filterset_fields = ["slug"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at"]


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """People, for pickers (owner, commander…): active users only."""

    queryset = get_user_model().objects.filter(is_active=True).order_by("username")
    serializer_class = UserSummarySerializer
    # Colleagues' names are not restricted data: every role needs them in pickers.
    permission_classes = [permissions.IsAuthenticated]
    search_fields = ["username", "first_name", "last_name"]
    ordering_fields = ["username"]
