"""Regulatory final-response clocks.

A regime says "a final response within N calendar (or business) days of receipt",
sometimes "M days with an extension". The deadline is the end of the last day
counted, at midnight in the regime calendar's time zone; the day of receipt itself is
not counted ("within 15 business days *after* receipt"). Business days are the days on
which the regime's calendar is open at all — so its holidays are skipped — or, with no
calendar, Monday to Friday.

The clock runs on the built-in 24×7 calendar with ``deadline − received`` as its
target: the due instant is then exactly the deadline, and its warnings fall at the
same share of the regulator's time. It runs beside the policy's business-hours
clocks, does not pause while awaiting the customer unless the policy says so, and
stops when the escalation is resolved (the final response).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import save_with_audit
from core.calendars import calendar_engine
from core.choices import ClockState
from core.clocks import builtin_calendar, clock_retarget, clock_start, clock_stop

from .. import timeline_events
from ..choices import DayCounting, EscalationTimelineKind
from ..clock_kinds import REGULATORY_CLOCK
from ..models import MAX_REGULATORY_DAYS, Escalation, RegulatoryRegime
from ._common import _now, _required_reason, escalation_timeline_add, latest_clocks
from .refusals import Refusal, forbidden, refuse

# No regulator counts further than this; a calendar open on no day at all stops here.
MAX_DAYS_SEARCHED = MAX_REGULATORY_DAYS


def _zone(regime):
    return ZoneInfo(regime.calendar.time_zone) if regime.calendar_id else ZoneInfo("UTC")


def _midnight(day: date, tz) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _business_day_test(regime, tz):
    if not regime.calendar_id:
        return lambda day: day.weekday() < 5
    engine = calendar_engine(regime.calendar)

    def is_open(day):
        start = _midnight(day, tz)
        end = _midnight(day + timedelta(days=1), tz)
        return next(iter(engine.open_intervals(start, end)), None) is not None

    return is_open


def regulatory_deadline(regime: RegulatoryRegime, received_at: datetime, *,
                        days: int | None = None) -> datetime:
    """When the final response is due: midnight at the end of the ``days``-th day
    counted after the day of receipt (``days`` defaults to the regime's)."""
    days = regime.final_response_days if days is None else days
    tz = _zone(regime)
    day = received_at.astimezone(tz).date()
    if regime.counting == DayCounting.CALENDAR_DAYS:
        return _midnight(day + timedelta(days=days + 1), tz)
    counts = _business_day_test(regime, tz)
    counted = 0
    for _ in range(MAX_DAYS_SEARCHED):
        day += timedelta(days=1)
        if counts(day):
            counted += 1
            if counted == days:
                return _midnight(day + timedelta(days=1), tz)
    raise ValidationError({"regulatory_regime": (
        f"The calendar of {regime.name} has too few open days to count "
        f"{days} business days.")})


def regulatory_clock(escalation):
    """The escalation's latest regulatory clock, or None."""
    return latest_clocks(escalation).get(REGULATORY_CLOCK)


def _days_allowed(escalation):
    regime = escalation.regulatory_regime
    if escalation.regulatory_extended_at and regime.extended_days:
        return regime.extended_days
    return regime.final_response_days


def start_regulatory_clock(escalation, *, by, at):
    """Start the regime's clock, counted from receipt (when the escalation was opened),
    beside any earlier cycle (a regime changed or re-set)."""
    regime = escalation.regulatory_regime
    received = escalation.created_at
    deadline = regulatory_deadline(regime, received, days=_days_allowed(escalation))
    previous = regulatory_clock(escalation)
    return clock_start(owner=escalation, kind=REGULATORY_CLOCK, target=deadline - received,
                       by=by, at=received, calendar=builtin_calendar(),
                       cycle=previous.cycle + 1 if previous else 1)


def stop_regulatory_clock(escalation, *, by, at):
    clock = regulatory_clock(escalation)
    if clock is not None and clock.state != ClockState.STOPPED:
        clock_stop(clock=clock, by=by, at=at)


def regime_changed(escalation, before, *, by, at):
    """The regime was set, changed or removed: stop the old clock, start the new one,
    and say so on the timeline."""
    if not escalation.is_open:
        return
    stop_regulatory_clock(escalation, by=by, at=at)
    if escalation.regulatory_regime_id:
        clock = start_regulatory_clock(escalation, by=by, at=at)
        escalation_timeline_add(
            escalation, EscalationTimelineKind.REGULATORY, event=timeline_events.REGULATORY_SET,
            params={"regime": str(escalation.regulatory_regime), "due_at": clock.due_at,
                    "zone": _zone(escalation.regulatory_regime).key}, by=by, at=at)
    elif before is not None:
        escalation_timeline_add(escalation, EscalationTimelineKind.REGULATORY,
                                event=timeline_events.REGULATORY_REMOVED,
                                params={"regime": str(before)}, by=by, at=at)


def format_deadline(deadline: datetime, regime) -> str:
    """``end of Tue 24 Mar 2026 (Europe/London)``: the day the deadline closes."""
    return timeline_events.deadline_words(deadline, _zone(regime).key)


def _why_not_work(user, escalation) -> Refusal | None:
    if not user.has_perm("escalations.work_escalation", escalation):
        return forbidden("Your role cannot change escalations.")
    return None


def why_not_extend_regulatory_deadline(user, escalation, *, clock=None) -> Refusal | None:
    """Why ``user`` may not use the regime's extension now (None: they may): once,
    when the regime allows one, while the final-response clock still runs. ``clock``:
    the regulatory clock when the caller has it already (the page does)."""
    refusal = _why_not_work(user, escalation)
    if refusal is not None:
        return refusal
    regime = escalation.regulatory_regime
    if regime is None:
        return Refusal("This escalation is under no regulatory regime.",
                       field="regulatory_regime")
    if not regime.extended_days:
        return Refusal(f"{regime.name} allows no extension.", field="regulatory_regime")
    if escalation.regulatory_extended_at:
        return Refusal("The deadline was already extended on "
                       f"{escalation.regulatory_extended_at:%d %b %Y}.",
                       field="regulatory_regime")
    clock = clock or regulatory_clock(escalation)
    if clock is None or clock.state == ClockState.STOPPED:
        return Refusal("The final response was already given; there is no deadline to "
                       "extend.", field="regulatory_regime")
    return None


@transaction.atomic
def escalation_extend_regulatory_deadline(*, escalation: Escalation, by, reason,
                                          at=None) -> Escalation:
    """Use the regime's extension once (e.g. 15 → 35 business days after a holding
    reply), with a reason: the regulatory clock moves to the extended deadline."""
    refuse(_why_not_work(by, escalation))
    at = _now(at)
    reason, masked = _required_reason(reason)
    # of=("self",): PostgreSQL cannot lock the nullable side of an outer join.
    escalation = Escalation.objects.select_for_update(of=("self",)).select_related(
        "regulatory_regime").get(pk=escalation.pk)
    refuse(why_not_extend_regulatory_deadline(by, escalation))
    regime = escalation.regulatory_regime
    clock = regulatory_clock(escalation)
    deadline = regulatory_deadline(regime, escalation.created_at, days=regime.extended_days)
    clock_retarget(clock=clock, target=deadline - escalation.created_at, by=by,
                   reason=f"Regulatory extension: {reason}", at=at)
    escalation.regulatory_extended_at = at
    escalation.regulatory_extension_reason = reason
    save_with_audit(escalation, by=by, reason=f"Regulatory deadline extended: {reason}")
    escalation_timeline_add(
        escalation, EscalationTimelineKind.REGULATORY,
        event=timeline_events.REGULATORY_EXTENDED,
        params={"days": regime.extended_days, "counting": regime.counting, "due_at": deadline,
                "zone": _zone(regime).key, "reason": reason}, by=by, at=at, masked=masked)
    return escalation
