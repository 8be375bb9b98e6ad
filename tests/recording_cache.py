"""A cache backend for tests that notes every key and value written to it, to search them afterwards."""

import pickle

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

WRITES: list[tuple[str, bytes]] = []

# settings.CACHES for a test that reads what was cached: ``@override_settings(CACHES=RECORDING)``.
RECORDING = {"default": {"BACKEND": "tests.recording_cache.RecordingCache", "LOCATION": "recording"}}


class RecordingCache(LocMemCache):
    """The local-memory cache, noting every key and pickled value written to it in ``WRITES``."""

    def add(self, key, value, timeout=None, version=None):
        WRITES.append((str(key), pickle.dumps(value)))
        return super().add(key, value, timeout, version)

    def set(self, key, value, timeout=None, version=None):
        WRITES.append((str(key), pickle.dumps(value)))
        super().set(key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        for key, value in data.items():
            WRITES.append((str(key), pickle.dumps(value)))
        return super().set_many(data, timeout, version)


def written_texts() -> list[tuple[str, str]]:
    """Return every key written since the last ``WRITES.clear()``, with its value unpickled and written out."""
    return [(key, repr(pickle.loads(value))) for key, value in WRITES]  # noqa: S301 - written by the test itself


def start_recording() -> None:
    """Empty the recording cache and forget what was written to it (call inside ``override_settings``)."""
    cache.clear()
    WRITES.clear()
