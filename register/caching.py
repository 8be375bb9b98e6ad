"""Reading through the cache without depending on it: a cache that does not answer slows a page, it never
breaks one."""

import logging
from collections.abc import Callable
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


# Per table, a figure that grows whenever a row is added, changed or deleted: PostgreSQL's statistics'
# counts of each (those flushed, plus this transaction's own). Another session's committed change is
# counted once its server process flushes its statistics, within about a second (PostgreSQL 15).
TABLE_CHANGES_SQL = """
    SELECT c.relname,
           pg_stat_get_tuples_inserted(c.oid) + pg_stat_get_tuples_updated(c.oid)
           + pg_stat_get_tuples_deleted(c.oid) + pg_stat_get_xact_tuples_inserted(c.oid)
           + pg_stat_get_xact_tuples_updated(c.oid) + pg_stat_get_xact_tuples_deleted(c.oid)
      FROM pg_class c
     WHERE c.oid = ANY(%s::regclass[]) AND current_setting('track_counts')::boolean
"""


def table_changes(models, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, int] | None:
    """Return each of ``models``' tables with its change figure, in one query, or None where not known.

    None on other databases than PostgreSQL, and where the server keeps no counts (``track_counts``
    off): a value kept "while the tables are unchanged" is then worked out every time.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    tables = sorted({model._meta.db_table for model in models})
    with connection.cursor() as cursor:
        cursor.execute(TABLE_CHANGES_SQL, [tables])
        found = dict(cursor.fetchall())
    return found if len(found) == len(tables) else None
