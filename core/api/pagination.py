from rest_framework import pagination

from core.pagination import ESTIMATE_ABOVE, EstimatedCountPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """Default pagination: ``?page=N&page_size=M`` (M at most 200). ``count`` is exact,
    except for an unfiltered list of over ``ESTIMATE_ABOVE`` rows on PostgreSQL, where
    it is the table's estimated row count (``core.pagination``): counting every row of
    a big table on each page was most of such a request's SQL."""

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = EstimatedCountPaginator

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            f"How many items match. Exact when a filter or search is applied or the list "
            f"holds at most {ESTIMATE_ABOVE:,} items; for an unfiltered list above that "
            f"(on PostgreSQL) it is the database's estimate of the table's size, usually "
            f"within a few per cent.")
        return schema


class CursorPagination(pagination.CursorPagination):
    """For large, append-mostly lists: stable under inserts, constant cost per page."""

    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"
