"""The vendors app's objects for the bad-input fuzz (tests/nasty_input.py)."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone


def extend(world):
    from vendors import services
    from vendors.models import ContractDocument

    user = world.user
    today = timezone.localdate()
    vendor = services.vendor_create(by=user, name="Fuzz Carrier", category="carrier")
    # A second vendor for the attribution the POST body makes (the first is taken).
    other = services.vendor_create(by=user, name="Fuzz CCaaS", category="ccaas")
    contact = services.contact_save(vendor=vendor, by=user, name="NOC", role="noc",
                                    phone="+44 20 7946 0000", email="noc@example.com")
    contract = services.contract_create(
        by=user, vendor=vendor, title="SIP trunks", start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=300), value=Decimal("12000.00"),
        owner=user)
    services.contract_activate(contract=contract, by=user)  # a renewal can be decided
    incident_id = world.ids["incidents"]
    from incidents.models import Incident

    incident = Incident.objects.get(pk=incident_id)
    attribution = services.attribution_add(vendor=vendor, by=user, incident=incident,
                                           reason="Carrier outage")
    now = timezone.now()
    exclusion = services.exclusion_add(
        vendor=vendor, by=user, kind="force_majeure", starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2), reason="Storm")
    document = ContractDocument.objects.create(
        contract=contract, title="Signed contract", uploaded_by=user, uploaded_at=now,
        file=ContentFile(b"%PDF-1.4 fuzz", name="fuzz.pdf"), size=13)
    world.ids.update({
        "vendors": vendor.pk, "vendor-contacts": contact.pk, "contracts": contract.pk,
        "vendor-attributions": attribution.pk, "downtime-exclusions": exclusion.pk,
        "contract-documents": document.pk,
    })
    world.bodies.update({
        "POST /api/vendors/": {"name": "New vendor", "category": "crm"},
        "POST /api/contracts/": {
            "vendor": vendor.pk, "title": "CRM licences",
            "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=365)).isoformat()},
        "POST /api/vendor-attributions/": {"vendor": other.pk, "incident": incident_id,
                                           "reason": "Again"},
        "POST /api/contracts/{id}/decide/": {"decision": "renegotiate", "reason": "Price"},
    })
