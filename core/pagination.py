"""Pagination for large lists: an unfiltered list of a big table is counted from
PostgreSQL's statistics instead of ``COUNT(*)``.

An exact ``COUNT(*)`` of a whole table reads every row (an index-only scan at best):
~35 ms at 100,000 escalations on the shared VM and ~1.7 s at 5 M, on every page of
the list (bench/README.md, issue 20). A filtered list is counted exactly — its WHERE
clause is usually selective and served by an index, and a user who filtered wants the
true number. An unfiltered one over ``ESTIMATE_ABOVE`` rows shows
``pg_class.reltuples``, the row count ANALYZE (autovacuum's included) last measured:
close (autovacuum re-analyzes a table once ~10 % of it changed) and free to read.
Below the threshold, on SQLite, or when the table was never analyzed, counts stay
exact, so small installations and the test suite see no difference.

``EstimatedCountPaginator`` is Django's ``Paginator`` with that count; the API's page
number pagination (``core.api.pagination``) and the large web lists use it.
"""

from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections

# Below this many rows an exact count is cheap (a few ms) and an estimate's error
# would show on a list people can page to the end of.
ESTIMATE_ABOVE = 10_000


def reads_whole_table(queryset) -> bool:
    """True when ``queryset`` selects every row of its model's table once: no WHERE,
    DISTINCT, GROUP BY, slice, union or raw SQL condition. Joins from
    ``select_related`` follow foreign keys (one row each at most) and do not change
    the number of rows."""
    query = queryset.query
    return not (query.where or query.distinct or query.group_by is not None
                or query.combinator or query.is_sliced or query.extra_tables)


def estimated_count(queryset) -> int | None:
    """The table's estimated row count when ``queryset`` reads all of a table on
    PostgreSQL and the estimate is above ``ESTIMATE_ABOVE``; ``None`` otherwise (count
    exactly then)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not reads_whole_table(queryset):
        return None
    with connection.cursor() as cursor:
        # -1 (never analyzed, PostgreSQL 14+) and 0 fall below the threshold.
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                       [connection.ops.quote_name(queryset.model._meta.db_table)])
        row = cursor.fetchone()
    if row is None or row[0] < ESTIMATE_ABOVE:
        return None
    return row[0]


class EstimatedCountPaginator(Paginator):
    """``Paginator`` whose ``count`` of an unfiltered list over ``ESTIMATE_ABOVE`` rows
    is PostgreSQL's estimate (``count_is_estimate`` says so, for an "about" on the
    page). Exact otherwise: the same statements as Django's paginator."""

    count_is_estimate = False

    @cached_property
    def count(self):
        if hasattr(self.object_list, "query"):
            estimate = estimated_count(self.object_list)
            if estimate is not None:
                self.count_is_estimate = True
                return estimate
        return super().count
