"""``FastReadMixin`` renders exactly what DRF renders (``core/api/fast_read.py``): the
same rows through both, in more than one time zone."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import serializers

from core.api.fast_read import FastReadMixin
from core.api.serializers import UserSummarySerializer
from core.clocks import running_clocks_by_object
from incidents.api.serializers import IncidentSerializer
from incidents.models import Incident, Severity
from incidents.services import incident_declare

pytestmark = pytest.mark.django_db


class PlainColumns(FastReadMixin, serializers.ModelSerializer):
    """One field of each kind the fast path renders itself, and some it leaves to DRF."""

    joined = serializers.DateTimeField(source="date_joined")
    login_day = serializers.DateTimeField(source="last_login", format="%Y-%m-%d")
    name = serializers.CharField(source="get_full_name")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "is_active", "is_staff", "joined", "last_login",
                  "login_day", "name", "email"]


def both_ways(serializer_class, rows, context=None):
    """(fast, DRF's own) renderings of the same rows."""
    fast = serializer_class(rows, many=True, context=dict(context or {})).data
    with mock.patch.object(FastReadMixin, "to_representation",
                           serializers.Serializer.to_representation):
        drf = serializer_class(rows, many=True, context=dict(context or {})).data
    return fast, drf


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/Los_Angeles"])
def test_incidents_render_as_drf_renders_them(manager, viewer, zone):
    severity = Severity.objects.order_by("rank").first()
    incident_declare(by=manager, title="Carrier outage", severity=severity, commander=manager,
                     contacts_affected=120, at=timezone.now() - timedelta(days=200))
    incident_declare(by=manager, title="IVR down")
    incidents = list(Incident.objects.order_by("pk"))
    with timezone.override(zone):
        fast, drf = both_ways(IncidentSerializer, incidents,
                              {"clocks": running_clocks_by_object(incidents)})
    assert fast == drf
    assert fast[0]["declared_at"] and fast[0]["clocks"] and fast[0]["commander"]["id"]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_plain_columns_render_as_drf_renders_them(manager, viewer, zone):
    users = get_user_model().objects.filter(pk__in=[manager.pk, viewer.pk]).order_by("pk")
    get_user_model().objects.filter(pk=viewer.pk).update(last_login=timezone.now())
    with timezone.override(zone):
        for serializer in (PlainColumns, UserSummarySerializer):
            fast, drf = both_ways(serializer, list(users))
            assert fast == drf
    assert fast[0]["username"] == manager.username


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
def test_escalations_render_as_drf_renders_them(manager, zone):
    """The escalation list's rows: a nested customer whose ``tier_label`` is Django's
    ``get_tier_display`` (called without asking inspect each row), the linked incidents
    read from the prefetch cache, compensation and clocks — as DRF renders them."""
    from decimal import Decimal

    from escalations import services
    from escalations.api.serializers import EscalationSerializer
    from escalations.api.views.escalations import EscalationViewSet
    from escalations.services.links import escalation_link_incident

    customer = services.customer_create(
        by=manager, name="Harriet Okafor", account_reference="ACC-104200", tier="vip",
        annual_value=Decimal("84000.00"), email="harriet@example.com")
    first = services.escalation_create(by=manager, customer=customer, category="complaint",
                                       priority="P2", summary="Billed twice", owner=manager)
    services.escalation_create(by=manager, customer=customer, category="", priority="",
                               summary="Line dead")
    incident = incident_declare(by=manager, title="Carrier outage")
    escalation_link_incident(by=manager, escalation=first, incident=incident)
    rows = list(EscalationViewSet().read_queryset().order_by("pk"))
    request = mock.Mock(user=manager)
    with timezone.override(zone):
        fast, drf = both_ways(EscalationSerializer, rows, {
            "request": request, "clocks": running_clocks_by_object(rows)})
    assert fast == drf
    assert fast[0]["customer"]["tier_label"] == "VIP"
    assert [row["reference"] for row in fast[0]["incidents"]] == [incident.reference]
