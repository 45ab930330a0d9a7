"""Contract dates that must never be missed, swept by the shared due-row sweeper.

Each running contract has :class:`~vendors.models.ContractDeadline` rows:

* a ``warning`` per lead time (``VENDOR_NOTICE_WARNING_DAYS``, default 90, 60, 30
  and 7 days before the notice date) to the owner and the vendor managers, in-app
  and by email (``core.notifications.notify``: the email outbox);
* a ``notice`` row at the end of the notice date: undecided, it is a breach
  (notified once, and shown on the dashboard and the lists);
* an ``end`` row at the end of the end date: an automatic contract renews for its
  term, any other running contract expires.

:func:`schedule_deadlines` keeps the rows in step whenever a service changes a
contract's dates or state, and stamps the contract's ``next_deadline_at`` (the
earliest pending row; indexed). :func:`contract_deadlines_sweep` (beat) goes through
``core.due_rows.sweep_due`` on *contracts*: each due contract is locked ``SKIP
LOCKED`` in its own savepoint, re-checked as still due, and all of its due rows are
fired in date order by the one sweeper that holds it. Sweeping the rows themselves
would let two sweepers hold rows of the same contract and each wait for the
contract the other had locked (a deadlock the concurrency test caught). Each
warning, breach, renewal and expiry therefore happens exactly once with any number
of workers; the unique constraint on (contract, kind, lead time, date) and the one
on (contract, previous end date) of renewals make a double firing impossible even if
that logic were wrong.

A due date is the start of the day in ``TIME_ZONE``: a warning "30 days before"
is sent on that morning's first sweep.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.audit import save_with_audit, system_user
from core.choices import Role
from core.due_rows import sweep_due
from core.events import emit
from core.notifications import notify
from core.transitions import lock

from . import events
from .choices import (
    LIVE_CONTRACT_STATES,
    RENEWABLE_STATES,
    DeadlineKind,
    DeadlineOutcome,
    RenewalType,
)
from .models import Contract, ContractDeadline


def lead_times() -> list[int]:
    """The warning lead times in days, largest first (``VENDOR_NOTICE_WARNING_DAYS``)."""
    return sorted({int(days) for days in settings.VENDOR_NOTICE_WARNING_DAYS if int(days) > 0},
                  reverse=True)


def start_of(day: date) -> datetime:
    """The first instant of ``day`` in the configured time zone."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def desired_deadlines(contract) -> list[tuple[str, int, date, datetime]]:
    """``(kind, lead days, date, due at)`` of every deadline the contract should have."""
    wanted = []
    if contract.state in RENEWABLE_STATES:
        for days in lead_times():
            wanted.append((DeadlineKind.WARNING, days, contract.notice_date,
                           start_of(contract.notice_date - timedelta(days=days))))
        wanted.append((DeadlineKind.NOTICE, 0, contract.notice_date,
                       start_of(contract.notice_date + timedelta(days=1))))
    if contract.state in LIVE_CONTRACT_STATES:
        wanted.append((DeadlineKind.END, 0, contract.end_date,
                       start_of(contract.end_date + timedelta(days=1))))
    return wanted


def schedule_deadlines(contract) -> None:
    """Bring the contract's pending deadline rows in step with its dates and state.

    Pending rows for dates it no longer has are removed; rows already fired stay as
    the record of what was sent. Call inside the service's transaction."""
    wanted = desired_deadlines(contract)
    keys = {(kind, days, day) for kind, days, day, _ in wanted}
    stale = [row.pk for row in contract.deadlines.filter(due_at__isnull=False)
             if (row.kind, row.lead_days, row.for_date) not in keys]
    if stale:
        ContractDeadline.objects.filter(pk__in=stale).delete()
    # A row already there (pending or fired) for the same date is left alone: a
    # warning fired for this notice date is never sent again.
    ContractDeadline.objects.bulk_create(
        [ContractDeadline(contract=contract, kind=kind, lead_days=days, for_date=day,
                          due_at=due) for kind, days, day, due in wanted],
        ignore_conflicts=True)
    stamp_next_deadline(contract)


def stamp_next_deadline(contract) -> None:
    """``next_deadline_at``: when the sweep next has something to do for the contract.

    A bookkeeping column (like a clock's ``next_action_at``): written with an update,
    not an audited save, and on the instance too so a later save keeps it."""
    first = (contract.deadlines.filter(due_at__isnull=False).order_by("due_at")
             .values_list("due_at", flat=True).first())
    contract.next_deadline_at = first
    Contract.objects.filter(pk=contract.pk).update(next_deadline_at=first)


def deadline_recipients(contract) -> list:
    """The contract's owner and every active vendor manager."""
    people = list(get_user_model().objects.filter(groups__name=Role.VENDOR_MANAGER,
                                                  is_active=True).distinct())
    if contract.owner is not None:
        people.append(contract.owner)
    return people


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def _warn(contract, row, today):
    days_left = (contract.notice_date - today).days
    when = "today" if days_left == 0 else f"in {_days(days_left)}"
    if contract.decision:
        body = (f"Decided: {contract.get_decision_display().lower()} "
                f"({contract.decision_reason}).")
    else:
        body = "No renewal decision yet: record renew, renegotiate or exit before then."
    notify(deadline_recipients(contract),
           title=f"Notice date {when}: {contract.reference} {contract.vendor.name}",
           body=(f"{contract.title}. Notice must be given by "
                 f"{contract.notice_date:%d %b %Y} (ends {contract.end_date:%d %b %Y}, "
                 f"{contract.get_renewal_type_display().lower()}). {body}"),
           url=contract.get_absolute_url())
    emit(events.CONTRACT_ENTERING_NOTICE, contract, by=None, data={"days_left": days_left})
    return DeadlineOutcome.WARNED


def _notice_passed(contract):
    if contract.state not in RENEWABLE_STATES:
        return DeadlineOutcome.NOTHING
    if contract.decision:
        return DeadlineOutcome.DECIDED
    consequence = ("it renews automatically on its end date"
                   if contract.renewal_type == RenewalType.AUTOMATIC
                   else "it expires on its end date unless renewed")
    notify(deadline_recipients(contract),
           title=f"Notice date missed: {contract.reference} {contract.vendor.name}",
           body=(f"{contract.title}: nobody recorded a renewal decision by the notice date "
                 f"{contract.notice_date:%d %b %Y}; {consequence} "
                 f"({contract.end_date:%d %b %Y})."),
           url=contract.get_absolute_url())
    return DeadlineOutcome.BREACHED


def _end_reached(contract, now, actor):
    from .services import contract_expire, contract_renew

    if contract.state in RENEWABLE_STATES and contract.renewal_type == RenewalType.AUTOMATIC:
        contract_renew(contract=contract, by=actor, automatic=True, at=now,
                       note="Automatic renewal on the end date (no notice given).")
        return DeadlineOutcome.RENEWED
    contract_expire(contract=contract, by=actor, at=now)
    return DeadlineOutcome.EXPIRED


def fire_deadline(contract, row, now, actor):
    """Fire one due deadline row of a contract the caller holds locked."""
    # Marked fired first (bookkeeping columns only): a service below may reschedule
    # the contract's pending rows, and this one must no longer count as pending.
    ContractDeadline.objects.filter(pk=row.pk).update(due_at=None, fired_at=now)
    today = timezone.localtime(now, ZoneInfo(settings.TIME_ZONE)).date()
    current = contract.end_date if row.kind == DeadlineKind.END else contract.notice_date
    if row.for_date != current or contract.state not in LIVE_CONTRACT_STATES:
        outcome = DeadlineOutcome.NOTHING  # the dates or the state moved on meanwhile
    elif row.kind == DeadlineKind.WARNING:
        if contract.state not in RENEWABLE_STATES:
            outcome = DeadlineOutcome.NOTHING
        elif today > row.for_date:
            # Too late to warn: the notice date's own row tells people it was missed.
            outcome = DeadlineOutcome.TOO_LATE
        elif ContractDeadline.objects.filter(
                contract=contract, kind=DeadlineKind.WARNING, for_date=row.for_date,
                lead_days__lt=row.lead_days, due_at__lte=now).exists():
            # The sweep ran late (or the contract was entered late): only the nearest
            # warning is sent, not a burst of 90-, 60- and 30-day ones at once.
            outcome = DeadlineOutcome.SUPERSEDED
        else:
            outcome = _warn(contract, row, today)
    elif row.kind == DeadlineKind.NOTICE:
        outcome = _notice_passed(contract)
    else:
        outcome = _end_reached(contract, now, actor)
    row.due_at, row.fired_at, row.outcome = None, now, outcome
    save_with_audit(row, by=actor, reason=f"Contract deadlines: {row.get_outcome_display()}")
    return outcome


# Renewals a contract far behind may catch up in one sweep (one term each).
MAX_ROUNDS = 12


def fire_contract_deadlines(contract, now, actor) -> list[str]:
    """Fire every due deadline of one locked contract, in date order; returns the
    outcomes. A renewal whose new term is already over is caught up here too."""
    outcomes = []
    for _ in range(MAX_ROUNDS):
        due = list(contract.deadlines.filter(due_at__lte=now)
                   .order_by("due_at", "-lead_days", "pk"))
        if not due:
            break
        for row in due:
            # Re-read (the row lock is ours): a renewal or an expiry may have moved it.
            # Not refresh_from_db(): django-fsm unprotects the state field class-wide
            # for it, which is not safe with sweepers in threads.
            contract = Contract.objects.get(pk=contract.pk)
            outcomes.append(fire_deadline(contract, row, now, actor))
    stamp_next_deadline(Contract.objects.get(pk=contract.pk))
    return outcomes


def contract_deadlines_sweep(now=None, batch_size=500) -> dict:
    """Fire every due contract deadline exactly once (beat, every few minutes)."""
    now = now or timezone.now()
    actor = system_user()
    done = sweep_due(Contract.objects.all(), due_field="next_deadline_at", now=now,
                     handle=lambda contract: fire_contract_deadlines(contract, now, actor),
                     batch_size=batch_size, name="Contract deadlines")
    return {key: done[key] for key in ("rows", *DeadlineOutcome.values, "skipped", "failed")}


def reschedule_all() -> int:
    """Re-derive every running contract's deadlines (daily): a changed
    ``VENDOR_NOTICE_WARNING_DAYS`` reaches contracts nobody has edited since."""
    count = 0
    for pk in Contract.objects.filter(state__in=LIVE_CONTRACT_STATES).values_list("pk",
                                                                               flat=True):
        with transaction.atomic():
            contract = lock(Contract, pk)  # not while a sweeper fires its deadlines
            schedule_deadlines(contract)
        count += 1
    return count
