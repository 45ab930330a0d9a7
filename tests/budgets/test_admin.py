"""Budgets in the admin: every model with its history, saves and initiative transitions
through the services (refusals shown), money hidden from staff who do not see it,
records and incident costs read-only."""

from datetime import date

import pytest

from budgets import initiatives, services
from budgets.choices import InitiativeState, SpendOrigin
from budgets.models import Budget, Initiative, SpendEntry
from core.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def fiona(make_user):
    """Finance, working in the admin."""
    return make_user(Role.FINANCE, username="fiona-staff", is_staff=True)


@pytest.fixture
def proposal(victor, vendor_budget):
    return initiatives.initiative_propose(by=victor, title="Billing bot", budget=vendor_budget,
                                          estimated_cost="40000.00", expected_benefit="91234.00")


@pytest.fixture
def entry(finance, vendor_budget, contract):
    return services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 4, 30),
                                 amount="18400.00", contract=contract)


def test_finance_works_in_the_admin(client, fiona, vendor_budget, entry, proposal):
    client.force_login(fiona)
    models = ["fiscalyear", "costcenter", "budget", "budgetalert", "spendentry", "spendimport",
              "initiative", "baseline", "benefitrecord", "costrate", "incidentcost"]
    pages = [f"/admin/budgets/{model}/" for model in models] + [
        f"/admin/budgets/budget/{vendor_budget.pk}/change/",
        f"/admin/budgets/budget/{vendor_budget.pk}/history/",
        f"/admin/budgets/spendentry/{entry.pk}/change/",
        f"/admin/budgets/spendentry/{entry.pk}/history/",
        f"/admin/budgets/initiative/{proposal.pk}/change/",
        f"/admin/budgets/initiative/{proposal.pk}/history/",
        "/admin/budgets/budget/add/", "/admin/budgets/initiative/add/",
        "/admin/budgets/costrate/add/"]
    assert {page: client.get(page).status_code for page in pages} == dict.fromkeys(pages, 200)
    assert "91234.00" in client.get(f"/admin/budgets/initiative/{proposal.pk}/change/"
                                    ).content.decode()


def test_staff_without_money_see_initiatives_without_amounts(client, make_user, proposal,
                                                             vendor_budget):
    clerk = make_user(Role.VIEWER, username="clerk", is_staff=True)
    client.force_login(clerk)
    listing = client.get("/admin/budgets/initiative/").content.decode()
    change = client.get(f"/admin/budgets/initiative/{proposal.pk}/change/").content.decode()
    assert proposal.reference in listing
    assert "40000" not in listing and "91234" not in change and "40000" not in change
    for page in ("/admin/budgets/budget/", f"/admin/budgets/budget/{vendor_budget.pk}/change/",
                 "/admin/budgets/spendentry/", "/admin/budgets/costrate/"):
        assert client.get(page).status_code == 403, page
    assert "/admin/budgets/budget/" not in client.get("/admin/").content.decode()


def test_initiative_transitions_are_actions_that_call_the_services(client, fiona, proposal,
                                                                   victor, vendor_budget):
    other = initiatives.initiative_propose(by=victor, title="IVR rewrite")  # no benefit stated
    client.force_login(fiona)
    response = client.post("/admin/budgets/initiative/", {
        "action": "approve_selected", "_selected_action": [proposal.pk, other.pk],
        "apply": "1", "approved_cost": "38000.00", "expected_benefit": "", "note": "Q2"},
        follow=True)
    page = response.content.decode()
    proposal.refresh_from_db()
    other.refresh_from_db()
    assert (proposal.state, other.state) == (InitiativeState.APPROVED,
                                             InitiativeState.PROPOSED)
    assert proposal.approved_by == fiona
    assert "State the expected yearly benefit before approval." in page
    client.post("/admin/budgets/initiative/", {"action": "start_selected",
                                               "_selected_action": [proposal.pk]})
    assert Initiative.objects.get(pk=proposal.pk).state == InitiativeState.IN_PROGRESS
    response = client.post("/admin/budgets/initiative/", {
        "action": "cancel_selected", "_selected_action": [other.pk], "apply": "1",
        "reason": ""}, follow=True)
    assert "Say why the initiative is cancelled." in response.content.decode()


def test_a_budget_saved_in_the_admin_goes_through_the_service(client, fiona, year, ops):
    client.force_login(fiona)
    response = client.post("/admin/budgets/budget/add/", {
        "fiscal_year": year.pk, "category": "tooling", "cost_center": ops.pk, "name": "",
        "owner": "", "amount": "1200.00", "phasing": '["100"]', "alert_thresholds": "[80]",
        "notes": ""})
    assert response.status_code == 200  # the form again, with the service's refusal
    assert "Give twelve monthly amounts, not 1." in response.content.decode()
    assert not Budget.objects.exists()
    response = client.post("/admin/budgets/budget/add/", {
        "fiscal_year": year.pk, "category": "tooling", "cost_center": ops.pk, "name": "",
        "owner": "", "amount": "1200.00", "phasing": "[]", "alert_thresholds": "[80]",
        "notes": ""})
    assert response.status_code == 302
    budget = Budget.objects.get()
    assert (budget.created_by, budget.history.get().history_change_reason) == (
        fiona, "Set in admin")


def test_spend_is_removed_with_its_reason_and_a_credit_offset_is_kept(
        client, fiona, entry, received_credit):
    client.force_login(fiona)
    response = client.post(f"/admin/budgets/spendentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not SpendEntry.objects.filter(pk=entry.pk).exists()
    assert entry.history.first().history_change_reason == "Deleted in admin"
    offset = SpendEntry.objects.get(origin=SpendOrigin.CREDIT)
    assert client.get(f"/admin/budgets/spendentry/{offset.pk}/delete/").status_code == 403


def test_records_and_incident_costs_are_read_only(client, fiona, entry):
    client.force_login(fiona)
    for model in ("incidentcost", "spendimport", "budgetalert", "benefitrecord", "baseline",
                  "fiscalyear"):
        assert client.get(f"/admin/budgets/{model}/add/").status_code == 403, model
    version = entry.history.first()
    assert client.post(f"/admin/budgets/spendentry/{entry.pk}/history/{version.pk}/",
                       {"amount": "1"}).status_code == 403
