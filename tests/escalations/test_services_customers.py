"""Customer services: audited create and update, PCI redaction, the visibility rule
on writes, export of everything held, and erasure down to the history rows."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core.choices import Role
from escalations import services
from escalations.models import Customer

pytestmark = pytest.mark.django_db

CARD = "4111 1111 1111 1111"
PERSONAL = ["Harriet Okafor", "harriet.okafor@example.com", "07700 900123", "High Street",
            "Prefers email", "ACC-104200", "Harriet O. Smith", "harriet@example.org"]


def test_create_is_audited_with_the_actor(customer, manager):
    row = customer.history.get()
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+", manager, "Created")
    assert customer.tier == "vip" and customer.annual_value == Decimal("84000.00")


def test_escalation_lead_creates_a_customer_but_cannot_set_its_value(lead):
    customer = services.customer_create(by=lead, name="Aled Pritchard",
                                        account_reference="ACC-1")
    assert customer.annual_value == Decimal("0.00")
    with pytest.raises(PermissionDenied, match="annual_value"):
        services.customer_create(by=lead, name="X", account_reference="ACC-2",
                                 annual_value=Decimal("5"))
    assert not Customer.objects.filter(account_reference="ACC-2").exists()


@pytest.mark.parametrize("role", [Role.INCIDENT_RESPONDER, Role.VENDOR_MANAGER, Role.FINANCE,
                                  Role.VIEWER])
def test_roles_without_edit_rights_cannot_create_or_update(make_user, role, customer):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        services.customer_create(by=user, name="X", account_reference="ACC-9")
    with pytest.raises(PermissionDenied):
        services.customer_update(customer=customer, by=user, tier="standard")


def test_account_reference_is_unique_and_required(manager, customer):
    with pytest.raises(ValidationError) as error:
        services.customer_create(by=manager, name="Other", account_reference="ACC-104200")
    assert "account_reference" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.customer_create(by=manager, name="Other", account_reference="  ")


def test_tombstone_references_cannot_be_typed(manager):
    with pytest.raises(ValidationError, match="erased customers"):
        services.customer_create(by=manager, name="X", account_reference="erased-7")


def test_update_is_audited_with_the_fields_changed_not_their_values(customer, lead):
    services.customer_update(customer=customer, by=lead, email="h.okafor@example.org",
                             tier="vip")
    row = customer.history.first()
    assert row.history_user == lead
    assert row.history_change_reason == "Edited: email"
    assert Customer.objects.get(pk=customer.pk).email == "h.okafor@example.org"


def test_update_without_changes_writes_no_history(customer, manager):
    services.customer_update(customer=customer, by=manager, tier="vip")
    assert customer.history.count() == 1


def test_update_refuses_unknown_fields(customer, manager):
    with pytest.raises(ValidationError) as error:
        services.customer_update(customer=customer, by=manager, erased_at=None)
    assert "erased_at" in error.value.message_dict


def test_notes_are_pci_redacted_on_create_and_update(manager, customer):
    other = services.customer_create(by=manager, name="Chen Wei", account_reference="ACC-5",
                                     notes=f"Read out {CARD} on the call")
    assert other.notes == "Read out [card •••• 1111] on the call"
    services.customer_update(customer=customer, by=manager, notes=f"Card {CARD}")
    assert Customer.objects.get(pk=customer.pk).notes == "Card [card •••• 1111]"
    assert not customer.history.filter(notes__contains="4111 1111").exists()


def test_export_holds_current_fields_and_every_history_row(customer, manager, lead):
    services.customer_update(customer=customer, by=lead, name="Harriet O. Smith")

    data = services.customer_export(customer=customer, by=manager)

    assert data["exported_by"] == "maria"
    assert data["customer"]["name"] == "Harriet O. Smith"
    assert data["customer"]["annual_value"] == "84000.00"
    assert data["customer"]["address"] == "12 High Street\nLeeds"
    assert [(row["change"], row["by"], row["reason"]) for row in data["history"]] == [
        ("created", "maria", "Created"), ("changed", "elena", "Edited: name")]
    assert [row["fields"]["name"] for row in data["history"]] == [
        "Harriet Okafor", "Harriet O. Smith"]
    assert data["history"][0]["at"].startswith(str(customer.created_at.date()))


def test_export_is_json_serialisable(customer, manager):
    import json

    assert "harriet.okafor@example.com" in json.dumps(
        services.customer_export(customer=customer, by=manager))


@pytest.mark.parametrize("role", [Role.ESCALATION_LEAD, Role.INCIDENT_RESPONDER,
                                  Role.VENDOR_MANAGER, Role.FINANCE, Role.VIEWER])
def test_only_managers_export_and_erase(make_user, role, customer):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        services.customer_export(customer=customer, by=user)
    with pytest.raises(PermissionDenied):
        services.customer_erase(customer=customer, by=user, reason="DSAR-1")
    assert not Customer.objects.get(pk=customer.pk).is_erased


def _historical_table_text():
    """Every value of every row of the customers' history table, as the database
    holds it (not through the model)."""
    table = Customer.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table name
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_erase_scrubs_the_current_row_and_every_history_row(customer, manager, lead):
    services.customer_update(customer=customer, by=lead, name="Harriet O. Smith",
                             email="harriet@example.org")
    services.customer_update(customer=customer, by=manager, tier="high_value")
    assert "Harriet Okafor" in _historical_table_text()

    erased = services.customer_erase(customer=customer, by=manager,
                                     reason="Erasure request DSAR-2024-118")

    stored = Customer.objects.get(pk=customer.pk)
    assert stored.name == f"Erased customer #{customer.pk}"
    assert stored.account_reference == f"ERASED-{customer.pk}"
    assert (stored.email, stored.phone, stored.address, stored.notes) == ("", "", "", "")
    assert stored.erased_at is not None and erased.erased_at == stored.erased_at
    # Operational facts stay.
    assert stored.tier == "high_value" and stored.annual_value == Decimal("84000.00")
    assert stored.created_at == customer.created_at
    # Nothing personal is left anywhere in the history table.
    text = _historical_table_text()
    for value in PERSONAL:
        assert value not in text
    assert set(customer.history.values_list("name", flat=True)) == {stored.name}
    assert customer.history.count() == 4


def test_erasure_is_itself_audited_without_personal_data(customer, manager):
    services.customer_erase(customer=customer, by=manager, reason="Request DSAR-7")
    entry = customer.history.first()
    assert entry.history_user == manager
    assert entry.history_change_reason == "Erased on request: Request DSAR-7"
    assert entry.erased_at is not None
    assert (entry.name, entry.email, entry.phone) == (f"Erased customer #{customer.pk}", "", "")


def test_erase_scrubs_the_admin_change_log(customer, manager):
    LogEntry.objects.log_actions(user_id=manager.pk, queryset=[customer], action_flag=CHANGE,
                                 change_message="[]", single_object=True)
    services.customer_erase(customer=customer, by=manager, reason="Request")
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Customer))
    assert entry.object_repr == f"ERASED-{customer.pk}"


def test_erase_needs_a_reason(customer, manager):
    with pytest.raises(ValidationError) as error:
        services.customer_erase(customer=customer, by=manager, reason="  ")
    assert "reason" in error.value.message_dict
    assert not Customer.objects.get(pk=customer.pk).is_erased


def test_erase_reason_is_pci_redacted(customer, manager):
    services.customer_erase(customer=customer, by=manager, reason=f"Asked by card {CARD}")
    assert customer.history.first().history_change_reason.endswith("[card •••• 1111]")


def test_erasing_twice_is_refused(customer, manager):
    services.customer_erase(customer=customer, by=manager, reason="Request")
    with pytest.raises(ValidationError, match="already erased"):
        services.customer_erase(customer=customer, by=manager, reason="Again")
    assert customer.history.count() == 2


def test_an_erased_customer_cannot_be_edited(customer, manager):
    services.customer_erase(customer=customer, by=manager, reason="Request")
    with pytest.raises(ValidationError, match="erased"):
        services.customer_update(customer=customer, by=manager, name="Harriet Okafor")


def test_export_after_erasure_holds_only_tombstones(customer, manager):
    services.customer_erase(customer=customer, by=manager, reason="Request")
    text = str(services.customer_export(customer=customer, by=manager))
    for value in PERSONAL:
        assert value not in text
