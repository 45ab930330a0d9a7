"""Contract dates that must never be missed: each warning once, the missed notice date
once, automatic renewal and expiry on the end date, whatever the number of sweeps."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail

from core.choices import Role
from core.models import Notification
from vendors import services
from vendors.choices import ContractState, DeadlineKind, DeadlineOutcome, RenewalType
from vendors.deadlines import contract_deadlines_sweep
from vendors.models import Contract, ContractDeadline, ContractRenewal

pytestmark = pytest.mark.django_db


def at(day, hour=9):
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def other_vendor_manager(make_user):
    return make_user(Role.VENDOR_MANAGER, username="vicky")


@pytest.fixture
def contract(make_contract, other_vendor_manager, django_capture_on_commit_callbacks):
    # Ends 31 Dec 2026, automatic 12-month renewal, 90 days' notice: notice by 2 Oct.
    with time_machine.travel(at(date(2026, 3, 1)), tick=False):
        return make_contract()


def sweep(day, hour=9):
    with time_machine.travel(at(day, hour), tick=False):
        return contract_deadlines_sweep(now=at(day, hour))


def titles():
    return list(Notification.objects.order_by("pk").values_list("title", flat=True))


def test_activation_schedules_the_warnings_the_notice_date_and_the_end(contract):
    assert contract.notice_date == date(2026, 10, 2)
    rows = {(row.kind, row.lead_days, row.for_date)
            for row in ContractDeadline.objects.filter(contract=contract)}
    assert rows == {
        *((DeadlineKind.WARNING, days, date(2026, 10, 2)) for days in (90, 60, 30, 7)),
        (DeadlineKind.NOTICE, 0, date(2026, 10, 2)),
        (DeadlineKind.END, 0, date(2026, 12, 31)),
    }


def test_each_warning_fires_once_to_the_owner_and_every_vendor_manager(
        contract, victor, other_vendor_manager, django_capture_on_commit_callbacks):
    assert sweep(date(2026, 7, 3))["rows"] == 0  # 91 days before: nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(date(2026, 7, 4))[DeadlineOutcome.WARNED] == 1  # 90 days before
    assert sweep(date(2026, 7, 4), hour=10)["rows"] == 0  # a second sweep: nothing
    assert sweep(date(2026, 7, 20))["rows"] == 0

    assert Notification.objects.filter(recipient=victor).count() == 1
    assert Notification.objects.filter(recipient=other_vendor_manager).count() == 1
    assert titles()[0] == "Notice date in 90 days: CTR-2026-0001 Northwind Telecom"
    assert {m.to[0] for m in mail.outbox} == {victor.email, other_vendor_manager.email}

    for day in (date(2026, 8, 3), date(2026, 9, 2), date(2026, 9, 25)):
        sweep(day)
        sweep(day, hour=15)
    assert [t.split(":")[0] for t in titles()[::2]] == [
        "Notice date in 90 days", "Notice date in 60 days", "Notice date in 30 days",
        "Notice date in 7 days"]


def test_a_late_sweep_sends_only_the_nearest_warning(contract):
    done = sweep(date(2026, 9, 10))  # the 90-, 60- and 30-day warnings are all due
    assert (done[DeadlineOutcome.WARNED], done[DeadlineOutcome.SUPERSEDED]) == (1, 2)
    assert set(titles()) == {"Notice date in 22 days: CTR-2026-0001 Northwind Telecom"}


def test_an_undecided_contract_past_its_notice_date_is_a_breach_notified_once(contract):
    sweep(date(2026, 10, 2))  # the notice date itself: not yet
    assert not any(t.startswith("Notice date missed") for t in titles())
    done = sweep(date(2026, 10, 3))
    again = sweep(date(2026, 10, 4))
    assert done[DeadlineOutcome.BREACHED] == 1
    assert again[DeadlineOutcome.BREACHED] == 0
    assert sum(t.startswith("Notice date missed") for t in titles()) == 2  # two recipients


def test_a_decision_before_the_notice_date_is_no_breach(contract, victor):
    with time_machine.travel(at(date(2026, 9, 1)), tick=False):
        services.contract_decide(contract=contract, by=victor, decision="renegotiate",
                                 reason="Price per channel above market")
    done = sweep(date(2026, 10, 3))
    assert done[DeadlineOutcome.DECIDED] == 1
    assert not any(t.startswith("Notice date missed") for t in titles())


def test_an_automatic_contract_renews_on_its_end_date_once_with_new_deadlines(contract):
    sweep(date(2026, 12, 31))
    assert Contract.objects.get().state == ContractState.ACTIVE
    done = sweep(date(2027, 1, 1))
    sweep(date(2027, 1, 1), hour=12)

    contract.refresh_from_db()
    assert done[DeadlineOutcome.RENEWED] == 1
    assert (contract.state, contract.end_date, contract.notice_date) == (
        ContractState.RENEWED, date(2027, 12, 31), date(2027, 10, 2))
    renewal = ContractRenewal.objects.get()
    assert (renewal.automatic, renewal.previous_end_date, renewal.new_end_date) == (
        True, date(2026, 12, 31), date(2027, 12, 31))
    assert renewal.renewed_by.username == "switchboard-system"
    assert ContractDeadline.objects.filter(contract=contract, for_date=date(2027, 10, 2),
                                           due_at__isnull=False).count() == 5
    assert contract.history.first().history_change_reason.startswith("Automatic renewal")


def test_renewals_chain_year_after_year(contract):
    for year in (2027, 2028, 2029):
        sweep(date(year, 1, 1))
    contract.refresh_from_db()
    assert contract.end_date == date(2029, 12, 31)
    assert list(ContractRenewal.objects.values_list("new_end_date", flat=True)) == [
        date(2027, 12, 31), date(2028, 12, 31), date(2029, 12, 31)]


def test_notice_given_makes_it_expire_instead_of_renewing(contract, victor):
    with time_machine.travel(at(date(2026, 9, 1)), tick=False):
        services.contract_give_notice(contract=contract, by=victor, given_on=date(2026, 9, 1),
                                      note="Letter sent by recorded delivery")
    assert not ContractDeadline.objects.filter(contract=contract, kind=DeadlineKind.WARNING,
                                               due_at__isnull=False).exists()
    done = sweep(date(2027, 1, 1))
    contract.refresh_from_db()
    assert done[DeadlineOutcome.EXPIRED] == 1
    assert contract.state == ContractState.EXPIRED
    assert not ContractDeadline.objects.filter(due_at__isnull=False).exists()


def test_an_explicit_contract_past_its_end_date_expires(make_contract):
    with time_machine.travel(at(date(2026, 3, 1)), tick=False):
        contract = make_contract(renewal_type=RenewalType.EXPLICIT, renewal_term_months=None)
    sweep(date(2027, 1, 1))
    contract.refresh_from_db()
    assert contract.state == ContractState.EXPIRED


def test_changing_the_end_date_moves_the_pending_deadlines_but_keeps_what_fired(contract,
                                                                               victor):
    sweep(date(2026, 7, 4))  # the 90-day warning went out for 2 Oct
    with time_machine.travel(at(date(2026, 7, 5)), tick=False):
        services.contract_update(contract=contract, by=victor, end_date=date(2027, 3, 31))
    pending = set(ContractDeadline.objects.filter(due_at__isnull=False)
                  .values_list("kind", "for_date"))
    # 31 Mar 2027 less 90 days' notice: 31 Dec 2026.
    assert pending == {(DeadlineKind.WARNING, date(2026, 12, 31)),
                       (DeadlineKind.NOTICE, date(2026, 12, 31)),
                       (DeadlineKind.END, date(2027, 3, 31))}
    assert ContractDeadline.objects.filter(fired_at__isnull=False).count() == 1


def test_a_terminated_contract_has_nothing_left_to_fire(contract, victor):
    with time_machine.travel(at(date(2026, 5, 1)), tick=False):
        services.contract_terminate(contract=contract, by=victor,
                                    terminated_on=date(2026, 5, 31), reason="Carrier insolvent")
    assert not ContractDeadline.objects.filter(due_at__isnull=False).exists()
    assert sweep(date(2027, 1, 1))["rows"] == 0


def test_a_draft_has_no_deadlines(make_contract):
    make_contract(activate=False)
    assert not ContractDeadline.objects.exists()
