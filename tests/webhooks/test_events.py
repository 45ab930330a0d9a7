"""The event catalogue and its producers: each event becomes one outbox row per
subscription, in the producer's own transaction."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.events import emit, event_types
from incidents.services import incident_triage, status_update_post
from integrations.webhooks import services
from integrations.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db

CATALOGUE = {"incident.declared", "incident.state_changed", "incident.status_update_posted",
             "escalation.breached", "escalation.tier_changed", "vendor.credit_accrued",
             "contract.entering_notice", "report.pack_ready"}


def test_the_catalogue_has_every_event_the_issue_names():
    assert {t.code for t in event_types()} == CATALOGUE


def test_an_unknown_event_type_is_a_programming_error(declare):
    with pytest.raises(LookupError):
        emit("incident.exploded", declare())


def test_incident_events_reach_the_subscriptions_that_chose_them(subscribe, declare,
                                                                  responder, sev2):
    everything = subscribe(*sorted(CATALOGUE), name="Everything")
    declared_only = subscribe("incident.declared", name="Declared only")
    incident = declare()
    incident_triage(incident=incident, by=responder, severity=sev2, commander=responder)
    status_update_post(incident=incident, by=responder, audience="internal",
                       body="Carrier engaged")

    types = sorted(WebhookDelivery.objects.filter(subscription=everything)
                   .values_list("event_type", flat=True))
    assert types == ["incident.declared", "incident.state_changed",
                     "incident.status_update_posted"]
    assert list(WebhookDelivery.objects.filter(subscription=declared_only)
                .values_list("event_type", flat=True)) == ["incident.declared"]
    changed = WebhookDelivery.objects.get(event_type="incident.state_changed")
    assert changed.payload["data"]["transition"] == "triage"
    assert changed.payload["data"]["incident"]["state"] == "triaged"
    # One event, one id, whichever subscription carries it.
    declared = WebhookDelivery.objects.filter(event_type="incident.declared")
    assert len({d.event_id for d in declared}) == 1


def test_a_change_that_rolls_back_leaves_no_delivery(subscribe, declare):
    subscribe()
    def declare_then_fail():
        with transaction.atomic():
            declare()
            raise RuntimeError("the caller failed after declaring")

    with pytest.raises(RuntimeError):
        declare_then_fail()
    assert not WebhookDelivery.objects.exists()


def test_a_disabled_subscription_gets_nothing(subscribe, declare, manager):
    subscription = subscribe()
    services.subscription_update(subscription=subscription, by=manager, enabled=False)
    declare()
    assert not WebhookDelivery.objects.exists()


def test_the_delivery_is_queued_once_the_change_commits(subscribe, declare, receiver,
                                                        django_capture_on_commit_callbacks):
    subscribe()
    with django_capture_on_commit_callbacks(execute=True):
        declare()
    # The eager task ran on commit: sent without waiting for the sweep.
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == "delivered"


def test_escalation_tier_changes_and_breaches_are_events(subscribe, manager, make_user):
    from core.choices import Role
    from escalations import services as escalation_services
    from escalations.clock_kinds import escalate_one_tier

    lead = make_user(Role.ESCALATION_LEAD, username="elena")
    subscription = subscribe("escalation.tier_changed", "escalation.breached")
    customer = escalation_services.customer_create(
        by=manager, name="Harriet Okafor", account_reference="ACC-104200", tier="vip",
        email="harriet@example.com")
    escalation = escalation_services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P2",
        summary="Billed twice", owner=lead)
    escalation_services.escalation_escalate_tier(escalation=escalation, by=lead,
                                                 reason="Needs the desk")

    class Clock:
        owner = escalation
        kind = "escalations.resolution"

    class Breach:
        at = timezone.now() + timedelta(days=3)

    escalation.refresh_from_db()
    escalate_one_tier(Clock(), Breach())
    types = list(WebhookDelivery.objects.filter(subscription=subscription)
                 .order_by("pk").values_list("event_type", flat=True))
    assert types == ["escalation.tier_changed", "escalation.breached"]
    breach = WebhookDelivery.objects.get(event_type="escalation.breached")
    assert breach.payload["data"]["clock"] == "Resolution"
    assert breach.payload["data"]["escalation"]["reference"] == escalation.reference
    # Personal data stays out of the payload.
    assert "Harriet" not in str(breach.payload) and "Billed twice" not in str(breach.payload)
