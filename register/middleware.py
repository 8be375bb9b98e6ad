import sys
import time

from django.conf import settings
from django.contrib.auth import logout

LOGIN_TIME_KEY = "login_at"


def client_address(request) -> str:
    """Return the visitor's address (after ForwardedForMiddleware has read the proxy's header)."""
    return request.META.get("REMOTE_ADDR", "")


# CPython 3.11 and later keep the frames of Python functions on a stack of 16 KiB chunks, and free a
# chunk the moment its first frame returns (python/cpython#142183; CPython's fix, one chunk kept for
# reuse, was backported to 3.13 and 3.14 in March 2026, not to 3.11 or 3.12). A loop whose calls cross
# a chunk's end, a list's fifty rows each calling a field's formatter, say, then maps and unmaps 16 KiB
# on every call: measured on the people list, 695 mmap calls and 1,386 page faults a request, 33 ms
# instead of 17, depending only on how deep the stack happened to be when the request began. A frame
# that does not fit in the current chunk gets a new chunk, a power of two in size and at least 1,000
# slots (8 KiB) larger than the frame: a frame of 7,300 slots (57 KiB) gets 128 KiB, and the 71 KiB
# after it hold everything the request calls. The deepest pages of the register, the person page and
# the lists, measured 17 to 20 KiB of frames (140 to 160 deep). It is done on every CPython from 3.11:
# the version does not tell which patch releases of 3.13 and 3.14 carry the fix, and on those the room
# costs one 128 KiB chunk a request. Not covered: the body of a streamed response (a CSV file, an access
# package), which the server reads from its generator after the middleware has returned.
_ROOMY_FRAME_SLOTS = 7300


def _call_with_room(function, argument):
    return function(argument)


if sys.implementation.name == "cpython" and sys.version_info >= (3, 11):
    # A larger co_stacksize only sizes the frame: the interpreter never reads the slots it does not use.
    _call_with_room.__code__ = _call_with_room.__code__.replace(
        co_stacksize=_call_with_room.__code__.co_stacksize + _ROOMY_FRAME_SLOTS
    )


class StackRoomMiddleware:
    """Run the rest of the request in a chunk of the frame stack of its own (see ``_ROOMY_FRAME_SLOTS``).

    First in MIDDLEWARE: every other middleware, the view and the templates then run in one chunk, mapped
    once a request, instead of in whatever chunk the server's own frames left half full.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return _call_with_room(self.get_response, request)


class ForwardedForMiddleware:
    """Put the visitor's address in REMOTE_ADDR when the app runs behind trusted reverse proxies.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with
    ``TRUSTED_PROXY_COUNT`` proxies the visitor is that many entries from the right. Entries further
    left were written by the visitor and are ignored: trusting them would let anyone choose the address
    that login lockouts and rate limits count.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = settings.TRUSTED_PROXY_COUNT
        if count > 0:
            forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            forwarded = [part for part in forwarded if part]
            if len(forwarded) >= count:
                request.META["REMOTE_ADDR"] = forwarded[-count]
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Add the Permissions-Policy header, switching off browser features the register does not use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class IdleTimeoutMiddleware:
    """Sign a signed-in user out after ``SESSION_IDLE_SECONDS`` without a request, or ``SESSION_COOKIE_AGE``
    after the login however busy the session has been.

    The idle limit ends a session that has sat unused, as on a shared computer at the gym's desk.
    """

    KEY = "last_activity"
    # The activity time is written at most once a minute: writing it on every request would make every
    # page of the back office also a write to the session table (three more queries, and a row lock).
    # The idle limit is then kept to within a minute.
    RESOLUTION_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY)
            # Saving the session on each request moves its cookie's expiry on, so the cap on a whole
            # session is kept here, from the login time: without one (a session from before) it has ended.
            began = request.session.get(LOGIN_TIME_KEY, 0)
            if (last is not None and now - last > settings.SESSION_IDLE_SECONDS) or (
                now - began > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
            elif last is None or now - last >= self.RESOLUTION_SECONDS:
                request.session[self.KEY] = now
        return self.get_response(request)


def remember_login_time(sender, request, user, **kwargs):
    """Note in the session when it began, for SessionRevocationMiddleware (connected in RegisterConfig)."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_TIME_KEY] = time.time()


class SessionRevocationMiddleware:
    """End a staff session that began before its account's "log out everywhere" (StaffProfile).

    The staff profile is read once per signed-in request and stays cached on the user, where the admin
    site's confidentiality-agreement check finds it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            from register.models import StaffProfile

            try:
                revoked = user.staff_profile.sessions_revoked_at
            except StaffProfile.DoesNotExist:
                revoked = None
            if revoked is not None and request.session.get(LOGIN_TIME_KEY, 0) < revoked.timestamp():
                logout(request)
        return self.get_response(request)
