from django.contrib.auth import get_user_model
from rest_framework import serializers

from core.api.fast_read import FastReadMixin
from core.models import Team
from core.transitions import allowed_transitions


def requesting_user(serializer):
    """The signed-in user the serializer renders for, or ``None``."""
    user = getattr(serializer.context.get("request"), "user", None)
    return user if user is not None and user.is_authenticated else None


def allowed_transitions_for(serializer, instance) -> list[str]:
    """A read serializer's ``allowed_transitions``: what the requesting user may try.
    Permissions that do not depend on the object are asked once per response (the
    answers live in the serializer's context, which every row of a list shares)."""
    answers = serializer.context.setdefault("transition_permission_answers", {})
    return allowed_transitions(instance, requesting_user(serializer), answers=answers)


class UserSummarySerializer(FastReadMixin, serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class MeSerializer(UserSummarySerializer):
    roles = serializers.SerializerMethodField()
    teams = serializers.SerializerMethodField()

    class Meta(UserSummarySerializer.Meta):
        fields = [*UserSummarySerializer.Meta.fields, "email", "roles", "teams", "is_staff"]

    def get_roles(self, user) -> list[str]:
        return sorted(group.name for group in user.groups.all())

    def get_teams(self, user) -> list[str]:
        return sorted(team.name for team in user.switchboard_teams.all())


class TeamSerializer(serializers.ModelSerializer):
    lead = UserSummarySerializer(read_only=True)
    lead_id = serializers.PrimaryKeyRelatedField(
        source="lead", queryset=get_user_model().objects.all(), write_only=True, required=False,
        allow_null=True,
    )
    members = UserSummarySerializer(many=True, read_only=True)
    member_ids = serializers.PrimaryKeyRelatedField(
        source="members", queryset=get_user_model().objects.all(), many=True, write_only=True,
        required=False,
    )

    class Meta:
        model = Team
        fields = [
            "id", "name", "slug", "description", "email", "lead", "lead_id", "members",
            "member_ids", "created_at",
        ]
        read_only_fields = ["created_at"]


class HealthComponentSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField(required=False)


class HealthSerializer(serializers.Serializer):
    healthy = serializers.BooleanField()
    database = HealthComponentSerializer()
    broker = HealthComponentSerializer()
    worker = serializers.DictField()
