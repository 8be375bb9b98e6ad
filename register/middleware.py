import time

from django.conf import settings
from django.contrib.auth import logout

LOGIN_TIME_KEY = "login_at"


def client_address(request) -> str:
    """Return the visitor's address (after ForwardedForMiddleware has read the proxy's header)."""
    return request.META.get("REMOTE_ADDR", "")


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
