"""Demo vendors: a contact center's suppliers, contracts in every state, the dates
that need someone, and the demo incidents attributed with maintenance excluded."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.choices import Role
from core.models import Notification
from vendors.choices import ContractState, VendorCategory
from vendors.demo import seed_vendors
from vendors.models import (
    Contract,
    DowntimeExclusion,
    Vendor,
    VendorAttribution,
    VendorContact,
)
from vendors.selectors import contracts_needing_attention, vendor_downtime_year

pytestmark = pytest.mark.django_db


def snapshot():
    return (Vendor.objects.count(), VendorContact.objects.count(), Contract.objects.count(),
            VendorAttribution.objects.count(), DowntimeExclusion.objects.count(),
            Contract.history.count(), Notification.objects.count())


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, rolled back at the end."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", stdout=io.StringIO())
        yield {"first": snapshot()}
        transaction.set_rollback(True)


def test_a_contact_centers_vendors_with_their_noc(seeded):
    assert Vendor.objects.count() >= 12
    categories = set(Vendor.objects.values_list("category", flat=True))
    assert {VendorCategory.CARRIER, VendorCategory.CCAAS, VendorCategory.BPO,
            VendorCategory.CHATBOT, VendorCategory.CRM, VendorCategory.WFM,
            VendorCategory.QA} <= categories
    bpo = Vendor.objects.get(category=VendorCategory.BPO)
    assert bpo.contracts.count() == 2  # two sites
    assert not Vendor.objects.filter(category=VendorCategory.CARRIER, status="active").exclude(
        contacts__role="noc").exists()


def test_contracts_in_every_state_and_the_dates_that_need_someone(seeded):
    assert set(Contract.objects.values_list("state", flat=True)) == set(ContractState.values)
    today = timezone.localdate()
    next_week = Contract.objects.get(vendor__name="Northwind Telecom")
    assert 0 < (next_week.notice_date - today).days <= 7
    assert next_week.decision == ""
    entering = Contract.objects.get(vendor__name="Telvia")
    assert 90 < (entering.notice_date - today).days <= 97  # its window opens next week
    attention = contracts_needing_attention(today)
    assert [c.vendor.name for c in attention.overdue] == ["ShiftPlan"]
    assert next_week in attention.window
    assert Notification.objects.filter(recipient__username="vendor",
                                       title__startswith="Notice date missed").count() == 1


def test_incidents_over_the_months_are_attributed_with_maintenance_excluded(seeded):
    attributed = VendorAttribution.objects.filter(incident__isnull=False)
    assert attributed.count() >= 40
    first = attributed.order_by("incident__declared_at").first().incident.declared_at
    assert first < timezone.now() - timedelta(days=120)
    assert not attributed.filter(added_at__gt=timezone.now()).exists()
    assert DowntimeExclusion.objects.filter(kind="maintenance").count() >= 3
    assert VendorAttribution.objects.filter(escalation__isnull=False).count() >= 2
    carrier = Vendor.objects.get(name="Northwind Telecom")
    downtime = vendor_downtime_year(carrier)
    assert downtime.incidents
    assert all(row.seconds >= 0 for row in downtime.incidents)


def test_second_run_changes_nothing(seeded):
    assert snapshot() == seeded["first"]
    assert seed_vendors() == 0
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert snapshot() == seeded["first"]


def test_the_carrier_playbook_attaches_when_a_carrier_is_named(starter_library, manager,
                                                                make_user):
    """The demo's rule with a vendor condition (vendors/demo.py), once, and what it does."""
    from incidents import services as incident_services
    from playbooks.models import Playbook, PlaybookRun
    from vendors import services
    from vendors.demo import CARRIER_PLAYBOOK, seed_playbook_rules

    rule = seed_playbook_rules(by=manager)
    assert rule.playbook.slug == CARRIER_PLAYBOOK
    assert rule.describe() == "category telephony carrier"
    assert seed_playbook_rules(by=manager) is None  # already there
    assert Playbook.objects.get(slug=CARRIER_PLAYBOOK).rules.count() == 2

    victor = make_user(Role.VENDOR_MANAGER, username="tests-victor")
    trunks = services.vendor_create(by=victor, name="Tellurian Voice",
                                    category=VendorCategory.CARRIER)
    incident = incident_services.incident_declare(by=manager, title="Outbound calls fail")
    assert not PlaybookRun.objects.of(incident).exists()
    services.attribution_add(vendor=trunks, incident=incident, by=manager)
    assert PlaybookRun.objects.of(incident).get().rule == rule


def test_no_carrier_playbook_no_demo_rule(manager):
    from vendors.demo import seed_playbook_rules

    assert seed_playbook_rules(by=manager) is None
