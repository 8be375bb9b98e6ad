"""Pagination that does not count a large table on every page load, and reads deep pages by the index."""

from django.conf import settings
from django.core.paginator import Page, Paginator
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

    def page(self, number) -> Page:
        """Return the page; after the first, its rows are picked by key before they are read.

        ``OFFSET 100000`` makes the database build and throw away a hundred thousand full rows, joins and
        all. Here a subquery finds the page's keys by the ordering alone (an index-only scan where the
        ordering's index holds the key, as those of the large tables do) and only the page's own rows are
        read in full: still one query, costing the walk along the index.
        """
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        query = getattr(rows, "query", None)
        if bottom and query is not None and not query.combinator:
            return self._get_page(rows.filter(pk__in=rows.values("pk")[bottom:top]), number, self)
        return self._get_page(rows[bottom:top], number, self)

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
