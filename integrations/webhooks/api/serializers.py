from rest_framework import serializers

from escalations.models import Customer

from ..choices import Preset
from ..models import CustomerUpdateOptIn, WebhookAttempt, WebhookDelivery, WebhookSubscription


class SubscriptionSerializer(serializers.ModelSerializer):
    secret_hint = serializers.CharField(read_only=True)
    owner = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "preset", "event_types", "enabled", "owner",
                  "allow_private_addresses", "secret_hint", "previous_secret_expires_at",
                  "disabled_at", "disabled_reason", "consecutive_gave_up", "failing_since",
                  "created_at"]
        read_only_fields = fields


class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    """Answers a create or a rotation: the one time the secret is shown."""

    secret = serializers.CharField(read_only=True)

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class SubscriptionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    url = serializers.CharField(max_length=2000)
    event_types = serializers.ListField(child=serializers.CharField(max_length=60),
                                        allow_empty=True)
    preset = serializers.ChoiceField(choices=Preset.choices, default=Preset.GENERIC)
    enabled = serializers.BooleanField(default=True)
    allow_private_addresses = serializers.BooleanField(default=False)


class SubscriptionUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    url = serializers.CharField(max_length=2000, required=False)
    event_types = serializers.ListField(child=serializers.CharField(max_length=60),
                                        required=False, allow_empty=True)
    preset = serializers.ChoiceField(choices=Preset.choices, required=False)
    enabled = serializers.BooleanField(required=False)
    allow_private_addresses = serializers.BooleanField(required=False)


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "url", "request_headers", "response_status", "response_ms",
                  "response_body", "error", "succeeded"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "subscription", "event_id", "event_type", "is_test", "status",
                  "attempts", "next_attempt_at", "created_at", "last_attempt_at",
                  "delivered_at", "response_status", "response_ms", "error"]
        read_only_fields = fields


class DeliveryDetailSerializer(DeliverySerializer):
    payload = serializers.JSONField(read_only=True)
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "payload", "response_body", "attempt_log"]
        read_only_fields = fields


class EventTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()


class EmptySerializer(serializers.Serializer):
    pass


class CustomerOptInSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerUpdateOptIn
        fields = ["id", "customer", "opted_in_by", "opted_in_at", "note"]
        read_only_fields = fields


class CustomerOptInInputSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    note = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                 help_text="How the customer asked (call, email, portal).")
