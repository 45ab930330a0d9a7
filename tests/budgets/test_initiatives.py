from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from budgets import initiatives
from budgets.models import Initiative
from budgets.tasks import sweep_initiative_reviews
from core.choices import Role
from core.exceptions import RequirementMissing, TransitionNotAllowed
from core.models import Notification
from kpis import services as kpi_services
from kpis.models import IntervalStat
from tests.kpis.conftest import counts

D = Decimal


@pytest.fixture
def bot_queue(manager):
    return kpi_services.queue_create(by=manager, name="Bot-assisted chat", channel="messaging")


@pytest.fixture
def proposal(victor, bot_queue):
    return initiatives.initiative_propose(by=victor, title="Virtual agent for billing",
                                          estimated_cost="36000", expected_benefit="96000",
                                          queues=[bot_queue])


def contacts(queue, day, handled, transfers):
    IntervalStat.objects.create(
        queue=queue, start=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
        length_minutes=30, **counts(offered=handled, answered=handled, handled=handled,
                                    talk_seconds=handled * 200, transfers=transfers))


@pytest.mark.parametrize(("role", "may"), [
    (Role.FINANCE, True), (Role.MANAGER, True), (Role.VENDOR_MANAGER, False),
    (Role.VIEWER, False), (Role.ESCALATION_LEAD, False), (Role.INCIDENT_RESPONDER, False)])
def test_finance_and_managers_approve_with_the_cost(make_user, proposal, role, may):
    user = make_user(role)
    if may:
        approved = initiatives.initiative_approve(initiative=proposal, by=user,
                                                  approved_cost="38000")
        assert (approved.state, approved.approved_cost, approved.approved_by) == (
            "approved", D("38000.00"), user)
        assert approved.history.first().history_change_reason == "Approved at EUR 38,000.00"
    else:
        with pytest.raises(PermissionDenied):
            initiatives.initiative_approve(initiative=proposal, by=user, approved_cost="38000")


def test_approval_needs_the_cost_and_cancel_a_reason(finance, proposal):
    with pytest.raises(RequirementMissing) as refused:
        initiatives.initiative_approve(initiative=proposal, by=finance, approved_cost="")
    assert "approved_cost" in refused.value.errors
    with pytest.raises(RequirementMissing) as refused:
        initiatives.initiative_cancel(initiative=proposal, by=finance, reason="  ")
    assert "cancel_reason" in refused.value.errors
    with pytest.raises(TransitionNotAllowed):
        initiatives.initiative_deliver(initiative=proposal, by=finance)


def test_delivery_makes_the_benefits_review_due_and_the_owner_is_told_once(
        finance, victor, proposal):
    initiatives.initiative_approve(initiative=proposal, by=finance, approved_cost="38000")
    initiatives.initiative_start(initiative=proposal, by=victor)
    delivered = initiatives.initiative_deliver(initiative=proposal, by=victor)
    assert delivered.review_due_on == date(2026, 8, 3)  # three months after 3 May
    assert sweep_initiative_reviews() == {}
    with time_machine.travel(datetime(2026, 8, 3, 0, 5, tzinfo=UTC), tick=False):
        assert sweep_initiative_reviews()["notified"] == 1
        assert sweep_initiative_reviews() == {}
    told = Notification.objects.filter(recipient=victor, title__startswith="Benefits review due")
    assert told.count() == 1
    initiatives.benefit_record(initiative=delivered, by=victor, period_start=date(2026, 5, 9),
                               amount="7000.00")
    reviewed = initiatives.initiative_review(initiative=delivered, by=victor,
                                             notes="Containment held at 80 %.")
    assert (reviewed.state, reviewed.realised_benefit) == ("benefits_reviewed", D("7000.00"))


def test_containment_benefit_from_kpi_data_against_the_baseline(finance, victor, proposal,
                                                                bot_queue):
    # March: 1,000 contacts, 420 passed to agents (58 % contained); April: 1,100, 297 (73 %).
    contacts(bot_queue, date(2026, 3, 12), 1000, 420)
    contacts(bot_queue, date(2026, 4, 14), 1100, 297)
    initiatives.initiative_approve(initiative=proposal, by=finance, approved_cost="38000")
    with pytest.raises(ValidationError) as refused:
        initiatives.benefit_derive(initiative=proposal, by=victor, period_start=date(2026, 4, 1))
    assert "Take a KPI baseline" in refused.value.message_dict["baseline"][0]
    baseline = initiatives.baseline_take(initiative=proposal, by=victor, method="containment",
                                         period_start=date(2026, 3, 1),
                                         period_end=date(2026, 4, 1), cost_per_contact="4.10")
    # 1,000 contacts in March (31 days) are 982 per mean month of 30.44 days.
    assert (baseline.containment_percent, baseline.contacts_per_month) == (D("58.00"), 982)
    record = initiatives.benefit_derive(initiative=proposal, by=victor,
                                        period_start=date(2026, 4, 20))
    # (73 % − 58 %) × 1,100 × 4.10 = 676.50
    assert (record.period_start, record.amount) == (date(2026, 4, 1), D("676.50"))
    assert record.basis["containment_percent"] == "73.00"
    with pytest.raises(ValidationError) as refused:
        initiatives.benefit_derive(initiative=proposal, by=victor, period_start=date(2026, 4, 1))
    assert "already recorded" in refused.value.message_dict["period_start"][0]
    with pytest.raises(ValidationError) as refused:
        initiatives.benefit_derive(initiative=proposal, by=victor, period_start=date(2026, 1, 1))
    assert "no KPI data for January 2026" in refused.value.message_dict["period_start"][0]


def test_a_baseline_without_kpi_data_needs_the_figures_named(victor, proposal):
    with pytest.raises(ValidationError) as refused:
        initiatives.baseline_take(initiative=proposal, by=victor, method="aht_reduction")
    assert set(refused.value.message_dict) == {"aht_seconds", "cost_per_minute"}
    baseline = initiatives.baseline_take(initiative=proposal, by=victor, method="aht_reduction",
                                         aht_seconds="412", cost_per_minute="0.72",
                                         contacts_per_month=48000)
    assert not baseline.from_kpi_data and baseline.aht_seconds == D("412.00")


def test_benefits_wait_for_approval_and_only_the_owner_or_editors_record_them(
        make_user, victor, proposal, finance):
    with pytest.raises(ValidationError):
        initiatives.benefit_record(initiative=proposal, by=victor, period_start=date(2026, 4, 1),
                                   amount="10")
    initiatives.initiative_approve(initiative=proposal, by=finance, approved_cost="1")
    with pytest.raises(PermissionDenied):
        initiatives.benefit_record(initiative=proposal, by=make_user(Role.VIEWER),
                                   period_start=date(2026, 4, 1), amount="10")
    escalation_owner = make_user(Role.ESCALATION_LEAD)
    Initiative.objects.filter(pk=proposal.pk).update(owner=escalation_owner)
    # An owner without a money role is not shown amounts, so does not record them either.
    with pytest.raises(PermissionDenied):
        initiatives.benefit_record(initiative=proposal, by=escalation_owner,
                                   period_start=date(2026, 4, 1), amount="10")


def test_figures_roi_and_payback_from_spend_and_benefits(finance, victor, proposal,
                                                         vendor_budget):
    from budgets import services

    initiatives.initiative_approve(initiative=proposal, by=finance, approved_cost="38000")
    figures = initiatives.initiative_figures(Initiative.objects.get(pk=proposal.pk))
    assert (figures.cost, figures.cost_source, figures.roi_percent) == (
        D("38000.00"), "approved", D("-100.00"))
    assert figures.expected_roi_percent == D("152.63")  # (96,000 − 38,000) ÷ 38,000
    assert figures.expected_payback_months == D("4.8")  # 38,000 ÷ (96,000 ÷ 12)
    services.spend_record(by=finance, budget=vendor_budget, date=date(2026, 1, 15),
                          amount="24000", initiative=proposal, cost_type="one_time")
    for month in (2, 3):
        services.spend_record(by=finance, budget=vendor_budget, date=date(2026, month, 1),
                              amount="1000", initiative=proposal)
        initiatives.benefit_record(initiative=proposal, by=victor,
                                   period_start=date(2026, month, 1), amount="9000")
    figures = initiatives.initiative_figures(Initiative.objects.get(pk=proposal.pk))
    assert (figures.cost, figures.benefit) == (D("26000.00"), D("18000.00"))
    assert figures.roi_percent == D("-30.77")  # (18,000 − 26,000) ÷ 26,000
    assert figures.payback_months == D("3.0")  # 24,000 ÷ (9,000 − 1,000)
    assert [p["benefit"] for p in figures.series] == [D(0), D("9000"), D("18000")]
