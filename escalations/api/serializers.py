"""Customer API serializers.

``CustomerSerializer`` renders only what the reader may see
(``escalations/visibility.py``); the input serializers parse and hand the fields
to ``escalations/services.py``, which decides. No serializer saves.
"""

from rest_framework import serializers

from ..models import Customer
from ..visibility import CUSTOMER_FIELDS, MONEY_FIELDS, PERSONAL_FIELDS, customer_hidden_fields

PERSONAL_HELP = "Personal data: present only for roles that see it (Manager, Escalation Lead)."
MONEY_HELP = "Money: present only for roles that see it (Manager, Vendor Manager, Finance)."


class CustomerSerializer(serializers.ModelSerializer):
    """A customer as the reader may see it. Fields the reader's role may not see are
    left out of the body altogether (not nulled), so their absence is unambiguous."""

    tier_label = serializers.CharField(source="get_tier_display", read_only=True)

    class Meta:
        model = Customer
        fields = [*CUSTOMER_FIELDS, "tier_label"]
        read_only_fields = [name for name in fields
                            if name not in (*PERSONAL_FIELDS, *MONEY_FIELDS)]
        # Never used for input (writes have their own serializers); not read-only, so
        # that the schema marks these conditional fields as optional.
        extra_kwargs = {
            **{name: {"required": False, "help_text": PERSONAL_HELP}
               for name in PERSONAL_FIELDS},
            **{name: {"required": False, "help_text": MONEY_HELP} for name in MONEY_FIELDS},
        }

    def _hidden(self):
        if "hidden" not in self.context:
            request = self.context.get("request")
            self.context["hidden"] = customer_hidden_fields(getattr(request, "user", None))
        return self.context["hidden"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in self._hidden():
            data.pop(name, None)
        return data


class CustomerWriteSerializer(serializers.ModelSerializer):
    """The fields a customer is created or edited with (the service checks the
    reader may see each one)."""

    class Meta:
        model = Customer
        fields = ["account_reference", "name", "tier", "annual_value", "email", "phone",
                  "address", "notes"]
        extra_kwargs = {
            # Uniqueness and the tombstone prefix are the service's (full_clean) to check.
            "account_reference": {"validators": []},
            "annual_value": {"required": False},
        }


class CustomerEraseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        help_text="Why the customer is erased, e.g. the request's reference. Kept in the "
                  "audit history: no personal data here.")


class CustomerExportHistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    change = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    by = serializers.CharField(allow_null=True, help_text="Username of who made the change.")
    reason = serializers.CharField()
    fields = serializers.DictField(help_text="The customer's fields as they were then.")


class CustomerExportSerializer(serializers.Serializer):
    """Everything held about a customer (documentation of the export's shape)."""

    exported_at = serializers.DateTimeField()
    exported_by = serializers.CharField()
    customer = serializers.DictField(help_text="Every current field, personal data included.")
    history = CustomerExportHistorySerializer(many=True, help_text="Oldest first.")
