from rest_framework import serializers

from ..models import Alert, Integration


class IntegrationSerializer(serializers.ModelSerializer):
    """An integration's configuration; the token itself is never shown again (only its
    last characters)."""

    intake_path = serializers.SerializerMethodField(
        help_text="Where its alerts are sent, without the token (…/intake/<token>/).")

    class Meta:
        model = Integration
        fields = ["id", "name", "kind", "enabled", "token_hint", "intake_path",
                  "severity_map", "default_severity", "channel", "team", "vendor",
                  "group_by_label", "auto_resolve", "flap_window", "poll_url", "poll_enabled",
                  "poll_interval", "last_error", "last_error_at", "created_at"]
        read_only_fields = fields

    def get_intake_path(self, obj) -> str:
        return "/api/integrations/intake/<token>/"


class AlertSerializer(serializers.ModelSerializer):
    incident = serializers.SerializerMethodField(help_text="The incident's reference, if any.")
    group_key = serializers.CharField(source="group.group_key", read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "integration", "dedup_key", "group_key", "source", "status",
                  "severity", "source_severity", "title", "description", "labels", "links",
                  "started_at", "ended_at", "first_seen_at", "last_seen_at", "occurrences",
                  "is_test", "incident"]
        read_only_fields = fields

    def get_incident(self, obj) -> str | None:
        incident = obj.group.incident
        return incident.reference if incident else None
