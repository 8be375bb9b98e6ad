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
