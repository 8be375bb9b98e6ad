"""Pagination that does not count a large table on every page load."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """Count an unfiltered list of a large table from PostgreSQL's statistics instead of COUNT(*).

    PostgreSQL keeps an estimate of each table's rows (``pg_class.reltuples``, refreshed by autovacuum
    and ANALYZE). When the list is unfiltered and the estimate exceeds ``ADMIN_ESTIMATED_COUNT_FROM``
    rows, the estimate is used: the page count may be off by a little, which nobody paging through a
    hundred thousand people notices, while an exact COUNT(*) would read the whole table each time.
    Filtered lists and small tables, and other databases, are counted exactly.
    """

    @cached_property
    def count(self):
        estimate = self._estimate()
        if estimate is not None and estimate >= settings.ADMIN_ESTIMATED_COUNT_FROM:
            return estimate
        return super().count

    def _estimate(self) -> int | None:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None or query.where or query.distinct or query.combinator:
            return None
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        # -1 means the table was never analysed: no estimate to trust.
        return int(row[0]) if row and row[0] >= 0 else None
