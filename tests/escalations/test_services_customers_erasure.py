"""Erasure reaches the escalations' free text: an agent who typed the customer's name,
email or phone into a summary, a note or a tier reason leaves nothing behind — in the
current rows or in any historical table of the app."""

import pytest
from django.apps import apps
from django.db import connection

from core.models import Notification, SlaClock, SlaClockEvent
from escalations import services

pytestmark = pytest.mark.django_db


def every_escalations_table_text():
    """Every table of the escalations app, and the clock tables of core."""
    models = [*apps.get_app_config("escalations").get_models(), SlaClock,
              SlaClock.history.model, SlaClockEvent]
    values = []
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608
            values += [str(value) for row in cursor.fetchall() for value in row]
    return " ".join(values)


def test_erasure_scrubs_identifiers_from_escalation_text_and_its_history(
        customer, lead, manager, policy):
    services.customer_update(customer=customer, by=lead, email="h.okafor@example.net")
    escalation = services.escalation_create(
        by=lead, customer=customer, category="complaint", priority="P2", owner=lead,
        summary="Harriet Okafor billed twice",
        description="Email harriet.okafor@example.com or call 07700 900123.")
    services.escalation_add_note(escalation=escalation, by=lead,
                                 text="Spoke to HARRIET OKAFOR, she is upset", customer_update=True)
    services.escalation_triage(escalation=escalation, by=lead)
    services.escalation_await_customer(escalation=escalation, by=lead,
                                       reason="Harriet Okafor is sending photos")
    services.escalation_escalate_tier(escalation=escalation, by=lead,
                                      reason="Harriet Okafor asked for a manager")
    services.escalation_edit(escalation=escalation, by=lead,
                             summary="Billed twice (Harriet Okafor, ACC-104200)")
    text = every_escalations_table_text()
    assert "Harriet Okafor" in text and "07700 900123" in text

    services.customer_erase(customer=customer, by=manager, reason="DSAR-7")

    text = every_escalations_table_text().lower()
    for identifier in ("harriet okafor", "harriet.okafor@example.com", "h.okafor@example.net",
                       "07700 900123", "acc-104200"):
        assert identifier not in text
    escalation.refresh_from_db()
    assert escalation.summary == "Billed twice ([erased], [erased])"
    # The operational facts stay.
    assert escalation.state == "awaiting_customer" and escalation.tier == "L2"
    assert escalation.timeline.filter(text__contains="personal data was erased").exists()
    for notification in Notification.objects.all():
        assert "harriet okafor" not in f"{notification.title} {notification.body}".lower()
