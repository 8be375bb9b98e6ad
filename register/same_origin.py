"""A form that may be posted from a page served from the cache: the browser vouches for its origin.

Django's CSRF protection puts a token of each visitor's own into every form. The public privacy notice
is the same page for everyone and is served from the cache, and its cookie banner is a form: a token
in it would make every copy personal. For that form the browser's own headers do the token's work.
Browsers send ``Sec-Fetch-Site`` with every request (``same-origin`` when a page of this site posts)
and ``Origin`` with every cross-site POST; a forged post from another site says so in one of them, and
a page cannot change either. A request with neither comes from no current browser, and gets Django's
token check as before (the cookie settings page still carries a token for that).
"""

from functools import wraps

from django.conf import settings
from django.middleware.csrf import REASON_BAD_ORIGIN, CsrfViewMiddleware
from django.urls import get_callable
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def posted_from_this_site(request) -> bool | None:
    """Return whether the browser says the request came from this site's pages; None if it says nothing."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        # "none": typed into the address bar or a bookmark, which no other site can make happen.
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    own = f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS


def same_origin_post(view):
    """Accept a POST that the browser says came from this site, in place of Django's CSRF token."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            verdict = posted_from_this_site(request)
            if verdict is False:
                failure = get_callable(settings.CSRF_FAILURE_VIEW)
                return failure(request, reason=REASON_BAD_ORIGIN % request.headers.get("Origin", "?"))
            if verdict is None:
                refusal = CsrfViewMiddleware(view).process_view(request, view, args, kwargs)
                if refusal is not None:
                    return refusal
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)
