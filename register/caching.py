"""Reading through the cache without depending on it: a cache that does not answer slows a page, it never
breaks one."""

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

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
# a reset of the statistics or in a new database.
CHANGE_FIGURE_SQL = """
    pg_stat_get_tuples_inserted(c.oid) + pg_stat_get_tuples_updated(c.oid)
    + pg_stat_get_tuples_deleted(c.oid) + pg_stat_get_xact_tuples_inserted(c.oid)
    + pg_stat_get_xact_tuples_updated(c.oid) + pg_stat_get_xact_tuples_deleted(c.oid)
"""
