"""The SLA API: objectives with schedules and versions, the all-or-nothing batch push,
compliance read (money hidden from roles without it), credit transitions per role."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from core.choices import Role
from vendors.models import Compliance, Measurement, ServiceCredit

from .sla_helpers import AWS_BANDS, ccaas_contract, outage, uptime_objective

pytestmark = pytest.mark.django_db

APRIL = date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _in_may_2026():
    with time_machine.travel(datetime(2026, 5, 3, 9, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def contract(victor, carrier):
    return ccaas_contract(victor, carrier)


def define_uptime(api, contract):
    seat = contract.fee_lines.get(name="AgentSeat").pk
    return api.post("/api/sla-objectives/", {
        "contract": contract.pk, "name": "Monthly uptime", "metric": "uptime",
        "target": "99.99", "schedule": {"bands": AWS_BANDS, "fee_lines": [seat],
                                        "minimum_amount": "1", "minimum_rule": "more_than"}},
        format="json")


def test_a_vendor_manager_defines_an_objective_with_aws_bands(as_role, contract):
    response = define_uptime(as_role(Role.VENDOR_MANAGER), contract)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == 1 and body["effective_from"] == "2026-01-01"
    assert [b["percent"] for b in body["schedule"]["bands"]] == ["5.0000", "15.0000",
                                                                 "100.0000"]


def test_a_bad_band_is_a_400_naming_the_bands(as_role, contract):
    response = as_role(Role.VENDOR_MANAGER).post("/api/sla-objectives/", {
        "contract": contract.pk, "name": "Uptime", "metric": "uptime", "target": "99.9",
        "schedule": {"bands": [{"kind": "value", "lower": "99", "upper": "98",
                                "percent": "5"}]}}, format="json")
    assert response.status_code == 400
    assert "bands" in response.json()["errors"]


def test_a_viewer_cannot_define_objectives(as_role, contract):
    assert define_uptime(as_role(Role.VIEWER), contract).status_code == 403


def test_revise_makes_a_new_version_from_a_date(as_role, contract):
    api = as_role(Role.VENDOR_MANAGER)
    objective = define_uptime(api, contract).json()
    response = api.post(f"/api/sla-objectives/{objective['id']}/revise/",
                        {"effective_from": "2026-06-01", "target": "99.95"}, format="json")
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["series"]) == (2, objective["series"])


def test_the_batch_push_is_all_or_nothing_and_names_every_bad_row(as_role, contract):
    api = as_role(Role.VENDOR_MANAGER)
    objective = define_uptime(api, contract).json()["id"]
    response = api.post("/api/sla-measurements/batch/", {"measurements": [
        {"objective": objective, "period_start": "2026-03-01", "value": "99.5"},
        {"objective": objective, "period_start": "2026-03-02", "value": "99.5"},
        {"objective": 999999, "period_start": "2026-02-01", "value": "99"},
        {"objective": objective, "period_start": "2026-02-01", "value": "lots"}]},
        format="json")
    assert response.status_code == 400
    rows = response.json()["errors"]["rows"]
    assert rows == ["Row 2, period_start: A month starts on 2026-03-01.",
                    "Row 3, objective: no objective 999999.",
                    "Row 4, value: Give a number."]
    assert not Measurement.objects.filter(source="vendor").exists()
    ok = api.post("/api/sla-measurements/batch/", {"measurements": [
        {"objective": objective, "period_start": "2026-03-01", "value": "99.5"}]},
        format="json")
    assert ok.status_code == 201 and ok.json()[0]["origin"] == "pushed"


def test_compliance_hides_money_from_roles_without_it(as_role, contract, victor, carrier):
    api = as_role(Role.VENDOR_MANAGER)
    define_uptime(api, contract)
    outage(victor, carrier, datetime(2026, 4, 14, 10, tzinfo=UTC), 240)
    from vendors.sla_services import periods_close

    periods_close()
    money = api.get("/api/sla-compliance/?met=false").json()["results"][0]
    assert money["credit_amount"] == "920.00" and "AgentSeat" in money["explanation"]
    responder = as_role(Role.INCIDENT_RESPONDER)
    row = responder.get("/api/sla-compliance/?met=false").json()["results"][0]
    assert row["value"] == "99.4444" and "credit_amount" not in row and "explanation" not in row
    assert responder.get("/api/service-credits/").status_code == 403


@pytest.fixture
def credit(contract, victor, carrier):
    uptime_objective(victor, contract)
    outage(victor, carrier, datetime(2026, 4, 14, 10, tzinfo=UTC), 240)
    from vendors.sla_services import periods_close

    periods_close()
    return ServiceCredit.objects.get()


def test_claim_accept_in_part_and_finance_records_it_received(as_role, credit):
    manager = as_role(Role.VENDOR_MANAGER)
    url = f"/api/service-credits/{credit.pk}"
    assert manager.post(f"{url}/claim/", {}, format="json").json()["state"] == "claimed"
    accepted = manager.post(f"{url}/accept/", {"agreed_amount": "800.00"}, format="json")
    assert accepted.json()["agreed_amount"] == "800.00"
    letter = manager.get(f"{url}/letter/").json()["markdown"]
    assert "Total claimed: EUR 920.00" in letter
    finance = as_role(Role.FINANCE)
    assert finance.post(f"{url}/waive/", {"reason": "x"}, format="json").status_code == 403
    received = finance.post(f"{url}/receive/", {"reference": "CN-9"}, format="json")
    assert (received.json()["state"], received.json()["received_amount"]) == ("received",
                                                                             "800.00")


def test_a_transition_from_the_wrong_state_is_409_with_the_allowed_ones(as_role, credit):
    response = as_role(Role.VENDOR_MANAGER).post(
        f"/api/service-credits/{credit.pk}/receive/", {}, format="json")
    assert response.status_code == 409
    assert set(response.json()["allowed_transitions"]) == {"claim", "waive"}


def test_waive_without_a_reason_is_a_400_naming_it(as_role, credit):
    response = as_role(Role.VENDOR_MANAGER).post(
        f"/api/service-credits/{credit.pk}/waive/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "waive_reason" in response.json()["errors"]


def test_lists_answer_in_a_fixed_number_of_queries(as_role, credit, django_assert_max_num_queries):
    api = as_role(Role.VENDOR_MANAGER)
    for path in ("/api/service-credits/", "/api/sla-compliance/", "/api/sla-measurements/",
                 "/api/sla-objectives/"):
        with django_assert_max_num_queries(12):
            assert api.get(path).status_code == 200
    assert Compliance.objects.count() >= 1
