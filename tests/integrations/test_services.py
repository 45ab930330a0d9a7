"""Configuring integrations: managers only, every change in history with a reason."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import Role
from integrations import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD,
                                  Role.VENDOR_MANAGER, Role.FINANCE, Role.VIEWER])
def test_only_managers_configure(make_user, role):
    user = make_user(role, username="someone")
    with pytest.raises(PermissionDenied):
        services.integration_create(by=user, name="X", kind="generic")


def test_history_records_who_and_why(make_integration, manager):
    integration = make_integration()
    services.integration_update(integration=integration, by=manager,
                                flap_window=timedelta(minutes=5))
    services.integration_rotate_token(integration=integration, by=manager)
    services.integration_set_enabled(integration=integration, by=manager, enabled=False)
    reasons = list(integration.history.order_by("history_date", "history_id")
                   .values_list("history_change_reason", "history_user__username"))
    assert reasons == [("Integration created", "maria"), ("Integration settings changed", "maria"),
                       ("URL token rotated", "maria"), ("Disabled", "maria")]


@pytest.mark.parametrize(("fields", "field"), [
    ({"severity_map": {"warning": "dreadful"}}, "severity_map"),
    ({"severity_map": ["critical"]}, "severity_map"),
    ({"flap_window": timedelta(days=30)}, "flap_window"),
    ({"poll_enabled": True}, "poll_url"),
    ({"poll_interval": timedelta(seconds=5)}, "poll_interval"),
    ({"kind": "nonsense"}, "kind"),
])
def test_bad_configuration_names_the_field(manager, fields, field):
    with pytest.raises(ValidationError) as refused:
        services.integration_create(by=manager, name="X", kind=fields.pop("kind", "statuspage"),
                                    **fields)
    assert field in refused.value.message_dict


def test_the_kind_cannot_change(make_integration, manager):
    integration = make_integration()
    with pytest.raises(ValidationError) as refused:
        services.integration_update(integration=integration, by=manager, kind="generic")
    assert "kind" in refused.value.message_dict


def test_every_kind_has_a_test_alert_that_passes_its_own_validation(make_integration, manager):
    from integrations.choices import IntegrationKind
    from integrations.formats import validate

    for kind in IntegrationKind.values:
        integration = make_integration(kind, name=f"t-{kind}")
        validate(kind, services.sample_alert_payload(integration, by=manager))
