"""Contract date arithmetic: notice dates and renewal terms (pure functions).

Months are calendar months. Moving a date by months keeps its day of the month,
or takes the month's last day when the month is shorter (31 May − 3 months is
28 or 29 February), as GLPI's ``DATE_SUB(end, INTERVAL n MONTH)`` and
``dateutil.relativedelta`` do.

Renewal terms are counted from a fixed *anchor* — the day after the end date the
contract had before its first renewal — so a chain of renewals never drifts: a
contract ending on 29 February renews to 28 February, then to 28 February again,
never to the 27th, and twelve monthly renewals end exactly where one yearly
renewal would.
"""

import calendar
from datetime import date, timedelta

from .choices import NoticeUnit


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (negative: back), clamped to the
    last day of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, days_in_month(year, month)))


def notice_date(end_date: date, period: int, unit: str) -> date:
    """The last day notice can be given for a contract ending on ``end_date``."""
    if unit == NoticeUnit.MONTHS:
        return add_months(end_date, -period)
    return end_date - timedelta(days=period)


def renewal_end(anchor: date, months_so_far: int, term_months: int) -> date:
    """The end date after renewing for ``term_months`` more, where ``anchor`` is the
    first day after the pre-renewal end date and ``months_so_far`` the months already
    renewed from it."""
    return add_months(anchor, months_so_far + term_months) - timedelta(days=1)


def next_renewal(*, end_date: date, anchor: date | None, months_so_far: int,
                 term_months: int) -> tuple[date, date, int]:
    """``(new end date, anchor, months renewed in all)`` for one more term."""
    if anchor is None:
        anchor, months_so_far = end_date + timedelta(days=1), 0
    months = months_so_far + term_months
    return renewal_end(anchor, months_so_far, term_months), anchor, months
