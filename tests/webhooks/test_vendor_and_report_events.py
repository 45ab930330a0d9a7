"""The vendor and report producers: a credit accrued, a contract entering its notice
period and a finished report pack each become a delivery, in the producer's
transaction (the sweep or the task that made the change)."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from core.choices import Role
from integrations.webhooks.models import WebhookDelivery
from tests.vendors.sla_helpers import ccaas_contract, outage, uptime_objective
from vendors import services as vendor_services
from vendors import sla_services
from vendors.deadlines import contract_deadlines_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def victor(make_user):
    return make_user(Role.VENDOR_MANAGER, username="victor", is_staff=True)


@pytest.fixture
def carrier(victor):
    return vendor_services.vendor_create(by=victor, name="Northwind Telecom",
                                         category="carrier")


def _payload(event_type):
    return WebhookDelivery.objects.get(event_type=event_type).payload


def test_a_credit_accrued_is_an_event(subscribe, victor, carrier):
    subscribe("vendor.credit_accrued")
    with time_machine.travel(datetime(2026, 5, 3, 9, tzinfo=UTC), tick=False):
        objective = uptime_objective(victor, ccaas_contract(victor, carrier))
        outage(victor, carrier, datetime(2026, 4, 14, 10, tzinfo=UTC), 240)
        sla_services.compliance_compute(objective=objective, period_start=date(2026, 4, 1),
                                        by=None)
        # Computing the period again accrues nothing new: no second event.
        sla_services.compliance_compute(objective=objective, period_start=date(2026, 4, 1),
                                        by=None)
    credit = _payload("vendor.credit_accrued")["data"]["credit"]
    assert (credit["vendor"], credit["amount"], credit["currency"]) == (
        "Northwind Telecom", "920.00", "EUR")


def test_a_contract_entering_its_notice_period_is_an_event(subscribe, victor, carrier):
    subscribe("contract.entering_notice")
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False):
        contract = vendor_services.contract_create(
            by=victor, vendor=carrier, title="SIP trunks", start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31), owner=victor, renewal_type="automatic",
            renewal_term_months=12, notice_period=90, notice_unit="days")
        vendor_services.contract_activate(contract=contract, by=victor)
    when = datetime(2026, 7, 4, 9, tzinfo=UTC)  # 90 days before the 2 Oct notice date
    with time_machine.travel(when, tick=False):
        contract_deadlines_sweep(now=when)
    data = _payload("contract.entering_notice")["data"]
    assert data["days_left"] == 90
    assert data["contract"]["notice_date"] == "2026-10-02"


def test_a_finished_report_pack_is_an_event(subscribe, manager, carrier, settings, tmp_path,
                                            django_capture_on_commit_callbacks):
    from reports.services import pack_request

    settings.MEDIA_ROOT = tmp_path
    subscribe("report.pack_ready")
    with django_capture_on_commit_callbacks(execute=True):
        pack = pack_request(by=manager, vendor=carrier, period="month",
                            period_start=date(2026, 4, 1), formats=["csv"])
    pack.refresh_from_db()
    assert pack.status == "done"
    data = _payload("report.pack_ready")["data"]["pack"]
    assert (data["id"], data["vendor"], data["formats"]) == (pack.pk, "Northwind Telecom",
                                                             ["csv"])
