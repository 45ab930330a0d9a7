"""A service credit's claim window, swept by the shared due-row sweeper.

Vendors pay credits only when asked in time (Twilio and Five9: 30 days; Zendesk: 60
days after the month). Each accrued credit gets :class:`~vendors.models.CreditDeadline`
rows: a warning at each share of the window in ``VENDOR_CREDIT_WARNING_PERCENTS``
(default 50 % and 75 %) to the contract's owner and the vendor managers, once each,
and the window's end (``percent`` 100): still unclaimed, it is a breach — notified once,
stamped ``window_missed_at`` and shown on the dashboard with the money lost.

As for contract deadlines (``vendors/deadlines.py``), the sweep goes through
``core.due_rows.sweep_due`` on the *credits* (``next_deadline_at``, indexed), each
locked ``SKIP LOCKED`` in its own savepoint; the unique (credit, percent) constraint
makes a second firing impossible. A credit that is claimed or waived has its pending
rows closed at once, so nothing is sent about a claim already made.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from core.audit import save_with_audit, system_user
from core.due_rows import sweep_due

from .choices import CreditDeadlineOutcome, CreditState
from .credit_rules import fmt_money
from .deadlines import deadline_recipients, start_of
from .models import CreditDeadline, ServiceCredit


def warning_percents() -> list[int]:
    """Shares of the claim window that warn, ascending (``VENDOR_CREDIT_WARNING_PERCENTS``)."""
    configured = getattr(settings, "VENDOR_CREDIT_WARNING_PERCENTS", (50, 75))
    return sorted({int(p) for p in configured if 0 < int(p) < 100})


def window(credit) -> tuple[datetime, datetime]:
    """``(opens, closes)``: the window opens with the day it counts from and closes at
    the end of the claim deadline (in ``TIME_ZONE``)."""
    return start_of(credit.claim_window_start), \
        start_of(credit.claim_deadline + timedelta(days=1))


def due_at(credit, percent: int) -> datetime:
    opens, closes = window(credit)
    return opens + (closes - opens) * percent / 100


def schedule_credit_deadlines(credit) -> None:
    """Create the rows of an accrued credit, or close the pending ones of a credit that
    left ``accrued``; then stamp ``next_deadline_at``. Inside the service's transaction."""
    if credit.state == CreditState.ACCRUED:
        CreditDeadline.objects.bulk_create(
            [CreditDeadline(credit=credit, percent=p, due_at=due_at(credit, p))
             for p in [*warning_percents(), 100]], ignore_conflicts=True)
    else:
        CreditDeadline.objects.filter(credit=credit, due_at__isnull=False).update(
            due_at=None, fired_at=timezone.now(), outcome=CreditDeadlineOutcome.CLAIMED)
    first = (credit.deadlines.filter(due_at__isnull=False).order_by("due_at")
             .values_list("due_at", flat=True).first())
    credit.next_deadline_at = first
    ServiceCredit.objects.filter(pk=credit.pk).update(next_deadline_at=first)


def _warn(credit, now):
    days_left = (credit.claim_deadline - timezone.localdate(now)).days
    when = "today" if days_left <= 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
    notify_about(credit, title=f"Claim window closes {when}: {credit.vendor.name} owes "
                               f"{fmt_money(credit.amount, credit.currency)}",
                 body=(f"{credit.reference}: {credit.explanation} Claim it by "
                       f"{credit.claim_deadline:%d %b %Y} or the money is lost."))
    return CreditDeadlineOutcome.WARNED


def _breach(credit, now):
    credit.window_missed_at = now
    save_with_audit(credit, by=system_user(), reason="Claim window passed unclaimed")
    notify_about(credit, title=f"Credit lost: {fmt_money(credit.amount, credit.currency)} "
                               f"from {credit.vendor.name} not claimed in time",
                 body=(f"{credit.reference}: the claim window closed on "
                       f"{credit.claim_deadline:%d %b %Y} with the credit unclaimed."))
    return CreditDeadlineOutcome.BREACHED


def notify_about(credit, *, title, body):
    from core.notifications import notify

    notify(deadline_recipients(credit.contract), title=title, body=body,
           url=credit.get_absolute_url())


def fire_credit_deadlines(credit, now) -> list[str]:
    """Fire every due row of one locked credit, in order; a late sweep sends only the
    latest warning that is due (not a burst of 50 % and 75 % at once)."""
    actor = system_user()
    rows = list(credit.deadlines.filter(due_at__lte=now).order_by("percent"))
    outcomes = []
    for row in rows:
        if credit.state != CreditState.ACCRUED:
            outcome = CreditDeadlineOutcome.CLAIMED
        elif row.percent >= 100:
            outcome = _breach(credit, now)
        elif any(later.percent > row.percent for later in rows):
            outcome = CreditDeadlineOutcome.SUPERSEDED
        else:
            outcome = _warn(credit, now)
        row.due_at, row.fired_at, row.outcome = None, now, outcome
        save_with_audit(row, by=actor, reason=f"Claim window: {row.get_outcome_display()}")
        outcomes.append(outcome)
    schedule_credit_deadlines(ServiceCredit.objects.get(pk=credit.pk))
    return outcomes


def credit_deadlines_sweep(now=None, batch_size=500) -> dict:
    """Fire every due claim-window warning and breach exactly once (beat)."""
    now = now or timezone.now()
    done = sweep_due(ServiceCredit.objects.all(), due_field="next_deadline_at", now=now,
                     handle=lambda credit: fire_credit_deadlines(credit, now),
                     batch_size=batch_size, name="Credit claim windows")
    return {key: done[key] for key in ("rows", *CreditDeadlineOutcome.values, "skipped",
                                       "failed")}
