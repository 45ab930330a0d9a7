"""The budgets API: who reads and writes what (money only to money roles; every role
reads initiatives without their amounts), budgets with actual spend in one query, spend
filters and batches (all or nothing, every bad row named), initiative transitions
(409 with the allowed ones, 400 naming the field), baselines, benefits and figures,
constant query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from budgets import initiatives, services
from budgets.choices import SpendOrigin
from budgets.models import Budget, BudgetAlert, CostRate, Initiative, SpendEntry, SpendImport
from core.choices import Role
from tests.factories import ANONYMOUS
from tests.support.api import assert_conflict, assert_missing

pytestmark = pytest.mark.django_db

D = Decimal
ROLES = [Role.MANAGER, Role.FINANCE, Role.VENDOR_MANAGER, Role.INCIDENT_RESPONDER,
         Role.ESCALATION_LEAD, Role.VIEWER, ANONYMOUS]
MONEY_ROLES = {Role.MANAGER, Role.FINANCE, Role.VENDOR_MANAGER}
BUDGET_SETTERS = {Role.MANAGER, Role.FINANCE}
AMOUNTS = ("estimated_cost", "expected_benefit", "approved_cost", "realised_benefit")


@pytest.fixture
def proposal(victor, vendor_budget):
    return initiatives.initiative_propose(
        by=victor, title="Billing bot", budget=vendor_budget, estimated_cost="40000.00",
        expected_benefit="90000.00")


@pytest.fixture
def approved(proposal, finance):
    return initiatives.initiative_approve(initiative=proposal, by=finance,
                                          approved_cost="38000.00")


@pytest.fixture
def world(finance, vendor_budget, approved, contract):
    """One of each money object, so every read has something to show."""
    entry = services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 4, 30),
                                  amount="200000.00", contract=contract)  # 80 %: an alert
    initiatives.benefit_record(initiative=approved, by=finance, period_start=date(2026, 4, 1),
                               amount="7000.00")
    rate = CostRate.objects.create(kind="agent_hour", amount=D("31.50"),
                                   effective_from=date(2026, 1, 1))
    return {"entry": entry, "rate": rate, "alert": BudgetAlert.objects.get(scope="budget")}


# --- Who reads what -----------------------------------------------------------------------------

MONEY_READS = ["/api/fiscal-years/", "/api/cost-centers/", "/api/budgets/",
               "/api/budgets/{budget}/", "/api/spend/", "/api/spend/{entry}/",
               "/api/spend-imports/", "/api/budget-alerts/", "/api/budget-alerts/{alert}/",
               "/api/benefit-records/", "/api/cost-rates/", "/api/cost-rates/{rate}/",
               "/api/initiatives/{initiative}/figures/",
               "/api/initiatives/{initiative}/benefits/"]
EVERYONE_READS = ["/api/initiatives/", "/api/initiatives/{initiative}/"]


def _paths(paths, world, vendor_budget, approved):
    ids = {"budget": vendor_budget.pk, "entry": world["entry"].pk, "alert": world["alert"].pk,
           "rate": world["rate"].pk, "initiative": approved.pk}
    return [path.format(**ids) for path in paths]


@pytest.mark.parametrize("role", ROLES)
def test_money_is_read_by_money_roles_only(as_role, role, world, vendor_budget, approved):
    client = as_role(role)
    statuses = {path: client.get(path).status_code
                for path in _paths(MONEY_READS, world, vendor_budget, approved)}
    expected = 200 if role in MONEY_ROLES else 403
    assert statuses == dict.fromkeys(statuses, expected)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_initiatives(as_role, role, world, vendor_budget, approved):
    client = as_role(role)
    statuses = {client.get(path).status_code
                for path in _paths(EVERYONE_READS, world, vendor_budget, approved)}
    assert statuses == ({403} if role == ANONYMOUS else {200})


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INCIDENT_RESPONDER, Role.ESCALATION_LEAD])
def test_a_viewer_sees_an_initiative_without_any_amount(as_role, role, approved):
    client = as_role(role)
    one = client.get(f"/api/initiatives/{approved.pk}/").json()
    listed = client.get("/api/initiatives/").json()["results"][0]
    for body in (one, listed):
        assert body["reference"] == approved.reference and body["state"] == "approved"
        assert not set(AMOUNTS) & set(body), body
        assert "38000" not in str(body) and "90000" not in str(body)


def test_a_money_role_sees_the_amounts(api_as, victor, approved):
    body = api_as(victor).get(f"/api/initiatives/{approved.pk}/").json()
    assert (body["estimated_cost"], body["expected_benefit"], body["approved_cost"]) == (
        "40000.00", "90000.00", "38000.00")
    assert body["realised_benefit"] is None


def test_the_baseline_rates_are_money(api_as, victor, viewer, approved):
    api_as(victor).post(f"/api/initiatives/{approved.pk}/baseline/", {
        "method": "aht_reduction", "aht_seconds": "412", "cost_per_minute": "0.72",
        "contacts_per_month": 48000}, format="json")
    seen = api_as(victor).get(f"/api/initiatives/{approved.pk}/baseline/").json()
    assert (seen["aht_seconds"], seen["cost_per_minute"]) == ("412.00", "0.7200")
    hidden = api_as(viewer).get(f"/api/initiatives/{approved.pk}/baseline/").json()
    assert hidden["aht_seconds"] == "412.00" and hidden["contacts_per_month"] == 48000
    assert "cost_per_minute" not in hidden and "cost_per_contact" not in hidden


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
def test_unknown_ids_are_404_for_money_roles(as_role, role):
    client = as_role(role)
    for path in ("/api/budgets/999999/", "/api/spend/999999/", "/api/initiatives/999999/",
                 "/api/cost-rates/999999/", "/api/spend-imports/999999/"):
        assert client.get(path).status_code == 404, path


def test_unknown_money_ids_are_403_for_others(as_role):
    client = as_role(Role.VIEWER)
    assert client.get("/api/budgets/999999/").status_code == 403
    assert client.get("/api/initiatives/999999/").status_code == 404


# --- Who writes what ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_finance_and_managers_set_budgets_record_spend_and_set_rates(as_role, role, year, ops,
                                                                     vendor_budget):
    client = as_role(role)
    budget = client.post("/api/budgets/", {"fiscal_year": year.pk, "category": "other",
                                           "cost_center": ops.pk, "amount": "1000.00"})
    spend = client.post("/api/spend/", {"budget": vendor_budget.pk, "date": "2026-05-02",
                                        "amount": "12.50"})
    rate = client.post("/api/cost-rates/", {"kind": "agent_hour", "amount": "30",
                                            "effective_from": "2026-01-01"})
    center = client.post("/api/cost-centers/", {"code": "CC-9", "name": "Back office"})
    expected = 201 if role in BUDGET_SETTERS else 403
    assert [r.status_code for r in (budget, spend, rate, center)] == [expected] * 4


@pytest.mark.parametrize("role", ROLES)
def test_who_proposes_and_approves_initiatives(as_role, role, proposal):
    client = as_role(role)
    proposed = client.post("/api/initiatives/", {"title": "IVR rewrite"})
    approved = client.post(f"/api/initiatives/{proposal.pk}/approve/",
                           {"approved_cost": "30000.00"})
    expected = (201 if role in MONEY_ROLES else 403,
                200 if role in BUDGET_SETTERS else 403)
    assert (proposed.status_code, approved.status_code) == expected


# --- Budgets ------------------------------------------------------------------------------------


def test_a_budget_shows_planned_actual_and_consumption(api_as, finance, vendor_budget,
                                                       received_credit, contract):
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 4, 30),
                          amount="18400.00", contract=contract)
    body = api_as(finance).get(f"/api/budgets/{vendor_budget.pk}/").json()
    # The credit received (−920.00) offsets the vendor's line.
    assert (body["planned"], body["actual"], body["remaining"]) == (
        "240000.00", "17480.00", "222520.00")
    assert body["consumption_percent"] == "7.28"
    assert body["monthly"] == ["20000.00"] * 12
    assert body["contracts"] == [contract.pk]
    assert body["fiscal_year_name"] == "FY2026"


def test_a_budget_set_for_a_year_by_name_creates_the_year(api_as, finance, ops):
    response = api_as(finance).post("/api/budgets/", {
        "fiscal_year": "FY2027", "category": "tooling", "cost_center": ops.pk,
        "amount": "1200.00", "phasing": ["100.00"] * 12, "alert_thresholds": [50, 90]})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["fiscal_year_name"] == "FY2027" and body["alert_thresholds"] == [50, 90]
    assert Budget.objects.get(pk=body["id"]).history.get().history_user == finance


def test_a_budget_refusal_names_the_field(api_as, finance, ops, year):
    response = api_as(finance).post("/api/budgets/", {
        "fiscal_year": year.pk, "category": "tooling", "cost_center": ops.pk,
        "amount": "1200.00", "phasing": ["100.00"] * 11 + ["99.00"]})
    assert "add up to 1199" in assert_missing(response, "phasing")["errors"]["phasing"][0]
    assert_missing(api_as(finance).post("/api/budgets/", {
        "fiscal_year": "FY1066", "category": "tooling", "cost_center": ops.pk,
        "amount": "1"}), "fiscal_year")


def test_a_budget_change_and_delete_go_through_the_services(api_as, finance, tooling_budget,
                                                            vendor_budget, contract):
    client = api_as(finance)
    changed = client.patch(f"/api/budgets/{tooling_budget.pk}/",
                           {"amount": "65000.00", "reason": "Price rise"})
    assert changed.json()["planned"] == "65000.00"
    assert tooling_budget.history.first().history_change_reason == "Price rise"
    assert client.delete(f"/api/budgets/{tooling_budget.pk}/").status_code == 204
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 5, 1),
                          amount="10", contract=contract)
    assert client.delete(f"/api/budgets/{vendor_budget.pk}/").status_code == 409


# --- Spend --------------------------------------------------------------------------------------


def test_spend_pushed_by_the_api_is_recorded_as_such(api_as, finance, vendor_budget, contract):
    response = api_as(finance).post("/api/spend/", {
        "budget": vendor_budget.pk, "date": "2026-05-02", "amount": "1840.00",
        "contract": contract.pk, "invoice_reference": "INV-1"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["origin"], body["vendor_name"], body["contract_reference"]) == (
        "api", "Skyline CCaaS", contract.reference)


def test_spend_refusals_name_the_field(api_as, finance, vendor_budget):
    client = api_as(finance)
    assert "outside FY2026" in assert_missing(client.post("/api/spend/", {
        "budget": vendor_budget.pk, "date": "2027-01-02", "amount": "10"}),
        "date")["errors"]["date"][0]
    assert_missing(client.post("/api/spend/", {"budget": vendor_budget.pk,
                                               "date": "2026-05-02", "amount": "0"}), "amount")
    assert not SpendEntry.objects.exists()


def test_spend_is_corrected_and_removed_with_a_reason(api_as, finance, world):
    client = api_as(finance)
    entry = world["entry"]
    changed = client.patch(f"/api/spend/{entry.pk}/", {"amount": "190000.00",
                                                       "reason": "Credit note"})
    assert changed.json()["amount"] == "190000.00"
    assert_missing(client.delete(f"/api/spend/{entry.pk}/"), "reason")
    assert client.delete(f"/api/spend/{entry.pk}/?reason=Duplicate").status_code == 204
    assert not SpendEntry.objects.filter(pk=entry.pk).exists()
    assert entry.history.first().history_change_reason == "Duplicate"


def test_a_credit_offset_cannot_be_edited_through_the_api(api_as, finance, vendor_budget,
                                                          received_credit):
    offset = SpendEntry.objects.get(origin=SpendOrigin.CREDIT)
    assert_missing(api_as(finance).patch(f"/api/spend/{offset.pk}/", {"amount": "-1"}),
                   "origin")
    body = api_as(finance).get(f"/api/spend/{offset.pk}/").json()
    assert body["service_credit"] == received_credit.pk and body["amount"] == "-920.00"


def test_spend_filters(api_as, finance, vendor_budget, tooling_budget, contract, approved):
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 2, 1),
                          amount="100", contract=contract)
    services.spend_record(by=finance, budget=tooling_budget, date=date(2026, 3, 1),
                          amount="200", initiative=approved, cost_type="one_time")
    services.spend_record(by=finance, budget=tooling_budget, date=date(2026, 4, 1),
                          amount="300", origin=SpendOrigin.API)
    client = api_as(finance)

    def amounts(**query):
        response = client.get("/api/spend/", query)
        assert response.status_code == 200, response.json()
        return sorted(row["amount"] for row in response.json()["results"])

    assert amounts() == ["100.00", "200.00", "300.00"]
    assert amounts(budget=tooling_budget.pk) == ["200.00", "300.00"]
    assert amounts(category="vendor_contracts") == ["100.00"]
    assert amounts(vendor=contract.vendor_id) == ["100.00"]
    assert amounts(contract=contract.pk) == ["100.00"]
    assert amounts(initiative=approved.pk) == ["200.00"]
    assert amounts(date_from="2026-02-15", date_to="2026-03-31") == ["200.00"]
    assert amounts(origin="api") == ["300.00"]
    assert amounts(cost_type="one_time") == ["200.00"]
    assert amounts(fiscal_year=vendor_budget.fiscal_year_id) == ["100.00", "200.00", "300.00"]
    assert_missing(client.get("/api/spend/", {"budget": "¹"}), "budget")


def test_a_batch_is_all_or_nothing_and_names_every_bad_row(api_as, finance, vendor_budget,
                                                           contract):
    client = api_as(finance)
    good = {"budget": vendor_budget.pk, "date": "2026-05-01", "amount": "10.00"}
    response = client.post("/api/spend/batch/", {"entries": [
        good, {**good, "amount": "1,000.00"}, {**good, "budget": "FY2026/tooling/CC-410"},
        {**good, "date": "2027-02-01", "vendor": "Nobody"}]})
    body = response.json()
    assert response.status_code == 400 and body["code"] == "import_refused"
    assert [(r["row"], r["column"]) for r in body["rows"]] == [
        (2, "amount"), (3, "budget"), (4, "date"), (4, "vendor")]
    assert "row 2: amount" in body["errors"]
    assert not SpendEntry.objects.exists()

    response = client.post("/api/spend/batch/", {"entries": [
        good, {**good, "budget": "FY2026/Vendor contracts/cc-410", "contract": contract.pk,
               "amount": 20.5}]})
    assert response.status_code == 201, response.json()
    assert (response.json()["rows"], response.json()["total"]) == (2, "30.50")
    assert set(SpendEntry.objects.values_list("origin", flat=True)) == {"api"}
    assert list(vendor_budget.contracts.all()) == [contract]


# --- Spend imports ------------------------------------------------------------------------------


def test_a_spend_file_is_imported_through_the_api(api_as, finance, vendor_budget):
    upload = SimpleUploadedFile("may.csv", b"date,amount,budget\n2026-05-01,12.00,"
                                + str(vendor_budget.pk).encode() + b"\n")
    response = api_as(finance).post("/api/spend-imports/", {"file": upload},
                                    format="multipart")
    assert response.status_code == 201, response.json()
    assert (response.json()["outcome"], response.json()["rows"]) == ("imported", 1)


def test_a_refused_spend_file_names_its_rows_and_is_recorded(api_as, finance, vendor_budget):
    upload = SimpleUploadedFile("may.csv", b"date,amount,budget\n2026-05-01,abc,"
                                + str(vendor_budget.pk).encode() + b"\n")
    response = api_as(finance).post("/api/spend-imports/", {"file": upload},
                                    format="multipart")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "import_refused"
    assert [(r["row"], r["column"]) for r in body["rows"]] == [(2, "amount")]
    record = SpendImport.objects.get()
    assert body["import_id"] == record.pk and record.outcome == "refused"
    listed = api_as(finance).get(f"/api/spend-imports/{record.pk}/").json()
    assert listed["errors"][0]["column"] == "amount"


def test_a_spend_import_needs_a_file(api_as, finance):
    assert_missing(api_as(finance).post("/api/spend-imports/", {}, format="multipart"), "file")


# --- Initiatives --------------------------------------------------------------------------------


def test_an_initiative_goes_through_its_lifecycle(api_as, victor, finance, vendor_budget):
    owner = api_as(victor)
    created = owner.post("/api/initiatives/", {
        "title": "Billing bot", "budget": vendor_budget.pk, "estimated_cost": "40000.00"})
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["allowed_transitions"] == ["cancel"]
    # Approval needs the expected benefit stated (400 naming it), by Finance.
    assert_missing(api_as(finance).post(f"/api/initiatives/{pk}/approve/",
                                        {"approved_cost": "38000.00"}), "expected_benefit")
    approved = api_as(finance).post(f"/api/initiatives/{pk}/approve/", {
        "approved_cost": "38000.00", "expected_benefit": "90000.00", "note": "Q2"})
    assert approved.json()["state"] == "approved"
    owner = api_as(victor)
    assert owner.post(f"/api/initiatives/{pk}/start/").json()["state"] == "in_progress"
    delivered = owner.post(f"/api/initiatives/{pk}/deliver/").json()
    assert (delivered["state"], delivered["review_due_on"]) == ("delivered", "2026-08-03")
    assert_conflict(owner.post(f"/api/initiatives/{pk}/start/"), transition="start",
                    state="delivered", allowed=["review_benefits"])
    owner.post(f"/api/initiatives/{pk}/benefits/", {"period_start": "2026-05-10",
                                                    "amount": "7500.00"})
    reviewed = owner.post(f"/api/initiatives/{pk}/review-benefits/", {"notes": "On track"})
    assert (reviewed.json()["state"], reviewed.json()["realised_benefit"]) == (
        "benefits_reviewed", "7500.00")
    assert Initiative.objects.get(pk=pk).history.count() >= 5


def test_cancelling_needs_a_reason(api_as, victor, proposal):
    client = api_as(victor)
    assert_missing(client.post(f"/api/initiatives/{proposal.pk}/cancel/", {"reason": " "}),
                   "cancel_reason")
    cancelled = client.post(f"/api/initiatives/{proposal.pk}/cancel/", {"reason": "No budget"})
    assert cancelled.json()["state"] == "cancelled"


def test_a_vendor_manager_does_not_approve(api_as, victor, proposal):
    response = api_as(victor).post(f"/api/initiatives/{proposal.pk}/approve/",
                                   {"approved_cost": "1.00"})
    assert response.status_code == 403


def test_an_initiative_is_changed_by_its_owner_not_by_another_vendor_manager(
        api_as, make_user, victor, proposal):
    other = make_user(Role.VENDOR_MANAGER, username="valerie")
    assert api_as(victor).patch(f"/api/initiatives/{proposal.pk}/",
                                {"title": "Billing bot v2"}).status_code == 200
    # A vendor manager edits initiatives (change_initiative): the rule allows it too.
    assert api_as(other).patch(f"/api/initiatives/{proposal.pk}/",
                               {"title": "Billing bot v3"}).status_code == 200


def test_benefits_figures_and_derivation(api_as, victor, approved, finance, contract,
                                         vendor_budget):
    client = api_as(victor)
    assert_missing(client.post(f"/api/initiatives/{approved.pk}/derive-benefit/",
                               {"period_start": "2026-04-01"}), "baseline")
    recorded = client.post(f"/api/initiatives/{approved.pk}/benefits/", {
        "period_start": "2026-04-01", "amount": "9500.00", "kind": "cost_saved"})
    assert recorded.status_code == 201, recorded.json()
    assert_missing(client.post(f"/api/initiatives/{approved.pk}/benefits/", {
        "period_start": "2026-04-20", "amount": "1.00"}), "period_start")
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 4, 2),
                          amount="19000.00", initiative=approved, cost_type="one_time")
    figures = client.get(f"/api/initiatives/{approved.pk}/figures/").json()
    assert (figures["cost"], figures["benefit"], figures["cost_source"]) == (
        "19000.00", "9500.00", "spend")
    assert figures["roi_percent"] == "-50.00"
    assert figures["payback_months"] == "2.0"
    assert figures["series"] == [{"month": "2026-04-01", "cost": "19000.00",
                                  "benefit": "9500.00"}]
    assert "ROI = (benefit − cost) ÷ cost" in figures["formulas"]["roi_percent"]
    listed = client.get(f"/api/initiatives/{approved.pk}/benefits/").json()
    assert [b["amount"] for b in listed] == ["9500.00"]


def test_a_proposed_initiative_takes_no_benefit(api_as, victor, proposal):
    assert_missing(api_as(victor).post(f"/api/initiatives/{proposal.pk}/benefits/", {
        "period_start": "2026-04-01", "amount": "1.00"}), "initiative")


def test_a_viewer_may_not_record_benefits_or_take_a_baseline(api_as, viewer, approved):
    client = api_as(viewer)
    assert client.post(f"/api/initiatives/{approved.pk}/benefits/", {
        "period_start": "2026-04-01", "amount": "1.00"}).status_code == 403
    assert client.post(f"/api/initiatives/{approved.pk}/baseline/", {
        "method": "aht_reduction", "aht_seconds": "1", "cost_per_minute": "1"}
    ).status_code == 403


# --- Rates --------------------------------------------------------------------------------------


def test_cost_rates_are_validated_per_kind(api_as, finance):
    client = api_as(finance)
    assert_missing(client.post("/api/cost-rates/", {"kind": "responder", "amount": "60",
                                                    "effective_from": "2026-01-01"}), "role")
    assert_missing(client.post("/api/cost-rates/", {"kind": "lost_contact", "amount": "4",
                                                    "effective_from": "2026-01-01"}), "channel")
    created = client.post("/api/cost-rates/", {"kind": "lost_contact", "channel": "voice",
                                               "amount": "4.5", "effective_from": "2026-01-01"})
    assert created.status_code == 201 and created.json()["amount"] == "4.5000"
    pk = created.json()["id"]
    assert client.patch(f"/api/cost-rates/{pk}/", {"amount": "5"}).json()["amount"] == "5.0000"
    assert client.delete(f"/api/cost-rates/{pk}/").status_code == 204


# --- Constant query counts ----------------------------------------------------------------------


def _fill(count, finance, victor):
    from budgets.models import CostCenter

    first = CostCenter.objects.count()
    year = services.fiscal_year_for(date(2026, 5, 3))
    for number in range(first, first + count):
        center = CostCenter.objects.create(code=f"CC-{number}", name=f"Center {number}")
        budget = services.budget_create(by=finance, fiscal_year=year, category="tooling",
                                        cost_center=center, amount="100.00", owner=finance)
        initiative = initiatives.initiative_propose(by=victor, title=f"Idea {number}",
                                                    budget=budget)
        initiative = initiatives.initiative_approve(initiative=initiative, by=finance,
                                                    approved_cost="10", expected_benefit="20")
        initiatives.benefit_record(initiative=initiative, by=victor,
                                   period_start=date(2026, 4, 1), amount="5")
        services.spend_record(by=finance, budget=budget, date=date(2026, 5, 1), amount="90",
                              initiative=initiative, invoice_reference=f"INV-{number}")
        CostRate.objects.create(kind="responder", role="scribe", amount=D("40"),
                                effective_from=date(2026, 1, number + 1))
        SpendImport.objects.create(file_name=f"f{number}.csv", by=finance,
                                   at=initiative.created_at, outcome="refused")


# Permissions (three: the user's own, its groups', the money capability's), the count,
# the page, and what the page prefetches (a budget's contracts, an initiative's queues).
LIST_ENDPOINTS = {"/api/budgets/": 6, "/api/spend/": 5, "/api/initiatives/": 6,
                  "/api/budget-alerts/": 5, "/api/benefit-records/": 5,
                  "/api/cost-rates/": 5, "/api/cost-centers/": 5, "/api/spend-imports/": 5,
                  "/api/fiscal-years/": 5}
# Rows listed after one fill and after five (each budget fires its 80 % alert, and the
# category its own once).
ROWS = {"/api/budget-alerts/": (2, 6), "/api/fiscal-years/": (1, 1)}


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_list_query_count_is_constant(api_as, finance, victor, path, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    def fresh():
        return get_user_model().objects.get(pk=finance.pk)  # no permission cache

    _fill(1, finance, victor)
    with django_assert_num_queries(LIST_ENDPOINTS[path]):
        small = api_as(fresh()).get(path)
    _fill(4, finance, victor)
    with django_assert_num_queries(LIST_ENDPOINTS[path]):
        large = api_as(fresh()).get(path)
    assert (small.json()["count"], large.json()["count"]) == ROWS.get(path, (1, 5))


def test_a_year_named_by_the_api_follows_the_configured_start_month(settings, db):
    from budgets.configuration import fiscal_year_named

    settings.SWITCHBOARD_FISCAL_YEAR_START_MONTH = 4
    year = fiscal_year_named("fy2027")
    assert (year.name, year.first_day, year.last_day) == ("FY2027", date(2026, 4, 1),
                                                          date(2027, 3, 31))
    assert fiscal_year_named(str(year.pk)) == year == fiscal_year_named("FY2027")


def test_a_batch_refuses_fields_it_does_not_know(api_as, finance, vendor_budget):
    response = api_as(finance).post("/api/spend/batch/", {"entries": [
        {"budget": vendor_budget.pk, "date": "2026-05-01", "amount": "1", "ammount": "2"}]})
    assert response.status_code == 400
    assert response.json()["rows"][0]["column"] == "ammount"
    assert not SpendEntry.objects.exists()
