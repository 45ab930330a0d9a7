"""Shared builders for the SLA, compliance and credit tests."""

from datetime import UTC, date, datetime
from decimal import Decimal

from incidents.models import Incident
from vendors import services, sla_services
from vendors.models import VendorAttribution

D = Decimal

# Amazon Connect (2022) bands on monthly uptime: 5 / 15 / 100 %, only above USD 1.
AWS_BANDS = [
    {"kind": "value", "lower": "99.0", "upper": "99.99", "percent": "5"},
    {"kind": "value", "lower": "95.0", "upper": "99.0", "percent": "15"},
    {"kind": "value", "lower": None, "upper": "95.0", "percent": "100"},
]


def ccaas_contract(by, vendor, **fields):
    values = {"title": "CCaaS platform", "start_date": date(2026, 1, 1),
              "end_date": date(2027, 12, 31), "owner": by, "renewal_type": "explicit",
              "fee_lines": [{"name": "AgentSeat", "kind": "subscription", "amount": D("18400")},
                            {"name": "Onboarding", "kind": "one_time", "amount": D("5000")}],
              **fields}
    contract = services.contract_create(by=by, vendor=vendor, **values)
    return services.contract_activate(contract=contract, by=by)


def uptime_objective(by, contract, *, target="99.99", bands=None, **schedule):
    agent_seat = contract.fee_lines.get(name="AgentSeat").pk
    return sla_services.objective_create(
        contract=contract, by=by, name="Monthly uptime", metric="uptime", target=target,
        schedule={"bands": AWS_BANDS if bands is None else bands, "fee_lines": [agent_seat],
                  "minimum_amount": "1", "minimum_rule": "more_than", **schedule})


def outage(by, vendor, start: datetime, minutes: int, number=[0]):  # noqa: B006
    number[0] += 1
    end = datetime.fromtimestamp(start.timestamp() + minutes * 60, tz=UTC)
    incident = Incident.objects.create(
        reference=f"INC-S-{number[0]}", title=f"Platform outage {number[0]}", declared_by=by,
        declared_at=start, contained_at=end, resolved_at=end, state="resolved")
    VendorAttribution.objects.create(vendor=vendor, incident=incident, added_by=by,
                                     added_at=start)
    return incident
