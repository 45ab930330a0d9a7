from datetime import date

import pytest

from core.choices import Role
from vendors import services
from vendors.choices import ContactRole, RenewalType, VendorCategory


@pytest.fixture
def victor(make_user):
    """A vendor manager."""
    return make_user(Role.VENDOR_MANAGER, username="victor", first_name="Victor",
                     last_name="Nakamura", is_staff=True)


@pytest.fixture
def responder(make_user):
    return make_user(Role.INCIDENT_RESPONDER, username="ivan", first_name="Ivan",
                     last_name="Petrov")


@pytest.fixture
def carrier(victor):
    vendor = services.vendor_create(by=victor, name="Northwind Telecom",
                                    category=VendorCategory.CARRIER,
                                    status_page_url="https://status.northwind.example")
    services.contact_save(vendor=vendor, by=victor, name="Northwind NOC", role=ContactRole.NOC,
                          phone="+44 20 7946 0000", hours="24×7", escalation_order=1)
    services.contact_save(vendor=vendor, by=victor, name="Duty manager",
                          role=ContactRole.ESCALATION, phone="+44 20 7946 0001",
                          escalation_order=2)
    services.contact_save(vendor=vendor, by=victor, name="Anna Sales",
                          role=ContactRole.ACCOUNT_MANAGER, email="anna@northwind.example")
    return vendor


@pytest.fixture
def make_contract(victor, carrier):
    def make(*, activate=True, by=None, vendor=None, **fields):
        values = {"title": "SIP trunks", "start_date": date(2026, 1, 1),
                  "end_date": date(2026, 12, 31), "owner": victor,
                  "renewal_type": RenewalType.AUTOMATIC, "renewal_term_months": 12,
                  "notice_period": 90, "notice_unit": "days", **fields}
        contract = services.contract_create(by=by or victor, vendor=vendor or carrier, **values)
        if activate:
            contract = services.contract_activate(contract=contract, by=by or victor)
        return contract

    return make
