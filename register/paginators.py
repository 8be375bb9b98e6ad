"""Pagination that does not count a large table on every page load, and reads deep pages by the index."""

import hashlib
import logging
import operator
from functools import reduce

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import BooleanField, Count, Expression, F, Q, Value, Window
from django.utils.functional import cached_property

from register.caching import CHANGE_FIGURE_SQL, remembered

logger = logging.getLogger(__name__)

# How long a remembered page start is kept (it is also dropped as soon as the table changes).
PAGE_ANCHOR_SECONDS = 15 * 60

# How long a table's estimated rows are taken as they were (PostgreSQL moves them on vacuum and analyse).
TABLE_ESTIMATE_SECONDS = 60

# One query for what the paginator needs to know of an unfiltered table: PostgreSQL's estimate of its
# rows, and a figure that changes whenever a row is added, changed or deleted (the statistics' counts of
# each, register.caching.CHANGE_FIGURE_SQL), or None when the server keeps no such counts.
TABLE_STATE_SQL = f"""
    SELECT c.reltuples::bigint,
           CASE WHEN current_setting('track_counts')::boolean THEN {CHANGE_FIGURE_SQL} END
      FROM pg_class c WHERE c.oid = %s::regclass
"""  # noqa: S608 - constant SQL, nothing of a request in it


class EstimatedCountPaginator(Paginator):
    """Count an unfiltered list of a large table from PostgreSQL's statistics instead of COUNT(*).

    PostgreSQL keeps an estimate of each table's rows (``pg_class.reltuples``, refreshed by autovacuum
    and ANALYZE). When the list is unfiltered and the estimate exceeds ``ADMIN_ESTIMATED_COUNT_FROM``
    rows, the estimate is used: the page count may be off by a little, which nobody paging through a
    hundred thousand people notices, while an exact COUNT(*) would read the whole table each time.
    Filtered lists and small tables, and other databases, are counted exactly.

    A page after the first is read in one of two ways. Where the start of that page (or of the next
    one) is remembered from an earlier visit and the table has not changed since, the page is read from
    there along the ordering's index, whatever its depth (``PageAnchors``). Otherwise a subquery finds
    the page's keys by the ordering alone (an index-only scan where the ordering's index holds the key,
    as those of the large tables do) and only the page's own rows are read in full: ``OFFSET 100000``
    on the full rows would build and throw away a hundred thousand rows, joins and all.
    """

    def __init__(self, *args, first_page_asked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Whether the list's first page is the one to be shown: then a list that must be counted exactly
        # (filtered or searched) is counted in the same query that reads that page.
        self.first_page_asked = first_page_asked
        self._first_page_rows = None

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if number == 1 and self._first_page_rows is not None:
            return self._get_page(self._first_page_rows, number, self)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        query = getattr(rows, "query", None)
        if not bottom or query is None or query.combinator:
            return self._get_page(rows[bottom:top], number, self)
        anchors = PageAnchors.for_rows(rows, self.per_page, self._table_state[1])
        if anchors is None:
            return self._get_page(rows.filter(pk__in=rows.values("pk")[bottom:top]), number, self)
        return self._get_page(anchors.page(number, bottom, top), number, self)

    @cached_property
    def count(self):
        estimate = self._estimate
        if estimate is not None and estimate >= settings.ADMIN_ESTIMATED_COUNT_FROM:
            return estimate
        counted = self._count_with_first_page()
        return super().count if counted is None else counted

    def _count_with_first_page(self) -> int | None:
        """Read the first page with ``COUNT(*) OVER ()`` beside each row; return the count (None: not done).

        A search of the people list was a COUNT of the matches and then the first fifty of them sorted:
        twice planned and twice read. In one query the database finds the matches once, counts and sorts
        them, and the page needs no query of its own.
        """
        rows = self.object_list
        query = getattr(rows, "query", None)
        if not self.first_page_asked or query is None or query.distinct or query.combinator or query.is_sliced:
            return None
        if not connections[rows.db].features.supports_over_clause:
            return None
        if not query.where and not self._whole_table_on_postgresql:
            # A whole table on a database that keeps no estimate of its rows (SQLite) is counted on its
            # own: COUNT(*) reads the table's smallest index, where a count over the window joins and sorts
            # every row before the first page is known (on SQLite's million appointments 3.5 s, against
            # 20 ms for the page and its count apart). PostgreSQL's large tables are estimated instead.
            return None
        counted = list(rows.annotate(_register_full_count=Window(Count("*")))[: self.per_page])
        if not counted:
            return None  # nothing on the first page: the exact count says whether there is nothing at all
        self._first_page_rows = counted
        return counted[0]._register_full_count

    @cached_property
    def _whole_table_on_postgresql(self) -> bool:
        """Whether the list is a whole table (no filter) on PostgreSQL, whose statistics then describe it."""
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None or query.where or query.distinct or query.combinator:
            return False
        return connections[queryset.db].vendor == "postgresql"

    @cached_property
    def _estimate(self) -> int | None:
        """Return the table's estimated rows, remembered for a minute (None when not known).

        The estimate moves only when the table is vacuumed or analysed; the first page of a list needs
        nothing else of its statistics, and so reads none of them on most loads. A page after the first
        reads the change figure afresh anyway (``_table_state``), and takes the estimate with it.
        """
        if not self._whole_table_on_postgresql:
            return None
        queryset = self.object_list
        key = f"register:table-estimate:{queryset.db}:{queryset.model._meta.db_table}"
        return remembered(key, TABLE_ESTIMATE_SECONDS, lambda: self._table_state[0], what="a table's estimated rows")

    @cached_property
    def _table_state(self) -> tuple[int | None, int | None]:
        """Return the table's estimated rows and its change figure (None, None when not known)."""
        if not self._whole_table_on_postgresql:
            return None, None
        queryset = self.object_list
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(TABLE_STATE_SQL, [queryset.model._meta.db_table])
            row = cursor.fetchone()
        if row is None:
            return None, None
        # -1 means the table was never analysed: no estimate to trust.
        return (int(row[0]) if row[0] >= 0 else None), row[1]


class _RowComparison(Expression):
    """``(col_a, col_b, ...) <op> (value_a, value_b, ...)``: SQL's comparison of row values, as a filter."""

    output_field = BooleanField()

    def __init__(self, names: list[str], values: list[Value], operator_sql: str):
        super().__init__()
        self.columns, self.values, self.operator_sql = [F(name) for name in names], values, operator_sql

    def get_source_expressions(self):
        return [*self.columns, *self.values]

    def set_source_expressions(self, expressions):
        self.columns, self.values = expressions[: len(self.columns)], expressions[len(self.columns) :]

    def as_sql(self, compiler, connection):
        written, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            written.append(sql)
            params.extend(expression_params)
        half = len(self.columns)
        return f"({', '.join(written[:half])}) {self.operator_sql} ({', '.join(written[half:])})", params


class PageAnchors:
    """The starts of pages of an unfiltered list, remembered while the table stays the same.

    Reading page 10,000 of a million appointments walks 500,000 entries of the ordering's index to find
    where the page begins; once that is known, the page and its neighbours are read from there directly
    (``starts_at <= x AND (starts_at < x OR (starts_at = x AND id <= y))``, a range of the same index).
    Whenever a page is read, the start of the next one is noted too, so paging on from a deep page
    never walks the index again, and the page before a remembered start is read backwards from it. A
    remembered start is used only while the table's change figure is the one it was noted with: any
    row added, changed or deleted makes every page be found afresh. PostgreSQL updates the figure for
    other sessions' changes within about a second of their commit, so for that second a page may begin
    a row early or late, as the estimated page count already may be off.

    Only a list of the whole table qualifies (no filter or search), ordered by the model's own columns
    and its key: its rows and their order then depend on that one table alone.
    """

    def __init__(self, rows, fields: list[tuple[str, bool, bool]], per_page: int, version: int):
        self.rows = rows
        self.fields = fields
        self.version = version
        self.names = [name for name, _descending, _nullable in fields]
        identity = f"{rows.db}|{rows.model._meta.label}|{fields}|{per_page}"
        self.prefix = "register:page-start:" + hashlib.sha256(identity.encode()).hexdigest()[:32]

    @classmethod
    def for_rows(cls, rows, per_page: int, version: int | None) -> "PageAnchors | None":
        """Return the anchors of this list, or None when its pages cannot be anchored."""
        query = rows.query
        if version is None or query.where or query.distinct or query.extra or not query.order_by:
            return None
        fields = []
        for term in query.order_by:
            if not isinstance(term, str):
                return None  # an expression: its values cannot be compared here
            name = term.removeprefix("-")
            try:
                field = rows.model._meta.pk if name == "pk" else rows.model._meta.get_field(name)
            except FieldDoesNotExist:
                return None
            if "__" in name or not field.concrete or field.is_relation:
                return None
            fields.append((field.attname, term.startswith("-"), field.null))
        if not any(name == rows.model._meta.pk.attname for name, _descending, _nullable in fields):
            return None  # without the key the order is not total, and a start is not one row
        return cls(rows, fields, per_page, version)

    def page(self, number: int, bottom: int, top: int) -> list:
        """Return the rows of page ``number`` (rows ``bottom`` to ``top`` of the list), as a list."""
        size = top - bottom
        start = self._remembered(number)
        if start is not None:
            found = list(self.rows.filter(self._from(start))[: size + 1])
        else:
            following = self._remembered(number + 1)
            if following is not None:
                # The page before a remembered start: read backwards from it.
                found = list(self.rows.filter(self._before(following)).reverse()[:size])[::-1]
                if len(found) == size:
                    found.append(None)  # the next page's start is the one remembered already
            else:
                found = list(self.rows.filter(pk__in=self.rows.values("pk")[bottom : top + 1]))
        page, after = found[:size], found[size:]
        if page:
            self._remember(number, page[0])
        if after and after[0] is not None:
            self._remember(number + 1, after[0])
        return page

    def _values(self, row) -> tuple:
        return tuple(getattr(row, name) for name in self.names)

    # PostgreSQL sorts NULL after every value (last going up, first going down): the comparisons below
    # treat it as the greatest value, so that a nullable column (an invoice's number) can be anchored.

    @staticmethod
    def _greater(name: str, value) -> Q:
        return Q(pk__in=[]) if value is None else Q(**{f"{name}__gt": value}) | Q(**{f"{name}__isnull": True})

    @staticmethod
    def _less(name: str, value) -> Q:
        return Q(**{f"{name}__isnull": False}) if value is None else Q(**{f"{name}__lt": value})

    @staticmethod
    def _same(name: str, value) -> Q:
        return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})

    def _from(self, start: tuple) -> Q:
        """Rows at or after ``start`` in the list's order."""
        return self._bound(start, after=True) & (self._beyond(start, after=True) | self._equal(start))

    def _before(self, start: tuple) -> Q:
        """Rows before ``start`` in the list's order."""
        return self._bound(start, after=False) & self._beyond(start, after=False)

    def _bound(self, start: tuple, *, after: bool):
        """A range of the ordering's index that holds the rows; the comparisons below pick them exactly."""
        row_bound = self._row_bound(start, after=after)
        if row_bound is not None:
            return row_bound
        name, descending, nullable = self.fields[0]
        value = start[0]
        if descending == after:  # at most the start's value
            return Q() if value is None else Q(**{f"{name}__lte": value})
        if value is None:
            return Q(**{f"{name}__isnull": True})
        # At least the value, or NULL: not one range of the index, so left to the comparisons below.
        return Q() if nullable else Q(**{f"{name}__gte": value})

    def _row_bound(self, start: tuple, *, after: bool):
        """Return ``(a, b, id) <= (x, y, z)`` (or ``>=``) bounding the rows, or None where it would not do.

        The first column alone is a poor range where it has few values (the year of an invoice: a
        deep page walked through the whole year's other rows). The comparison of the rows' values with
        the start's, all columns at once, is a range of the index itself. It is used only where it
        holds every row the exact comparisons pick: every column ordered the same way and the start
        without NULLs; for the rows after the start's values (``>=``) no column may hold NULL either,
        because SQL's comparison leaves out a row whose NULL it reaches, where the order puts NULL last.
        """
        if any(value is None for value in start) or len({descending for _name, descending, _null in self.fields}) > 1:
            return None
        at_most = self.fields[0][1] == after
        if not at_most and any(nullable for _name, _descending, nullable in self.fields):
            return None
        fields = [self.rows.model._meta.get_field(name) for name in self.names]
        return _RowComparison(
            self.names,
            [Value(value, output_field=field) for value, field in zip(start, fields, strict=True)],
            "<=" if at_most else ">=",
        )

    def _beyond(self, start: tuple, *, after: bool) -> Q:
        # (a > x) OR (a = x AND b > y) OR ..., each comparison in the direction of its column's order.
        steps = []
        for index, (name, descending, _nullable) in enumerate(self.fields):
            compare = self._less if descending == after else self._greater
            step = compare(name, start[index])
            for earlier, (earlier_name, _descending, _null) in enumerate(self.fields[:index]):
                step &= self._same(earlier_name, start[earlier])
            steps.append(step)
        return reduce(operator.or_, steps)

    def _equal(self, start: tuple) -> Q:
        return reduce(operator.and_, (self._same(name, value) for name, value in zip(self.names, start, strict=True)))

    def _key(self, number: int) -> str:
        return f"{self.prefix}:{number}"

    def _remembered(self, number: int) -> tuple | None:
        try:
            found = cache.get(self._key(number))
        except Exception:  # any cache backend's connection error: the page is found by walking
            logger.warning("The cache did not answer; the page is found along the index")
            return None
        if found is None or found[0] != self.version:
            return None
        return found[1]

    def _remember(self, number: int, row) -> None:
        try:
            cache.set(self._key(number), (self.version, self._values(row)), PAGE_ANCHOR_SECONDS)
        except Exception:
            logger.warning("The cache did not answer; the page's start was not remembered")
