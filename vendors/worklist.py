"""What vendors put on "My work": contract notice dates still to decide, and service
credits to claim or to receive (``core.registry.WorkSource``)."""

from datetime import timedelta

from django.db.models import Q

from core.choices import Role
from core.registry import WorkEntry

from .choices import RENEWABLE_STATES, CreditState
from .models import Contract, ServiceCredit

# How far ahead a notice date is someone's work: the earliest warning (90 days).
NOTICE_HORIZON = timedelta(days=90)


def _is_vendor_manager(user):
    return user.groups.filter(name=Role.VENDOR_MANAGER).exists()


def my_contract_dates(user, now) -> list[WorkEntry]:
    """Renewable contracts with no decision whose notice date is within 90 days or
    passed: the owner's, and every one for a vendor manager (who is told of them)."""
    today = now.date()
    contracts = Contract.objects.filter(state__in=RENEWABLE_STATES, decision="",
                                        notice_date__lte=today + NOTICE_HORIZON,
                                        end_date__gte=today).select_related("vendor")
    if not _is_vendor_manager(user):
        contracts = contracts.filter(owner=user)
    return [WorkEntry(reference=contract.vendor.name, title=contract.title,
                      url=contract.get_absolute_url(), due_at=contract.notice_date,
                      due_what="Notice date", state="No renewal decision")
            for contract in contracts]


def my_credits(user, now) -> list[WorkEntry]:
    """Credits to claim before their window closes (vendor managers, contract owners)
    and, for Finance, credits agreed but not received yet."""
    vendor_manager = _is_vendor_manager(user)
    finance = user.groups.filter(name=Role.FINANCE).exists()
    wanted = Q(pk__in=[])
    if vendor_manager:
        wanted |= Q(state=CreditState.ACCRUED, window_missed_at__isnull=True)
    else:
        wanted |= Q(state=CreditState.ACCRUED, window_missed_at__isnull=True,
                    contract__owner=user)
    if finance or vendor_manager:
        wanted |= Q(state=CreditState.ACCEPTED)
    entries = []
    for credit in ServiceCredit.objects.filter(wanted).select_related("vendor", "objective"):
        to_claim = credit.state == CreditState.ACCRUED
        entries.append(WorkEntry(
            reference=credit.vendor.name,
            title=f"Credit: {credit.objective.name} {credit.period_start:%b %Y}",
            url=credit.get_absolute_url(), due_at=credit.claim_deadline if to_claim else None,
            due_what="Claim by" if to_claim else "",
            state="To claim" if to_claim else "Agreed, to receive"))
    return entries
