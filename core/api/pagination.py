from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Default pagination: ``?page=N&page_size=M`` (M at most 200)."""

    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPagination(pagination.CursorPagination):
    """For large, append-mostly lists: stable under inserts, constant cost per page."""

    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"
