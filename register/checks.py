"""The register's own deployment checks (``manage.py check --deploy``)."""

from django.conf import settings
from django.core import checks

# Caches that live in one process (or on one machine's disk): another server cannot see them.
PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
)


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when production runs on a cache that each process keeps for itself.

    The rate limits of the public forms count in the cache, and the privacy notice page and the
    organisation are kept there: with a process-local cache each gunicorn worker (and each server)
    counts and caches on its own, so five requests an hour become five per worker.
    """
    if settings.CACHES["default"]["BACKEND"] in PROCESS_LOCAL_CACHES:
        return [
            checks.Warning(
                "The cache is kept in each process: rate limits count per process, not per visitor.",
                hint="Set CACHE_URL to a shared cache, for example redis://127.0.0.1:6379/1.",
                id="register.W010",
            )
        ]
    return []
