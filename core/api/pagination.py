from rest_framework import pagination

from core.pagination import ESTIMATE_ABOVE, EXACT_UP_TO, EstimatedCountPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """Default pagination: ``?page=N&page_size=M`` (M at most 200). ``count`` is exact,
    except on PostgreSQL for an unfiltered list of over ``ESTIMATE_ABOVE`` rows (the
    table's estimated row count) and for a filter or search matching over
    ``EXACT_UP_TO`` (the planner's estimate of the matches) — ``core.pagination``:
    counting every row of a big table or a broad search on each page was most of such
    a request's SQL. ``next`` is always right: it comes from the rows, not the count."""

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = EstimatedCountPaginator

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            f"How many items match. Exact when the list holds at most {ESTIMATE_ABOVE:,} "
            f"items, or when a filter or search matches at most {EXACT_UP_TO:,}. Above "
            f"that (on PostgreSQL) it is the database's estimate — of the table's size "
            f"for an unfiltered list (usually within a few per cent), of the matches for "
            f"a filter or search (never below {EXACT_UP_TO + 1:,}). Follow `next` to "
            f"page: it is present exactly when more items follow.")
        return schema


class CursorPagination(pagination.CursorPagination):
    """For large, append-mostly lists: stable under inserts, constant cost per page."""

    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"
