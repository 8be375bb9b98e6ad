"""Reading through the cache without depending on it: a cache that does not answer slows a page, it never
breaks one."""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)


def remembered(key: str, seconds: int, compute: Callable[[], Any], *, what: str) -> Any:
    """Return the value cached under ``key``, or ``compute()`` it and cache it for ``seconds``.

    ``what`` names the value in the warning logged when the cache does not answer (``compute()`` is
    then used as it is). A computed None is returned but not cached.
    """
    try:
        value = cache.get(key)
    except Exception:  # any cache backend's connection error
        logger.warning("The cache did not answer; %s was worked out afresh", what)
        value = None
    if value is None:
        value = compute()
        if value is not None:
            try:
                cache.set(key, value, seconds)
            except Exception:
                logger.warning("The cache did not answer; %s was not cached", what)
    return value


def forget(keys: list[str], *, what: str) -> None:
    """Drop ``keys`` from the cache; when it does not answer, the values expire on their own."""
    try:
        cache.delete_many(keys)
    except Exception:
        logger.warning("The cache did not answer; %s expires on its own", what)


# Per table (``c``, a row of pg_class), a figure that grows whenever a row is added, changed or deleted:
# PostgreSQL's statistics' counts of each (those flushed, plus this transaction's own). A committed
# change counts once the server process that made it flushes its statistics: PostgreSQL 15 does so at
# the end of a transaction at most once a second, and a process that then goes idle within 10 seconds
# (within a minute when the statistics are contended). The counts start again from zero after a crash,
# a reset of the statistics or in a new database; the "epoch" (the database, the server's start and the
# statistics' last reset) tells those apart.
TABLE_CHANGES_SQL = """
    SELECT c.relname,
           pg_stat_get_tuples_inserted(c.oid) + pg_stat_get_tuples_updated(c.oid)
           + pg_stat_get_tuples_deleted(c.oid) + pg_stat_get_xact_tuples_inserted(c.oid)
           + pg_stat_get_xact_tuples_updated(c.oid) + pg_stat_get_xact_tuples_deleted(c.oid),
           d.oid::text || '/' || pg_postmaster_start_time()::text || '/'
           || coalesce(pg_stat_get_db_stat_reset_time(d.oid)::text, '')
      FROM pg_class c, pg_database d
     WHERE c.oid = ANY(%s::regclass[]) AND d.datname = current_database()
       AND current_setting('track_counts')::boolean
"""


@dataclass(frozen=True)
class TableChanges:
    """The change figures of some tables, read at one moment (``table_changes``)."""

    epoch: str
    counts: dict[str, int]

    def version(self, models) -> str:
        """Return a text that differs whenever a row of one of ``models``' tables has changed."""
        return f"{self.epoch}/{sum(self.counts[model._meta.db_table] for model in models)}"


def table_changes(models, *, using: str = DEFAULT_DB_ALIAS) -> TableChanges | None:
    """Return the change figures of ``models``' tables, in one query, or None where they are not known.

    None on other databases than PostgreSQL, and where the server keeps no counts (``track_counts``
    off): a value kept "while the tables are unchanged" is then worked out every time.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    tables = sorted({model._meta.db_table for model in models})
    with connection.cursor() as cursor:
        cursor.execute(TABLE_CHANGES_SQL, [tables])
        rows = cursor.fetchall()
    if len(rows) != len(tables):
        return None
    # The epoch as a digest: a cache key of letters and digits only (memcached allows no spaces).
    epoch = hashlib.sha256(rows[0][2].encode()).hexdigest()[:12]
    return TableChanges(epoch=epoch, counts={table: count for table, count, _epoch in rows})
