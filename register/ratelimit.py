"""A per-address limit on public form posts, counted in the configured cache (shared by all servers)."""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def over_limit(request, *, scope: str, limit: int = 5, window_seconds: int = 3600) -> bool:
    """Count this request for its address and scope; return True once the limit is passed.

    The address is kept only as a keyed hash in the cache key, and only for the window.
    """
    address = request.META.get("REMOTE_ADDR", "")
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}"
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:  # the entry expired between add and incr: a new window starts
        cache.add(key, 1, window_seconds)
        return False
