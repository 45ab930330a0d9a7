"""Pagination for large lists: counts that do not read a whole table on every page.

An exact ``COUNT(*)`` reads every row it counts (an index-only scan at best): ~35 ms
at 100,000 escalations on the shared VM and ~1.7 s at 5 M, on every page of the list,
and ~130 ms for a search a quarter of 500,000 escalations match (bench/README.md,
issue 20). So, on PostgreSQL:

* an **unfiltered** list over ``ESTIMATE_ABOVE`` rows shows ``pg_class.reltuples``,
  the row count ANALYZE (autovacuum's included) last measured: close (autovacuum
  re-analyzes a table once ~10 % of it changed) and free to read;
* a **filtered or searched** list is counted exactly up to ``EXACT_UP_TO`` matches —
  a user who filtered wants the true number, and it is one bounded read — and above
  that shows the planner's estimate of the matches (never fewer than it counted), as
  search engines say "about 148,000 results".

Below those thresholds, on SQLite, or when the table was never analyzed, counts stay
exact, so small installations and the test suite see no difference.

An estimate can be below the true number, so a paginator whose count is an estimate
never refuses a page because of it: any page from 1 that has rows is served, and
"is there a next page" is answered by reading one row more than the page shows.

``EstimatedCountPaginator`` is Django's ``Paginator`` with those counts; the API's
page number pagination (``core.api.pagination``) and the large web lists use it.
"""

import json
from functools import cached_property

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections

# Below this many rows an exact count is cheap (a few ms) and an estimate's error
# would show on a list people can page to the end of.
ESTIMATE_ABOVE = 10_000
# A filter or search is counted exactly up to this many matches (a read of at most
# this many rows plus one); above it the count is the planner's estimate.
EXACT_UP_TO = 10_000


def reads_whole_table(queryset) -> bool:
    """True when ``queryset`` selects every row of its model's table once: no WHERE,
    DISTINCT, GROUP BY, slice, union or raw SQL condition. Joins from
    ``select_related`` follow foreign keys (one row each at most) and do not change
    the number of rows."""
    query = queryset.query
    return not (query.where or query.distinct or query.group_by is not None
                or query.combinator or query.is_sliced or query.extra_tables)


def _on_postgresql(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def estimated_count(queryset) -> int | None:
    """The table's estimated row count when ``queryset`` reads all of a table on
    PostgreSQL and the estimate is above ``ESTIMATE_ABOVE``; ``None`` otherwise (count
    exactly then)."""
    if not _on_postgresql(queryset) or not reads_whole_table(queryset):
        return None
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        # -1 (never analyzed, PostgreSQL 14+) and 0 fall below the threshold.
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                       [connection.ops.quote_name(queryset.model._meta.db_table)])
        row = cursor.fetchone()
    if row is None or row[0] < ESTIMATE_ABOVE:
        return None
    return row[0]


def capped_count(queryset) -> tuple[int, bool] | None:
    """``(count, is_estimate)`` for a filtered ``queryset`` on PostgreSQL: the exact
    number of matches when there are at most ``EXACT_UP_TO``, else the planner's
    estimate of them, at least ``EXACT_UP_TO + 1``. ``None`` elsewhere (count
    exactly then)."""
    if not _on_postgresql(queryset) or reads_whole_table(queryset) or queryset.query.is_sliced:
        return None
    matches = queryset.order_by()
    counted = matches[:EXACT_UP_TO + 1].count()
    if counted <= EXACT_UP_TO:
        return counted, False
    query = matches.query
    if not (query.group_by is not None or query.combinator or query.distinct):
        # The primary keys alone: the same rows, without the joins and columns the page
        # reads, so planning stays cheap. (Grouped, combined or distinct rows are
        # planned as they are: their primary keys would be other rows.)
        matches = matches.values("pk")
    plan = json.loads(matches.explain(format="json"))
    return max(int(plan[0]["Plan"]["Plan Rows"]), counted), True


class EstimatedPage(Page):
    """A page of a list whose count is an estimate: whether a next page exists is
    known from the rows read, not from the count."""

    def __init__(self, object_list, number, paginator, *, has_more):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self):
        return self.has_more

    def end_index(self):
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


class EstimatedCountPaginator(Paginator):
    """``Paginator`` whose ``count`` is an estimate for an unfiltered list over
    ``ESTIMATE_ABOVE`` rows and for a filter matching over ``EXACT_UP_TO``
    (``count_is_estimate`` says so, for an "about" on the page). Exact otherwise:
    then the same statements and pages as Django's paginator."""

    count_is_estimate = False

    @cached_property
    def count(self):
        if hasattr(self.object_list, "query"):
            estimate = estimated_count(self.object_list)
            if estimate is not None:
                self.count_is_estimate = True
                return estimate
            capped = capped_count(self.object_list)
            if capped is not None:
                count, self.count_is_estimate = capped
                return count
        return super().count

    def validate_number(self, number):
        """Django's check, without its upper bound when the count is an estimate (which
        may be below the true count): then page() refuses a page past the last row."""
        try:
            return super().validate_number(number)
        except EmptyPage:
            number = int(number)  # a whole number: PageNotAnInteger was not raised
            if not self.count_is_estimate or number < 1:
                raise
            return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.count_is_estimate:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom:bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return EstimatedPage(rows[:self.per_page], number, self,
                             has_more=len(rows) > self.per_page)

    def get_page(self, number):
        """As Django's, and a page past the last row (an estimate can promise more
        than there is) falls back to the first page."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(1)
