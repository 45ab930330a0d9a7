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

    _extend_sla(world, vendor, today)


def _extend_sla(world, vendor, today):
    """An SLA objective missed last month, its measurement, compliance and credit."""
    from vendors import services, sla_services
    from vendors.models import Compliance, Measurement
    from vendors.sla import period_start, previous_period

    user = world.user
    last_month = previous_period(period_start(today, "month"), "month")
    start = previous_period(last_month, "month")
    contract = services.contract_create(
        by=user, vendor=vendor, title="CCaaS seats", start_date=start,
        end_date=today + timedelta(days=300), owner=user, renewal_type="explicit",
        fee_lines=[{"name": "AgentSeat", "kind": "subscription", "amount": Decimal("9000")}])
    contract = services.contract_activate(contract=contract, by=user)
    objective = sla_services.objective_create(
        contract=contract, by=user, name="QA score", metric="qa_score", target="90",
        schedule={"bands": [{"kind": "value", "upper": "90", "percent": "5"}]})
    sla_services.measurement_record(objective=objective, by=user, period_start=last_month,
                                    value="85")
    compliance = Compliance.objects.get(objective=objective, period_start=last_month)
    measurement = Measurement.objects.get(objective=objective, period_start=last_month)
    world.ids.update({"sla-objectives": objective.pk, "sla-measurements": measurement.pk,
                      "sla-compliance": compliance.pk, "service-credits": compliance.credit.pk})
    schedule = {"bands": [{"kind": "value", "lower": "80", "upper": "90", "percent": "5"}],
                "fee_lines": [contract.fee_lines.get().pk], "minimum_amount": "1",
                "claim_window_days": 30}
    world.bodies.update({
        "POST /api/sla-objectives/": {"contract": contract.pk, "name": "Uptime",
                                      "metric": "uptime", "target": "99.9",
                                      "schedule": schedule},
        "POST /api/sla-objectives/{id}/revise/": {"effective_from": today.isoformat(),
                                                  "target": "91", "schedule": schedule},
        "POST /api/sla-measurements/batch/": {"measurements": [
            {"objective": objective.pk, "period_start": last_month.isoformat(),
             "value": "86"}]},
        "POST /api/service-credits/{id}/claim/": {"amount": "10.00", "note": "x"},
        "POST /api/service-credits/{id}/accept/": {"agreed_amount": "1.00"},
        "POST /api/service-credits/{id}/dispute/": {"reason": "Vendor says no"},
        "POST /api/service-credits/{id}/reclaim/": {"counter_amount": "5.00"},
        "POST /api/service-credits/{id}/receive/": {"amount": "1.00", "reference": "CN"},
        "POST /api/service-credits/{id}/waive/": {"reason": "Goodwill"},
    })
    world.forms.update({
        f"/vendors/objectives/{objective.pk}/measurements/": {
            "period_start": last_month.isoformat(), "value": "87", "source": "vendor",
            "detail": "Report"},
        f"/vendors/credits/{compliance.credit.pk}/claim/": {"amount": "10.00", "note": "x"},
        f"/vendors/credits/{compliance.credit.pk}/waive/": {"reason": "Goodwill"},
        f"/vendors/contracts/{contract.pk}/objectives/add/": {
            "name": "Uptime", "metric": "uptime", "comparator": "at_least", "target": "99.9",
            "period": "month", "uptime_formula": "plain", "excluded_kinds": "maintenance",
            "band_0_kind": "value", "band_0_upper": "99.9", "band_0_percent": "10",
            "minimum_rule": "at_least", "claim_window_days": "30",
            "claim_window_from": "period_end", "payment": "refund", "queue_ids": "1, 2"},
    })
