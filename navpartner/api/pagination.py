from rest_framework.pagination import CursorPagination, PageNumberPagination


class StandardPagination(PageNumberPagination):
    """``count``, ``next``, ``previous``, ``results``; clients may ask for up to 500 a page."""

    page_size_query_param = "page_size"
    max_page_size = 500


class NewestFirstCursorPagination(CursorPagination):
    """``next``, ``previous``, ``results``, newest first; no count, no page numbers.

    For append-only logs that grow without end: each page starts where the last one stopped
    (an opaque ``cursor`` on the time, ties broken by position), so a page costs the same on the
    millionth row as on the first, and no request counts the rows. Up to 500 a page.
    """

    ordering = ("-at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
