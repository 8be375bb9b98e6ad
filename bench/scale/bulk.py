"""Loading a large generated data set fast (``python -m bench.generate``, the benchmark's data set).

The ORM's ``bulk_create`` builds a model instance per row and prepares every value field by field: for
millions of rows that costs minutes. Here rows are plain tuples of column values with their primary
keys chosen up front (so that child rows can point at them without reading anything back), written in
large batches: PostgreSQL's COPY, SQLite's ``executemany``. What ``save()`` would have done besides
writing the row is the caller's job; the loader does the common part, the field-history copy
(django-simple-history's "+" row) that every new row of a model with field history gets, by having the
database copy the rows just written.

Indexes and checks cost more row by row than all at once, so a load may drop a table's plain indexes,
and on PostgreSQL its foreign keys and exclusion constraints, and build them again at the end
(``indexes_deferred``), when every loaded row is checked: a load that broke a rule fails as a whole.
Unique and primary-key indexes stay throughout.

Nothing here is for requests: only generated data is loaded this way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice

from django.core.management.color import no_style
from django.db import connection as default_connection
from django.db import models

BATCH = 5_000
HISTORY_FIELDS = ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")


_converted: dict[datetime, str] = {}


def _sqlite_datetime(value):
    # What Django's SQLite backend stores for an aware datetime: naive UTC in ISO format with a space.
    # The same moments recur (every coach's slot at 10:00 is one), so the text of recent ones is kept.
    if value is None:
        return None
    text = _converted.get(value)
    if text is None:
        text = value.isoformat(" ")
        text = text[:-6] if text.endswith("+00:00") else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if len(_converted) > 200_000:
            _converted.clear()
        _converted[value] = text
    return text


def _sqlite_date(value):
    return value.isoformat() if isinstance(value, date) else value


def _json(value):
    return value if value is None or isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _decimal(value):
    return str(value) if isinstance(value, Decimal) else value


def _adapter(field: models.Field, vendor: str):
    """Return the function that turns a Python value of ``field`` into what the driver takes, or None.

    Callers give phone numbers and countries as text, as they are stored.
    """
    if isinstance(field, models.JSONField):
        return _json
    if vendor == "sqlite":
        if isinstance(field, models.DateTimeField):
            return _sqlite_datetime
        if isinstance(field, models.DateField):
            return _sqlite_date
        if isinstance(field, models.DecimalField):
            return _decimal
    return None


def _adapted(row: Sequence, adapted: list) -> list:
    values = list(row)
    for index, adapt in adapted:
        values[index] = adapt(values[index])
    return values


class BulkLoader:
    """Write rows of models in large batches, with primary keys chosen by the caller.

    ``reserve(model, n)`` hands out ``n`` new primary keys; ``write(model, columns, rows)`` writes the
    tuples (values in the order of ``columns``, attribute names such as ``client_id``);
    ``write_with_history`` writes the field-history copies as well. ``finish()`` moves PostgreSQL's
    sequences past the keys used, so later rows made through the ORM get fresh ones.
    """

    def __init__(self, connection=None, *, batch: int = BATCH):
        self.connection = connection or default_connection
        self.vendor = self.connection.vendor
        self.batch = batch
        self._next_key: dict[type[models.Model], int] = {}
        self._touched: set[type[models.Model]] = set()
        self.rows_written = 0
        # (what, seconds) of the slow steps besides writing rows, for the command to report.
        self.timings: list[tuple[str, float]] = []
        if self.vendor == "sqlite":
            # A bigger page cache for this connection (256 MiB instead of 2): rebuilding an index over a
            # million rows then works in memory.
            with self.connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")

    # Keys ------------------------------------------------------------------------------------------

    def reserve(self, model: type[models.Model], count: int) -> range:
        """Return ``count`` primary keys that no row of ``model`` has yet."""
        if model not in self._next_key:
            largest = model._default_manager.aggregate(largest=models.Max("pk"))["largest"]
            self._next_key[model] = (largest or 0) + 1
        first = self._next_key[model]
        self._next_key[model] = first + count
        return range(first, first + count)

    # Writing ---------------------------------------------------------------------------------------

    def write(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
        """Insert ``rows`` into ``model``'s table; return how many were written.

        Columns left out get their field's default (``""`` for text, ``False`` for flags, ``None`` for
        what may be empty), as a row made through the ORM would.
        """
        fields = [model._meta.get_field(_field_name(model, column)) for column in columns]
        # A generated column (an invoice line's amounts in cents) is written by the database itself.
        missing = [
            field
            for field in model._meta.concrete_fields
            if field not in fields and not field.primary_key and not field.generated
        ]
        if missing:
            defaults = tuple(field.get_default() for field in missing)
            fields += missing
            rows = ((*row, *defaults) for row in rows)
        adapted = [(index, adapt) for index, field in enumerate(fields) if (adapt := _adapter(field, self.vendor))]
        db_columns = [field.column for field in fields]
        written = 0
        iterator = iter(rows)
        while batch := list(islice(iterator, self.batch)):
            if adapted:
                batch = [_adapted(row, adapted) for row in batch]
            self._insert(model._meta.db_table, db_columns, batch)
            written += len(batch)
        self._touched.add(model)
        self.rows_written += written
        return written

    def add(self, model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]) -> range:
        """Insert ``rows`` (without their primary key) under new keys; return the keys, in the rows' order."""
        keys = self.reserve(model, len(rows))
        pk = model._meta.pk.attname
        self.write(model, [pk, *columns], ((key, *row) for key, row in zip(keys, rows, strict=True)))
        return keys

    def write_with_history(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Sequence],
        *,
        history_date: str | datetime,
    ) -> int:
        """Insert ``rows`` and, for each, the field-history copy that creating it through ``save()`` makes.

        The rows' first column is their primary key. ``history_date`` dates the copies (when the row came
        to be): the name of a column, or one moment for all of them. The copies are made by the database
        from the rows just written, in one statement, without passing through Python again.
        """
        span = []

        def noted(rows):
            first = last = None
            for row in rows:
                first = row[0] if first is None else min(first, row[0])
                last = row[0] if last is None else max(last, row[0])
                yield row
            span.extend([first, last])

        written = self.write(model, columns, noted(rows))
        if written:
            self.copy_history(model, first=span[0], last=span[1], history_date=history_date)
        return written

    def copy_history(self, model: type[models.Model], *, first: int, last: int, history_date: str | datetime) -> None:
        """Write the "+" field-history copy of ``model``'s rows with primary keys from ``first`` to ``last``."""
        history_model = model.history.model
        quote = self.connection.ops.quote_name
        tracked = [
            field.column for field in history_model._meta.concrete_fields if field.attname not in HISTORY_FIELDS
        ]
        names = ", ".join(quote(column) for column in tracked)
        pk = quote(model._meta.pk.column)
        if isinstance(history_date, str):
            when, params = quote(model._meta.get_field(history_date).column), [first, last]
        else:
            adapt = _adapter(history_model._meta.get_field("history_date"), self.vendor)
            when, params = "%s", [adapt(history_date) if adapt else history_date, first, last]
        with self.connection.cursor() as cursor:
            # Names come from the models' metadata; the values are parameters.
            cursor.execute(
                f"INSERT INTO {quote(history_model._meta.db_table)} ({names}, history_date, history_type) "  # noqa: S608
                f"SELECT {names}, {when}, '+' FROM {quote(model._meta.db_table)} WHERE {pk} BETWEEN %s AND %s",
                params,
            )
            self.rows_written += cursor.rowcount
        self._touched.add(history_model)

    def _insert(self, table: str, columns: list[str], rows: list[Sequence]) -> None:
        quote = self.connection.ops.quote_name
        names = ", ".join(quote(column) for column in columns)
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                # Table and column names come from the models' metadata, never from input.
                cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders})", rows)  # noqa: S608

    def finish(self) -> None:
        """Move PostgreSQL's sequences past the keys the load chose itself."""
        if self.vendor != "postgresql" or not self._touched:
            return
        statements = self.connection.ops.sequence_reset_sql(no_style(), sorted(self._touched, key=str))
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    # Indexes ---------------------------------------------------------------------------------------

    @contextmanager
    def indexes_deferred(self, *models_: type[models.Model]) -> Iterator[None]:
        """Drop the plain secondary indexes of the models' tables, and build them again on leaving.

        Primary keys and unique indexes stay and check every row as it is loaded. On PostgreSQL the
        tables' foreign keys and exclusion constraints (no overlapping appointments) cost far more to
        check row by row than all at once: they are dropped too and added again at the end, when
        PostgreSQL checks every loaded row against them, so a load that broke one fails as a whole.
        """
        quote = self.connection.ops.quote_name
        tables = [model._meta.db_table for model in models_]
        indexes = self._plain_indexes(tables)
        constraints = self._checked_constraints(tables)
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                # A table with foreign-key checks still pending (Django defers them to the commit) can be
                # neither altered nor indexed: the checks run at the end of each statement meanwhile.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name, _definition in constraints:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
        yield
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")  # room to sort for the builds
            for _name, sql in indexes:
                cursor.execute(sql)
            for table, name, definition in constraints:
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
            if self.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                # Fresh statistics: the planner and the list pages' row estimates read them.
                for table in tables:
                    cursor.execute(f"ANALYZE {quote(table)}")
        self.timings.append(
            (f"indexes and checks of {', '.join(tables)} ({len(indexes)} indexes, {len(constraints)} constraints)",
             time.perf_counter() - started)
        )  # fmt: skip

    def _checked_constraints(self, tables: list[str]) -> list[tuple[str, str, str]]:
        """Return the foreign keys and exclusion constraints of ``tables`` (PostgreSQL): table, name, definition."""
        if self.vendor != "postgresql":
            return []
        with self.connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT table_class.relname, conname, pg_get_constraintdef(pg_constraint.oid)
                FROM pg_constraint JOIN pg_class table_class ON table_class.oid = pg_constraint.conrelid
                WHERE pg_constraint.contype IN ('f', 'x') AND table_class.relname = ANY(%s)
                ORDER BY pg_constraint.contype, conname
                """,
                [tables],
            )
            return list(cursor.fetchall())

    def _plain_indexes(self, tables: list[str]) -> list[tuple[str, str]]:
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    """
                    SELECT index_class.relname, pg_get_indexdef(index_class.oid)
                    FROM pg_index
                    JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid
                    JOIN pg_class table_class ON table_class.oid = pg_index.indrelid
                    WHERE table_class.relname = ANY(%s)
                      AND NOT pg_index.indisunique AND NOT pg_index.indisprimary
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE pg_constraint.conindid = pg_index.indexrelid)
                    ORDER BY index_class.relname
                    """,
                    [tables],
                )
                return list(cursor.fetchall())
            if self.vendor == "sqlite":
                placeholders = ", ".join(["%s"] * len(tables))
                cursor.execute(
                    f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                    f"AND tbl_name IN ({placeholders}) ORDER BY name",
                    tables,
                )
                rows = cursor.fetchall()
                return [(name, sql) for name, sql in rows if not sql.lstrip().upper().startswith("CREATE UNIQUE")]
        return []


def _field_name(model: type[models.Model], column: str) -> str:
    """Return the field behind an attribute name (``client_id`` is the field ``client``)."""
    for field in model._meta.concrete_fields:
        if field.attname == column:
            return field.name
    return column
