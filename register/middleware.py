import time

from django.conf import settings
from django.contrib.auth import logout


class PermissionsPolicyMiddleware:
    """Add the Permissions-Policy header, switching off browser features the register does not use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class IdleTimeoutMiddleware:
    """Sign a signed-in user out after ``SESSION_IDLE_SECONDS`` without a request.

    The session cookie's own age (SESSION_COOKIE_AGE) caps the whole session; this ends one that has sat
    unused, as on a shared computer at the gym's desk.
    """

    KEY = "last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
            else:
                request.session[self.KEY] = now
        return self.get_response(request)
