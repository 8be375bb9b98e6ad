"""A paginator for back-office lists that never counts more rows than a page needs."""

from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """Count a list up to ``count_limit`` rows; beyond that, estimate it or say "more than".

    Counting every row of a list is the most expensive part of its page once a table holds a hundred
    thousand people or a million appointments, and nobody reads the exact figure. So:

    - an unfiltered list on PostgreSQL takes the table's estimated rows from its statistics
      (``pg_class.reltuples``, kept by autovacuum and ANALYZE) when they exceed the limit;
    - any other list (filtered, searched, a coach's own rows, or on SQLite, which keeps no estimate)
      is counted exactly, but only up to the limit: with more matches than that, ``count`` is the
      limit and ``count_is_capped`` is true, and the list says "more than 1,000 people"
      (``templates/admin/pagination.html``).

    A deep page could not be reached through a capped count, so the limit grows with the page asked
    for: it is ``count_limit`` rows beyond that page's first row.

    A page's rows are found by walking the list's ordering index past every row before them: 2.5 ms
    for page 1,000 of a million appointments, 26 ms for page 10,000 and twice that at the end, at best.
    So no list offers more than ``max_pages`` pages (50,000 rows): nobody reads a list that far, a
    filter or a search reaches any row in a page or two, and ``LargeListMixin`` sends a visitor who
    asks for a page further on to the last one offered, saying so.
    """

    count_limit = 1000
    max_pages = 1000

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, page_asked=1):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.count_is_capped = False
        # The rows before the page asked for plus the limit, in whole pages.
        pages = -(-self.count_limit // self.per_page)
        self.rows_to_count = (max(page_asked, 1) - 1 + pages) * self.per_page

    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None:  # a list rather than a queryset: nothing to save
            return super().count
        if not query.where and connections[queryset.db].vendor == "postgresql":
            estimate = self.estimated_rows()
            if estimate is not None and estimate > self.count_limit:
                return estimate
        # The keys alone, unordered (the order does not change how many there are), and none beyond the limit.
        counted = queryset.order_by().values("pk")[: self.rows_to_count + 1].count()
        if counted > self.rows_to_count:
            self.count_is_capped = True
            return self.rows_to_count
        return counted

    @cached_property
    def num_pages(self):
        return min(super().num_pages, self.max_pages)

    def estimated_rows(self) -> int | None:
        """Return PostgreSQL's estimate of the rows of the list's table (None when never analysed)."""
        queryset = self.object_list
        with connections[queryset.db].cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table])
            row = cursor.fetchone()
        # -1: the table has never been analysed, and its estimate means nothing.
        return int(row[0]) if row and row[0] >= 0 else None

    def page(self, number):
        """Return the page, its rows picked by key first wherever the plain query would read too many.

        - A filtered or searched list with few matches (an exact count within ``count_limit``): every
          matching key, in the list's order, is read first (at most ``count_limit`` of them, sorted by
          the database), then the page's rows by key. Asked for only the first fifty in name order, the
          database may instead walk the ordering's index looking for them, and the few matches of a
          name ("Virtanen", found under V) lie at one point of that walk: most of the table is read on
          the way there.
        - Any other page past the first of the whole table: the page's keys alone are found on the
          ordering's index and only its own rows are read whole. ``OFFSET 100000`` over the list's
          full rows (their joins and all) would build and throw away a hundred thousand of them; and a
          walk that tests each entry against a search reads the test's columns from a covering index
          (the people list's ordering index includes the email and phone) without visiting the table.
        """
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count and not self.count_is_capped:
            top = self.count
        rows = self.object_list
        query = getattr(rows, "query", None)
        if query is None or query.distinct or query.combinator or not (bottom or query.where):
            return Page(rows[bottom:top], number, self)
        if query.where and not self.count_is_capped and self.count <= self.count_limit:
            keys = list(rows.values_list("pk", flat=True))[bottom:top]
            return Page(rows.filter(pk__in=keys), number, self)
        return Page(rows.filter(pk__in=rows.values("pk")[bottom:top]), number, self)
